"""Serializer fields for request bodies, built on commerce.core.validation."""

from rest_framework import serializers

from commerce.core.validation import INT64_MAX, InvalidInput, parse_int


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
