"""The shared input rules: integers from ASCII digits within their column, text without control
characters, JSON bounded before it is parsed."""

import json

import pytest

from commerce.core.validation import (
    INT32_MAX,
    INT64_MAX,
    InvalidCharacters,
    InvalidInput,
    JSONTooDeep,
    MalformedJSON,
    RequestTooLarge,
    clean_text,
    find_forbidden_char,
    integer_query_problem,
    json_depth_exceeds,
    json_loads_bounded,
    parse_id_or_slug,
    parse_int,
    parse_int_or_none,
)


@pytest.mark.parametrize("raw", ["²", "١٢", "１２", "12a", "", " ", "1.0", "1e3", "0x10", "+-1", True, 1.0, None, [1]])
def test_parse_int_refuses_anything_but_ascii_digits(raw):
    with pytest.raises(InvalidInput) as exc:
        parse_int(raw, field="product")
    assert "product" in exc.value.details


@pytest.mark.parametrize(("raw", "value"), [("12", 12), (" 7 ", 7), (0, 0), (str(INT64_MAX), INT64_MAX)])
def test_parse_int_reads_ascii_digits(raw, value):
    assert parse_int(raw) == value


@pytest.mark.parametrize("raw", [str(2**63), 2**64, str(10**30), "-1"])
def test_parse_int_refuses_values_the_bigint_column_cannot_hold(raw):
    with pytest.raises(InvalidInput):
        parse_int(raw)


def test_parse_int_checks_the_narrower_integer_column():
    assert parse_int(str(INT32_MAX), max_value=INT32_MAX) == INT32_MAX
    assert parse_int_or_none(str(INT32_MAX + 1), max_value=INT32_MAX) is None


def test_parse_id_or_slug():
    assert parse_id_or_slug("42") == 42
    assert parse_id_or_slug("everyday-tee") == "everyday-tee"
    # digits past the id range, or 0, can only be a slug (then not found), never an overflowing id
    assert parse_id_or_slug(str(2**64)) == str(2**64) and parse_id_or_slug("000") == "000"
    for raw in ["²", "١٢", "tee\x00", "a b", "ünïcode"]:
        with pytest.raises(InvalidInput):
            parse_id_or_slug(raw, field="product")


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x1b", "\x7f", "\x85", "\x9f", "\ud800", "\udfff"])
def test_clean_text_refuses_control_characters_and_surrogates(char):
    with pytest.raises(InvalidCharacters) as exc:
        clean_text(f"ab{char}c", field="q")
    assert exc.value.details == {"q": [f"Contains a control character (U+{ord(char):04X}) at position 2."]}


def test_clean_text_keeps_line_breaks_in_multiline_text_only():
    assert clean_text("one\ntwo\r\n\tthree", field="body") == "one\ntwo\r\n\tthree"
    assert find_forbidden_char("one\ntwo", multiline=False) == 3
    assert clean_text("Ünïcode, emoji 🎉 and ‮ are text") is not None


def test_integer_query_problem_judges_only_numbers():
    assert integer_query_problem("abc", INT32_MAX) is None  # the view's own rule applies
    assert integer_query_problem("", INT32_MAX) is None
    assert integer_query_problem("12", INT32_MAX) is None
    assert integer_query_problem("١٢", INT32_MAX) == "Must be written with the digits 0-9."
    assert integer_query_problem(str(2**63), INT32_MAX) == f"Must be at most {INT32_MAX}."


def test_json_depth_is_measured_outside_strings():
    assert json_depth_exceeds("[" * 33 + "]" * 33, 32)
    assert not json_depth_exceeds("[" * 32 + "]" * 32, 32)
    assert not json_depth_exceeds(json.dumps({"a": "[[[[[[[[[[" * 10, "b": "\\\"[[["}), 2)


@pytest.mark.parametrize("depth", [33, 1_000, 10_000, 1_000_000])
def test_json_nested_too_deep_is_refused_before_parsing(depth):
    with pytest.raises(JSONTooDeep):
        json_loads_bounded(b"[" * depth + b"]" * depth, max_bytes=10_000_000)


def test_json_over_the_size_limit_is_refused_before_parsing():
    with pytest.raises(RequestTooLarge) as exc:
        json_loads_bounded(b"[" + b"1," * 600_000 + b"1]", max_bytes=1_000_000)
    assert exc.value.http_status == 413


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        (b'{"product": "\\u0000"}', InvalidCharacters),
        (b'{"a": ["ok", "\\ud800"]}', InvalidCharacters),
        (b'{"\\u0000key": 1}', InvalidCharacters),
        (b'{"a": NaN}', MalformedJSON),
        (b'{"a": Infinity}', MalformedJSON),
        (b"\xff\xfe", MalformedJSON),
        (b"{", MalformedJSON),
    ],
)
def test_json_strings_and_syntax_are_checked(raw, error):
    with pytest.raises(error):
        json_loads_bounded(raw, max_bytes=1000)


def test_other_control_characters_are_left_to_the_fields_that_read_them():
    """The parser refuses only what no text column can hold; a property nobody reads may hold \\u0001."""
    assert json_loads_bounded(b'{"\\u0001key": "a\\u009bb"}', max_bytes=1000) == {"\x01key": "a\x9bb"}


def test_json_error_names_the_field():
    with pytest.raises(InvalidCharacters) as exc:
        json_loads_bounded(b'{"shipping_address": {"city": "a\\u0000"}}', max_bytes=1000)
    assert list(exc.value.details) == ["shipping_address.city"]


def test_json_within_bounds_is_parsed():
    assert json_loads_bounded(b'{"sku": "TEE-M", "quantity": 2, "note": "line\\nbreak"}', max_bytes=1000) == {
        "sku": "TEE-M",
        "quantity": 2,
        "note": "line\nbreak",
    }
