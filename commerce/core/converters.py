"""Path converters for ids: `<id:pk>` matches ASCII digits only and only values the id column can
hold, so `/cart/items/99999999999999999999/` is a 404 like any unknown id instead of an overflow.

Django's own `int` converter already refuses non-ASCII digits but has no upper bound; overriding the
built-in name is deprecated (Django 5.1), hence a name of our own, registered in config/urls.py.
"""

from .validation import INT64_MAX


class BigIdConverter:
    """A bigint primary key (the shop's DEFAULT_AUTO_FIELD): 1..2**63-1."""

    regex = "[0-9]{1,19}"
    max_value = INT64_MAX

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= self.max_value:
            raise ValueError("id out of range")  # the pattern does not match: 404
        return number

    def to_url(self, value) -> str:
        return str(int(value))
