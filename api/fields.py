"""Request text is text: a JSON number sent for a string field is refused, as the schema says.

DRF's CharField turns `0` and `1.5` into "0" and "1.5", so a body the schema calls invalid (`"title": 0`)
would be accepted. Every string field of the API (CharField and its subclasses: email, slug, regex,
URL, phone number, and the fields ModelSerializer derives from model text columns) goes through
`CharField.to_internal_value`, so the rule is installed there once, at start-up, instead of in ~100
field declarations. Query strings and form fields are always text and are unaffected.
"""

from rest_framework import serializers

_drf_char_to_internal_value = serializers.CharField.to_internal_value


def _text_only_to_internal_value(self, data):
    if not isinstance(data, str):
        self.fail("invalid")
    return _drf_char_to_internal_value(self, data)


def install_text_only_char_fields() -> None:
    if serializers.CharField.to_internal_value is not _text_only_to_internal_value:
        serializers.CharField.to_internal_value = _text_only_to_internal_value
