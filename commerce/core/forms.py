"""Form fields for the site and the admin, built on commerce.core.validation."""

from django import forms

from .validation import INT64_MAX, InvalidInput, parse_int


class StrictIntegerField(forms.IntegerField):
    """Django's IntegerField, but only ASCII digits: its int() reads "١٢" as 12. Bounded by the
    bigint range unless given narrower bounds."""

    def __init__(self, *, max_value=INT64_MAX, min_value=-INT64_MAX - 1, **kwargs):
        super().__init__(max_value=max_value, min_value=min_value, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return parse_int(value if isinstance(value, int) else str(value), min_value=-(2**64), max_value=2**64)
        except InvalidInput:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
