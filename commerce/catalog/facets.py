"""Facets of a product list: what a filter sidebar shows beside the results, with counts.

For a list query (selectors.ProductFilters) `product_facets` gives every filterable attribute present
in the results with each value's count, the price range, the in-stock count and the total. Counts are
disjunctive, as shoppers expect from Shopify or Saleor: a value's count is the number of products the
list would show with that value as its attribute's only choice and every *other* active filter kept.
So ticking `size=m` leaves the other sizes' counts unchanged (they answer "what if I chose that
instead"), while it narrows the colours' counts. Attribute, stock and price filters match per variant
(selectors.product_matches_q), and the counts follow the same rule: `color=black` counts a product
under `size=s` only if one of its variants is S and black.

The figures come from the in-memory list engine (list_index.py: no query when warm). The SQL below
is the reference it is tested against and the path for filters it does not index: two queries whatever
the filters, one UNION ALL of grouped counts (one pair of parts per group of attributes that shares a
filter set) and one aggregate for total, in-stock count and price range. The names and order of
attributes and values come from a per-version cached index (no query when warm).
"""

from collections import defaultdict
from dataclasses import dataclass, replace
from decimal import Decimal

from django.db.models import Count, Exists, Max, Min, OuterRef, Subquery
from django.db.models.functions import Coalesce

from .cache import cached_for_version
from .list_index import list_index_for
from .models import (
    MONEY_OUTPUT,
    AttributeValue,
    Product,
    ProductAttributeValue,
    ProductVariant,
    effective_price_expression,
)
from .selectors import ProductFilters, product_level_q, product_matches_q, search_resolved, variant_matches_q


@dataclass(frozen=True)
class FacetValue:
    slug: str
    name: str
    count: int  # products matching the other filters with this value chosen
    selected: bool  # chosen in the current filters


@dataclass(frozen=True)
class AttributeFacet:
    slug: str
    name: str
    values: list[FacetValue]


@dataclass(frozen=True)
class ProductFacets:
    attributes: list[AttributeFacet]
    # cheapest and dearest selling price of a matching variant, with the price filters left out
    # (what a price slider spans); None when nothing matches
    price_min: Decimal | None
    price_max: Decimal | None
    in_stock_count: int  # products matching the other filters that are in stock (`in_stock=true`)
    total: int  # products matching every filter (the list's count)


@dataclass(frozen=True)
class _FacetIndex:
    # filterable attributes in display order: (id, slug, name), and their values in display order
    attributes: tuple[tuple[int, str, str], ...]
    values: dict[int, tuple[tuple[int, str, str], ...]]  # attribute id -> ((value id, slug, name), ...)
    attribute_of_value: dict[int, int]


def _build_facet_index() -> _FacetIndex:
    rows = (
        AttributeValue.objects.filter(attribute__filterable=True)
        .order_by("attribute__sort_order", "attribute__name", "attribute_id", "sort_order", "id")
        .values_list("attribute_id", "attribute__slug", "attribute__name", "id", "slug", "name")
    )
    attributes: dict[int, tuple[int, str, str]] = {}
    values: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    for attribute_id, attribute_slug, attribute_name, value_id, slug, name in rows:
        attributes.setdefault(attribute_id, (attribute_id, attribute_slug, attribute_name))
        values[attribute_id].append((value_id, slug, name))
    return _FacetIndex(
        attributes=tuple(attributes.values()),
        values={a: tuple(v) for a, v in values.items()},
        attribute_of_value={value_id: a for a, vs in values.items() for value_id, _, _ in vs},
    )


def _facet_index() -> _FacetIndex:
    return cached_for_version("facet-index", _build_facet_index)


def _value_counts_parts(filters: ProductFilters, attribute_ids: list[int]) -> list:
    """(value id, product count) for the values of `attribute_ids`, each product counted once per value.

    A product counts for a value it has itself when it matches `filters`; for a value one of its
    variants has when that variant satisfies the variant-level filters and the product the rest.
    The second part skips values the product also has itself, so that the two parts can be summed.
    """
    # .order_by(): an IN-subquery needs no order, and the models' default orderings made PostgreSQL
    # sort every matching variant before the semi-join
    matching = Product.objects.filter(product_matches_q(filters)).order_by().values("id")
    own = (
        ProductAttributeValue.objects.filter(
            product_id__in=Subquery(matching), attribute_id__in=attribute_ids, value_id__isnull=False
        )
        .order_by()
        .values("value_id")
        .annotate(n=Count("product_id", distinct=True))
        .values_list("value_id", "n")
    )
    variants = ProductVariant.objects.filter(
        variant_matches_q(filters),
        product_id__in=Subquery(Product.objects.filter(product_level_q(filters)).order_by().values("id")),
    ).order_by().values("id")
    through = ProductVariant.attribute_values.through
    also_own = ProductAttributeValue.objects.filter(
        product_id=OuterRef("productvariant__product_id"), value_id=OuterRef("attributevalue_id")
    )
    by_variant = (
        through.objects.filter(
            productvariant_id__in=Subquery(variants), attributevalue__attribute_id__in=attribute_ids
        )
        .exclude(Exists(also_own))
        .order_by()
        .values("attributevalue_id")
        .annotate(n=Count("productvariant__product_id", distinct=True))
        .values_list("attributevalue_id", "n")
    )
    return [own, by_variant]


def _matching_price_expression(filters: ProductFilters, aggregate):
    """The cheapest (Min) or dearest (Max) selling price among a product's variants that satisfy the
    variant-level filters; its base price when it has no active variant."""
    variants = (
        ProductVariant.objects.of_outer_product()
        .filter(variant_matches_q(filters, base_price=OuterRef("base_price")))
        .order_by()
        .values("product")
        .annotate(value=aggregate(effective_price_expression(OuterRef("base_price"))))
        .values("value")[:1]
    )
    return Coalesce(Subquery(variants, output_field=MONEY_OUTPUT), "base_price", output_field=MONEY_OUTPUT)


def _chosen_values(filters: ProductFilters, index: _FacetIndex) -> dict[int, tuple[int, ...]]:
    """attribute id -> the value ids chosen for it (an entry of filters.attribute_value_ids whose
    values all belong to that one attribute)."""
    chosen: dict[int, tuple[int, ...]] = {}
    for value_ids in filters.attribute_value_ids:
        attribute_ids = {index.attribute_of_value.get(v) for v in value_ids}
        if len(attribute_ids) == 1 and None not in attribute_ids:
            chosen[attribute_ids.pop()] = tuple(value_ids)
    return chosen


def _others(filters: ProductFilters, value_ids: tuple[int, ...]) -> tuple:
    """The attribute filters but the one choosing `value_ids` (what that attribute's counts keep)."""
    return tuple(v for v in filters.attribute_value_ids if tuple(v) != value_ids)


def product_facets(*, filters: ProductFilters) -> ProductFacets:
    """The facets of the list `filters` selects (see the module docstring). From the in-memory list
    engine when it can answer (list_index.py: no query); otherwise two queries. Either way the search
    backend's query too, unless `filters.search_ids` is resolved already."""
    filters = search_resolved(filters)
    index = _facet_index()
    chosen = _chosen_values(filters, index)
    engine = list_index_for(filters)
    if engine is not None:
        counts, total, in_stock_count, price_min, price_max = engine.facet_figures(
            filters,
            groups_without={a: _others(filters, value_ids) for a, value_ids in chosen.items()},
            value_ids_by_attribute={a: tuple(v for v, _, _ in index.values.get(a, ())) for a, _, _ in index.attributes},
        )
    else:
        counts, total, in_stock_count, price_min, price_max = _facet_figures_sql(filters, index, chosen)

    attributes = []
    for attribute_id, slug, name in index.attributes:
        selected = set(chosen.get(attribute_id, ()))
        values = [
            FacetValue(slug=v_slug, name=v_name, count=counts.get(value_id, 0), selected=value_id in selected)
            for value_id, v_slug, v_name in index.values.get(attribute_id, ())
            if counts.get(value_id) or value_id in selected
        ]
        if values:
            attributes.append(AttributeFacet(slug=slug, name=name, values=values))
    return ProductFacets(
        attributes=attributes, price_min=price_min, price_max=price_max, in_stock_count=in_stock_count, total=total
    )


def _facet_figures_sql(filters: ProductFilters, index: _FacetIndex, chosen: dict[int, tuple[int, ...]]):
    """(value counts, total, in-stock count, price min, price max) in two queries: the reference the
    list engine is tested against, and the path for filters it does not index."""
    all_ids = [a for a, _, _ in index.attributes]
    parts = []
    unfiltered = [a for a in all_ids if a not in chosen]
    if unfiltered:
        parts += _value_counts_parts(filters, unfiltered)
    for attribute_id, value_ids in chosen.items():
        parts += _value_counts_parts(replace(filters, attribute_value_ids=_others(filters, value_ids)), [attribute_id])
    counts: dict[int, int] = defaultdict(int)
    if parts:
        for value_id, n in parts[0].union(*parts[1:], all=True):
            counts[value_id] += n

    unpriced = replace(filters, price_min=None, price_max=None)
    totals = Product.objects.aggregate(
        total=Count("id", filter=product_matches_q(filters)),
        in_stock_count=Count("id", filter=product_matches_q(replace(filters, in_stock=True))),
        price_min=Min(_matching_price_expression(unpriced, Min), filter=product_matches_q(unpriced)),
        price_max=Max(_matching_price_expression(unpriced, Max), filter=product_matches_q(unpriced)),
    )
    return counts, totals["total"], totals["in_stock_count"], totals["price_min"], totals["price_max"]
