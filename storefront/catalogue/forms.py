"""The shop listing's filter form: validates the query string and turns it into selectors.ProductFilters.

Bad values (a price that is not a number, an unknown colour) never break the page: the form reports
them and the listing simply ignores that filter.
"""

from decimal import Decimal

from django import forms

from commerce.catalog.selectors import DEFAULT_PRODUCT_ORDERING, PRODUCT_ORDERINGS, ProductFilters, filter_index_get
from commerce.core.money import format_money

from .page_data import Facet

SORT_LABELS = {"name": "Name", "price": "Price: low to high", "-price": "Price: high to low", "-created": "Newest"}


class ShopFilterForm(forms.Form):
    q = forms.CharField(label="Search within results", required=False, max_length=100)
    price_min = forms.DecimalField(label="Min price", required=False, min_value=Decimal("0"), decimal_places=2)
    price_max = forms.DecimalField(label="Max price", required=False, min_value=Decimal("0"), decimal_places=2)
    in_stock = forms.BooleanField(label="In stock only", required=False)
    sort = forms.ChoiceField(
        label="Sort by",
        required=False,
        choices=[(key, SORT_LABELS.get(key, key)) for key in PRODUCT_ORDERINGS],
    )

    def __init__(self, *args, facets: list[Facet], **kwargs):
        super().__init__(*args, **kwargs)
        self.facets = facets
        for facet in facets:
            self.fields[facet.slug] = forms.MultipleChoiceField(
                label=facet.name, required=False, choices=facet.values, widget=forms.CheckboxSelectMultiple
            )

    def facet_fields(self):
        return [self[facet.slug] for facet in self.facets]

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("price_min"), cleaned.get("price_max")
        if low is not None and high is not None and low > high:
            self.add_error("price_max", "The maximum price is below the minimum.")
        return cleaned

    def _value(self, name):
        """A field's clean value, or None when it was invalid (an invalid filter is ignored)."""
        return self.cleaned_data.get(name) if name not in self.errors else None

    def clean_value(self, name):
        self.is_valid()
        return self._value(name)

    @staticmethod
    def money(amount) -> str:
        return format_money(amount)

    def sort_key(self) -> str:
        return self._value("sort") or DEFAULT_PRODUCT_ORDERING

    def to_filters(self, *, category_ids: list[int] | None) -> ProductFilters:
        self.is_valid()  # fills cleaned_data and errors; valid fields are used either way
        index = filter_index_get()
        attribute_value_ids = []
        for facet in self.facets:
            slugs = self._value(facet.slug) or []
            ids = [index.value_ids_by_attribute.get(facet.slug, {}).get(s) for s in slugs]
            if ids := [i for i in ids if i is not None]:
                attribute_value_ids.append(ids)
        return ProductFilters(
            category_ids=category_ids,
            price_min=self._value("price_min"),
            price_max=self._value("price_max"),
            in_stock=True if self._value("in_stock") else None,
            search=(self._value("q") or "").strip(),
            attribute_value_ids=tuple(attribute_value_ids),
        )
