"""Serializer fields for request bodies, built on commerce.core.validation.

Text-only strings: request text is text; a JSON number sent for a string field is refused, as the schema says,
and so is a control character (the pattern the schema puts on every request string).

DRF's CharField turns `0` and `1.5` into "0" and "1.5", so a body the schema calls invalid (`"title": 0`)
would be accepted. Every string field of the API (CharField and its subclasses: email, slug, regex,
URL, phone number, and the fields ModelSerializer derives from model text columns) goes through
`CharField.to_internal_value`, so the rule is installed there once, at start-up, instead of in ~100
field declarations. Query strings and form fields are always text and are unaffected.
"""

from rest_framework import serializers

from commerce.core.validation import INT64_MAX, InvalidInput, clean_text, parse_int


class StrictIntegerField(serializers.IntegerField):
    """An integer from a JSON number or a string of ASCII digits, bounded by its column.

    DRF's IntegerField reads "١٢" as 12 (Python's int() takes any Unicode digit), 1.0 as 1, and has no
    upper bound unless given one, so 2**64 reached PostgreSQL. This one defaults to the bigint range
    and takes only a JSON integer or ASCII digits.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("max_value", INT64_MAX)
        kwargs.setdefault("min_value", -INT64_MAX - 1)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str) and len(data) > self.MAX_STRING_LENGTH:
            self.fail("max_string_length")
        try:
            return parse_int(data, min_value=self.min_value, max_value=self.max_value)
        except InvalidInput:
            if isinstance(data, int) and not isinstance(data, bool):
                self.fail("max_value" if data > self.max_value else "min_value",
                          max_value=self.max_value, min_value=self.min_value)
            self.fail("invalid")


_drf_char_to_internal_value = serializers.CharField.to_internal_value


def _text_only_to_internal_value(self, data):
    if not isinstance(data, str):
        self.fail("invalid")
    # control characters and lone surrogates are refused in every text field (400 invalid_characters,
    # naming the field), as the schema's pattern on each string says; tab and newlines are text
    clean_text(data, field=self.field_name or "value")
    return _drf_char_to_internal_value(self, data)


def install_text_only_char_fields() -> None:
    if serializers.CharField.to_internal_value is not _text_only_to_internal_value:
        serializers.CharField.to_internal_value = _text_only_to_internal_value
