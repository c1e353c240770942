"""The filter form's vocabulary: every filterable attribute and its values (slug, name), cached.

The facet service decides which of them a listing shows, and with which counts; the form uses
this list only to read the query string.
"""

from dataclasses import dataclass

from commerce.catalog.cache import cached_for_version
from commerce.catalog.models import Attribute, AttributeValue


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
