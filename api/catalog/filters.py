"""Query parameters of GET /api/v1/products/: parsed, validated and normalised in one place.

Slugs become ids through the cached category and filter indexes, so validation costs no query once
they are warm. Anything that cannot be honoured is a 400 `invalid_filter` naming every bad parameter:
an unknown category, product type or attribute value, a non-numeric or negative price, an `in_stock`
that is not true/false, an unknown ordering or a page that is not a positive number. Parameters that
are neither a documented filter nor a filterable attribute slug are ignored (tracking parameters,
cache busters), and are left out of the cache key and of the next/previous links.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.http import QueryDict

from commerce.catalog.selectors import (
    DEFAULT_PRODUCT_ORDERING,
    DEFAULT_SEARCH_ORDERING,
    PRODUCT_ORDERINGS,
    ProductFilters,
    category_index_get,
    filter_index_get,
)
from commerce.core.errors import ApplicationError
from commerce.core.money import quantize_money
from commerce.core.validation import MAX_PAGE, parse_int_or_none

RESERVED_PARAMS = frozenset(
    {"category", "product_type", "price_min", "price_max", "in_stock", "q", "ordering", "page", "page_size", "facets"}
)
MAX_PRICE = Decimal("9999999999.99")  # what DecimalField(max_digits=12, decimal_places=2) holds
MAX_SEARCH_LENGTH = 100
_TRUE = {"true", "1"}
_FALSE = {"false", "0"}


class InvalidFilter(ApplicationError):
    code = "invalid_filter"
    http_status = 400


@dataclass(frozen=True)
class ProductListQuery:
    filters: ProductFilters
    ordering: str
    page: int
    facets: bool  # add the facets of the whole result set (commerce/catalog/facets.py) to the answer
    # the honoured parameters in a fixed order, without `page`: the cache key and the links' base
    canonical: tuple[tuple[str, str], ...]


def _parse_price(raw: str, name: str, errors: dict) -> Decimal | None:
    try:
        value = Decimal(raw.strip())
    except InvalidOperation:
        errors[name] = [f"'{raw}' is not a number."]
        return None
    if not value.is_finite() or value < 0 or value > MAX_PRICE:
        errors[name] = [f"Must be a number between 0 and {MAX_PRICE}."]
        return None
    return quantize_money(value)


def product_list_query_parse(params: QueryDict) -> ProductListQuery:
    errors: dict[str, list[str]] = {}
    canonical: list[tuple[str, str]] = []

    category_ids = None
    # an empty filter (`?category=`, as a form with an unselected <select> sends) is no filter
    if params.get("category", "").strip():
        slug = params.get("category", "").strip()
        index = category_index_get()
        category_id = index.active_id_for_slug(slug)
        if category_id is None:
            errors["category"] = [f"Unknown category '{slug}'."]
        else:
            category_ids = index.descendant_ids(category_id)
            canonical.append(("category", slug))

    product_type_id = None
    if params.get("product_type", "").strip():
        slug = params.get("product_type", "").strip()
        product_type_id = filter_index_get().product_type_id_by_slug.get(slug)
        if product_type_id is None:
            errors["product_type"] = [f"Unknown product type '{slug}'."]
        else:
            canonical.append(("product_type", slug))

    prices = {}
    for name in ("price_min", "price_max"):
        if params.get(name, "").strip():
            prices[name] = _parse_price(params.get(name, ""), name, errors)
            if prices[name] is not None:
                canonical.append((name, str(prices[name])))
    low, high = prices.get("price_min"), prices.get("price_max")
    if low is not None and high is not None and low > high:
        errors["price_max"] = ["Must not be lower than price_min."]

    in_stock = None
    if "in_stock" in params:
        raw = params.get("in_stock", "").strip().lower()
        if raw in _TRUE:
            in_stock = True
        elif raw in _FALSE:
            in_stock = False
        else:
            errors["in_stock"] = ["Must be 'true' or 'false'."]
        if in_stock is not None:
            canonical.append(("in_stock", "true" if in_stock else "false"))

    search = params.get("q", "").strip()
    if len(search) > MAX_SEARCH_LENGTH:
        errors["q"] = [f"At most {MAX_SEARCH_LENGTH} characters."]
    elif "\x00" in search:  # PostgreSQL refuses NUL in a query parameter
        errors["q"] = ["Must not contain NUL characters."]
    elif search:
        canonical.append(("q", search))

    # a search lists the best matches first unless an ordering is asked for
    ordering = params.get("ordering", "").strip() or (DEFAULT_SEARCH_ORDERING if search else DEFAULT_PRODUCT_ORDERING)
    if ordering not in PRODUCT_ORDERINGS:
        errors["ordering"] = [f"Must be one of: {', '.join(PRODUCT_ORDERINGS)}."]
    elif "ordering" in params:
        canonical.append(("ordering", ordering))

    facets = False
    if "facets" in params:
        raw = params.get("facets", "").strip().lower()
        if raw in _TRUE | _FALSE:
            facets = raw in _TRUE
            if facets:
                canonical.append(("facets", "true"))
        else:
            errors["facets"] = ["Must be 'true' or 'false'."]

    page = 1
    if "page" in params:
        parsed = parse_int_or_none(params.get("page", ""), min_value=1, max_value=MAX_PAGE)
        if parsed is not None:
            page = parsed
        else:
            errors["page"] = [f"Must be a whole number from 1 to {MAX_PAGE}."]

    attribute_value_ids = []
    attribute_params = sorted(key for key in params if key not in RESERVED_PARAMS)
    if attribute_params:
        values_by_attribute = filter_index_get().value_ids_by_attribute
        for attribute_slug in attribute_params:
            known = values_by_attribute.get(attribute_slug)
            if known is None:
                continue  # not a filter: ignored, see the module docstring
            wanted = sorted(
                {v.strip() for raw in params.getlist(attribute_slug) for v in raw.split(",") if v.strip()}
            )
            unknown = [v for v in wanted if v not in known]
            if unknown or not wanted:
                errors[attribute_slug] = [
                    f"Unknown value(s) {', '.join(unknown)}; expected: {', '.join(sorted(known))}."
                    if unknown
                    else "Give at least one value."
                ]
                continue
            attribute_value_ids.append(tuple(known[v] for v in wanted))
            canonical.append((attribute_slug, ",".join(wanted)))

    if errors:
        raise InvalidFilter("Some filters are not valid.", details=errors)

    return ProductListQuery(
        filters=ProductFilters(
            category_ids=category_ids,
            product_type_id=product_type_id,
            price_min=prices.get("price_min"),
            price_max=prices.get("price_max"),
            in_stock=in_stock,
            search=search,
            attribute_value_ids=tuple(attribute_value_ids),
        ),
        ordering=ordering,
        page=page,
        facets=facets,
        canonical=tuple(canonical),
    )
