"""Input that can never reach the database wrong: the one place both delivery layers validate with.

Three kinds of input have crashed PostgreSQL or the parser rather than being refused:

- integers: Python's `int()` and `str.isdigit()` accept Unicode digits ("²" passes `isdigit()` and
  then fails `int()`; "١٢" silently becomes 12), and have no upper bound, while the columns are
  32-bit (`integer`, Wagtail's ids, quantities) or 64-bit (`bigint`, the shop's ids). `parse_int`
  takes ASCII digits only and checks the range of the column the value is meant for.
- text: PostgreSQL refuses NUL in text, and psycopg cannot encode a lone surrogate ("\\ud800" in
  JSON). `find_forbidden_char` / `clean_text` refuse C0 and C1 control characters (tab, newline and
  carriage return are allowed where multi-line text is) and surrogates.
- JSON: the standard parser recurses once per nesting level and reads whatever size it is given.
  `json_loads_bounded` refuses a body over the size limit or deeper than `MAX_JSON_DEPTH` before
  `json.loads` sees it, then refuses NUL and lone surrogates in every key and string (the API's
  text fields refuse the other control characters).

The API (the JSON parser, pagination, filters, views) and the site (middleware, forms, views) call
these functions; `commerce.core.middleware.InputGuardMiddleware` applies the text rule to every path
and query string before any view runs.
"""

from __future__ import annotations

import json
import re
from typing import Any

from commerce.core.errors import ApplicationError

INT32_MAX = 2**31 - 1  # PostgreSQL `integer`: AutoField, PositiveIntegerField, Wagtail's ids
INT64_MAX = 2**63 - 1  # PostgreSQL `bigint`: BigAutoField (the shop's DEFAULT_AUTO_FIELD)
# A page number has no column, but page * page_size becomes an SQL OFFSET (a bigint): any page past
# this bound is refused as invalid rather than computed.
MAX_PAGE = INT32_MAX
MAX_JSON_DEPTH = 32  # the deepest request body the API documents is 3 levels deep

# Query parameters that are integers wherever they appear (the shop's lists and the site's listings,
# Wagtail's API v2 and admin listings), with the largest value each may take. InputGuardMiddleware
# refuses a value written with non-ASCII digits ("١٢" is not silently 12) or beyond the bound (no
# OFFSET overflow in the list SQL); any other non-number is left to the view, which already answers
# it its own way (a 400 `invalid_filter` on the API, the first page on the site).
INTEGER_QUERY_PARAMS: dict[str, int] = {
    "page": MAX_PAGE,
    "p": MAX_PAGE,  # Wagtail admin listings
    "page_size": INT32_MAX,
    "offset": INT32_MAX,  # Wagtail API v2
    "limit": INT32_MAX,
    "id": INT64_MAX,
    "child_of": INT32_MAX,  # Wagtail page ids are `integer`
    "descendant_of": INT32_MAX,
    "ancestor_of": INT32_MAX,
    "translation_of": INT32_MAX,
    "parent_page_id": INT32_MAX,
    "product_type": INT64_MAX,  # the admin's product form (the API's product_type is a slug: not digits)
}

_ASCII_INT = re.compile(r"-?[0-9]{1,20}", re.ASCII)
# C0 controls except tab, newline and carriage return; DEL and C1 controls; UTF-16 surrogates
_FORBIDDEN_MULTILINE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# the same plus tab, newline and carriage return: names, slugs, ids, path segments
_FORBIDDEN_SINGLE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
# a JSON string literal, unrolled so a long string costs no backtracking
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_JSON_BRACKET = re.compile(r"[\[\]{}]")


class InvalidInput(ApplicationError):
    http_status = 400
    code = "invalid"


class InvalidCharacters(ApplicationError):
    http_status = 400
    code = "invalid_characters"


class RequestTooLarge(ApplicationError):
    http_status = 413
    code = "request_too_large"


class JSONTooDeep(ApplicationError):
    http_status = 400
    code = "json_too_deep"


class MalformedJSON(ApplicationError):
    http_status = 400
    code = "parse_error"


def parse_int(raw: Any, *, field: str = "value", min_value: int = 0, max_value: int = INT64_MAX) -> int:
    """An integer from ASCII digits (an optional leading minus, surrounding spaces ignored) within
    [min_value, max_value]; anything else raises InvalidInput naming `field`.

    Booleans and floats are refused even though Python treats them as numbers: `true` is not an id.
    """
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        raise _invalid_int(field, min_value, max_value)
    if isinstance(raw, str):
        text = raw.strip(" ")
        if not _ASCII_INT.fullmatch(text):
            raise _invalid_int(field, min_value, max_value)
        value = int(text)
    else:
        value = raw
    if not min_value <= value <= max_value:
        raise _invalid_int(field, min_value, max_value)
    return value


def integer_query_problem(raw: str, max_value: int) -> str | None:
    """Why a query value meant as an integer cannot be used, or None. Only numbers are judged: a
    value of Unicode digits that are not ASCII, or an ASCII number past max_value."""
    text = raw.strip()
    if not text or not text.isdecimal():
        return None  # empty or not a number at all: the view's own rule applies
    if not text.isascii():
        return "Must be written with the digits 0-9."
    if len(text) > 20 or int(text) > max_value:
        return f"Must be at most {max_value}."
    return None


_SLUG = re.compile(r"[-a-zA-Z0-9_]+", re.ASCII)


def parse_id_or_slug(raw: Any, *, field: str = "value") -> int | str:
    """A reference that is either a bigint id (ASCII digits) or an ASCII slug (Django's SlugField);
    anything else, including "²" and "١٢", raises InvalidInput."""
    text = raw.strip() if isinstance(raw, str) else raw
    if isinstance(text, str) and text.isdigit():
        # ASCII digits within the id range are an id; "0" or 25 digits are a (digits-only) slug,
        # which is then simply not found rather than refused
        number = parse_int_or_none(text, min_value=1)
        if number is not None:
            return number
    if isinstance(text, str) and _SLUG.fullmatch(text):
        return text
    raise InvalidInput(
        f"'{field}' is neither an id nor a slug.",
        details={field: ["Give the id (digits 0-9) or the slug (letters a-z, digits, hyphens, underscores)."]},
    )


def parse_int_or_none(raw: Any, *, min_value: int = 0, max_value: int = INT64_MAX) -> int | None:
    """parse_int for callers that treat a bad value as "no such row" (a 404), not as a 400."""
    try:
        return parse_int(raw, min_value=min_value, max_value=max_value)
    except InvalidInput:
        return None


def _invalid_int(field: str, min_value: int, max_value: int) -> InvalidInput:
    message = f"Must be a whole number from {min_value} to {max_value}, written with the digits 0-9."
    return InvalidInput(f"'{field}' is not a valid number.", details={field: [message]})


def find_forbidden_char(text: str, *, multiline: bool = True) -> int | None:
    """The index of the first character text may not contain, or None when it is clean."""
    match = (_FORBIDDEN_MULTILINE if multiline else _FORBIDDEN_SINGLE_LINE).search(text)
    return match.start() if match else None


def forbidden_char_message(text: str, index: int) -> str:
    return f"Contains a control character (U+{ord(text[index]):04X}) at position {index}."


def clean_text(raw: Any, *, field: str = "value", multiline: bool = True, max_length: int | None = None) -> str:
    """`raw` as text, refused (InvalidCharacters) when it holds a control character or a surrogate,
    or (InvalidInput) when it is longer than max_length."""
    text = "" if raw is None else str(raw)
    index = find_forbidden_char(text, multiline=multiline)
    if index is not None:
        raise InvalidCharacters(
            f"'{field}' contains a character that is not allowed.",
            details={field: [forbidden_char_message(text, index)]},
        )
    if max_length is not None and len(text) > max_length:
        raise InvalidInput(f"'{field}' is too long.", details={field: [f"At most {max_length} characters."]})
    return text


def json_depth_exceeds(text: str, max_depth: int) -> bool:
    """True when the JSON text nests arrays/objects deeper than max_depth (brackets inside strings
    do not count). Linear in the size, and stops at the first level too deep."""
    depth = 0
    for match in _JSON_BRACKET.finditer(_JSON_STRING.sub("", text)):
        if match.group() in "[{":
            depth += 1
            if depth > max_depth:
                return True
        else:
            depth -= 1
    return False


def json_loads_bounded(
    raw: bytes | str, *, max_bytes: int, max_depth: int = MAX_JSON_DEPTH
) -> Any:
    """Parse a JSON document only after bounding it: size (RequestTooLarge, 413), nesting depth
    (JSONTooDeep, 400), syntax and NaN/Infinity (MalformedJSON, 400), and control characters or
    lone surrogates in any key or string (InvalidCharacters, 400)."""
    if len(raw) > max_bytes:
        raise RequestTooLarge(f"The request body is larger than {max_bytes} bytes.", details={"max_bytes": max_bytes})
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError as exc:
        raise MalformedJSON("The request body is not valid UTF-8.", details={"position": exc.start})
    if json_depth_exceeds(text, max_depth):
        raise JSONTooDeep(f"The JSON body is nested deeper than {max_depth} levels.", details={"max_depth": max_depth})
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as exc:  # RecursionError: belt and braces behind the depth scan
        raise MalformedJSON(f"The JSON body is not valid: {exc}")
    _check_json_text(data, path="")
    return data


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def _check_json_text(value: Any, *, path: str) -> None:
    """Every key and string of a parsed document holds no character that no text column can store
    (NUL, a lone surrogate), whether or not a serializer reads it: a related-field lookup would hand
    it to the database before any field rule. `path` names the place like the serializers do
    ("address.city", "lines[2].sku"). Other control characters are refused by the fields that read
    them (the API's CharField), so a property the operation ignores may hold them."""
    if isinstance(value, str):
        _refuse_unstorable(value, field=path or "body")
    elif isinstance(value, dict):
        for key, item in value.items():
            _refuse_unstorable(key, field=path or "body")
            _check_json_text(item, path=f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_json_text(item, path=f"{path or 'body'}[{index}]")


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _refuse_unstorable(text: str, *, field: str) -> None:
    match = _UNSTORABLE.search(text)
    if match:
        raise InvalidCharacters(
            f"'{field}' contains a character that is not allowed.",
            details={field: [forbidden_char_message(text, match.start())]},
        )
