"""Reads the rendered shop needs on top of selectors.py: facet labels, the variant picker and previews.

The list and detail queries themselves are selectors.py's (shared with the API); this module only
shapes what a server-rendered page shows that JSON does not need, e.g. attribute and value *names* for
the filter form.
"""

from dataclasses import dataclass
from decimal import Decimal

from commerce.catalog.cache import cached_for_version
from commerce.catalog.models import Attribute, AttributeValue, ProductVariant


@dataclass(frozen=True)
class Facet:
    """A filterable choice attribute as the filter form shows it: its values as (slug, name) pairs."""

    slug: str
    name: str
    values: tuple[tuple[str, str], ...]


def _build_facets() -> list[Facet]:
    values: dict[int, list[tuple[str, str]]] = {}
    attributes = list(
        Attribute.objects.filter(
            filterable=True, type__in=[Attribute.Type.CHOICE, Attribute.Type.MULTI_CHOICE]
        ).order_by("sort_order", "name")
    )
    for value in AttributeValue.objects.filter(attribute__in=attributes).order_by("sort_order", "id"):
        values.setdefault(value.attribute_id, []).append((value.slug, value.name))
    return [Facet(slug=a.slug, name=a.name, values=tuple(values[a.pk])) for a in attributes if a.pk in values]


def facets_list() -> list[Facet]:
    """Every filterable attribute with values; cached per catalogue version like the filter index."""
    return cached_for_version("site-facets", _build_facets)


@dataclass(frozen=True)
class VariantOption:
    """One row of the variant picker."""

    sku: str
    label: str
    price: Decimal
    available: int


def variant_options(*, variants: list[ProductVariant], base_price: Decimal) -> list[VariantOption]:
    """The picker rows, from variants whose attribute values are already prefetched (no queries)."""
    options = []
    for variant in variants:
        values = sorted(variant.attribute_values.all(), key=lambda v: (v.attribute.sort_order, v.attribute_id))
        options.append(
            VariantOption(
                sku=variant.sku,
                label=" / ".join(v.name for v in values) or "Standard",
                price=variant.price if variant.price is not None else base_price,
                available=variant.stock_available,
            )
        )
    return options
