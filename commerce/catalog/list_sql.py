"""The product list page as one parameterised PostgreSQL statement, assembled without the ORM per request.

Why: building, resolving and compiling the annotated ORM queryset of `selectors.product_list_rows` cost
~2 ms of Python per request, about ten times what PostgreSQL spends running the SQL. This module
assembles the same statement from fixed strings and runs it with a plain cursor.

It holds no second definition of price or stock: the card columns (price range, in-stock flag, first
image) and the variant price and stock conditions are compiled once per process from the model
definitions (models.ProductQuerySet.cards, effective_price_expression, VARIANT_IN_STOCK); only the
shape of the WHERE clause mirrors `selectors.product_matches_q`. `test_product_list_sql_matches_orm`
(commerce/catalog/tests/test_list_sql.py) runs both over the same catalogue for every filter and
ordering and requires identical rows. SQLite keeps the ORM path, so this is used only when
`connection.vendor == "postgresql"`. Product and variant tables go by their own names (no aliases),
as the compiled fragments name them.

Every value travels as a query parameter; only fixed fragments go into the SQL text.
"""

import functools

from django.db import connection

from .models import VARIANT_IN_STOCK, Product, ProductVariant, effective_price_expression

# what `selectors.PRODUCT_ORDERINGS` means, in SQL over the page's columns (`price_min` is the
# card expression); `id` last so that pages never overlap when the first key ties
ORDER_BY_SQL = {
    "relevance": "search_rank ASC, catalog_product.id ASC",
    "name": "catalog_product.name ASC, catalog_product.id ASC",
    "price": "price_min ASC, catalog_product.id ASC",
    "-price": "price_min DESC, catalog_product.id DESC",
    "-created": "catalog_product.created_at DESC, catalog_product.id DESC",
}

_ACTIVE_VARIANTS = (
    "FROM catalog_productvariant WHERE catalog_productvariant.product_id = catalog_product.id "
    "AND catalog_productvariant.is_active"
)
_PRODUCT_HAS_VALUES_SQL = (
    "EXISTS(SELECT 1 FROM catalog_productattributevalue pav "
    "WHERE pav.product_id = catalog_product.id AND pav.value_id = ANY(%s))"
)
_VARIANT_HAS_VALUES_SQL = (
    "EXISTS(SELECT 1 FROM catalog_productvariant_attribute_values va "
    "WHERE va.productvariant_id = catalog_productvariant.id AND va.attributevalue_id = ANY(%s))"
)


def _fixed_text(sql: str, params) -> str:
    """Compiled SQL with its parameters written in; only the integer constants Django adds
    (`EXISTS(SELECT 1 ...)`) are accepted, so no outside value can reach the text."""
    assert all(type(p) is int or (isinstance(p, int) and not isinstance(p, bool)) for p in params), params
    return sql % tuple(str(int(p)) for p in params) if params else sql


@functools.cache
def definitions_sql() -> dict[str, str]:
    """The model definitions as SQL text: card columns over `catalog_product`, and the variant's
    selling price and in-stock condition over `catalog_productvariant` (joined to its product)."""
    fragments = {}
    cards = Product.objects.cards()
    compiler = cards.query.get_compiler(connection=connection)
    for name in ("price_min", "price_max", "in_stock", "image_id"):
        fragments[name] = _fixed_text(*compiler.compile(cards.query.annotations[name]))
    variants = ProductVariant.objects.annotate(effective_price=effective_price_expression()).filter(VARIANT_IN_STOCK)
    compiler = variants.query.get_compiler(connection=connection)
    for name, node in (("effective_price", variants.query.annotations["effective_price"]), ("variant_in_stock", variants.query.where)):
        fragments[name] = _fixed_text(*compiler.compile(node))
    return fragments


def where_sql(filters) -> tuple[str, list]:
    """The WHERE clause over `catalog_product` for `selectors.ProductFilters`, and its parameters."""
    from .selectors import search_resolved  # selectors imports this module

    filters = search_resolved(filters)
    d = definitions_sql()
    clauses, params = ["catalog_product.live"], []
    if filters.category_ids is not None:
        clauses.append("catalog_product.category_id = ANY(%s)")
        params.append(list(filters.category_ids))
    if filters.product_type_id is not None:
        clauses.append("catalog_product.product_type_id = %s")
        params.append(filters.product_type_id)
    if filters.in_stock is False:
        clauses.append(f"NOT {d['in_stock']}")
    if filters.search:
        # the search backend's matches (selectors.search_resolved looked them up)
        clauses.append("catalog_product.id = ANY(%s)")
        params.append(list(filters.search_ids))
    # attribute, stock and price filters match per variant (selectors.product_matches_q)
    bounds = [(value, op) for value, op in ((filters.price_min, ">="), (filters.price_max, "<=")) if value is not None]
    if not (filters.attribute_value_ids or filters.in_stock is True or bounds):
        return " AND ".join(clauses), params
    variant_clauses, variant_params = [], []
    base_clauses, base_params = [f"NOT EXISTS(SELECT 1 {_ACTIVE_VARIANTS})"], []
    for value_ids in filters.attribute_value_ids:
        variant_clauses.append(f"({_VARIANT_HAS_VALUES_SQL} OR {_PRODUCT_HAS_VALUES_SQL})")
        variant_params += [list(value_ids), list(value_ids)]
        base_clauses.append(_PRODUCT_HAS_VALUES_SQL)
        base_params.append(list(value_ids))
    if filters.in_stock is True:
        variant_clauses.append(d["variant_in_stock"])
    for value, op in bounds:
        variant_clauses.append(f"{d['effective_price']} {op} %s")
        variant_params.append(value)
        base_clauses.append(f"catalog_product.base_price {op} %s")
        base_params.append(value)
    by_variant = f"EXISTS(SELECT 1 {_ACTIVE_VARIANTS} AND {' AND '.join(variant_clauses)})"
    if filters.in_stock is True:
        clauses.append(by_variant)
        params += variant_params
    else:
        clauses.append(f"({by_variant} OR ({' AND '.join(base_clauses)}))")
        params += variant_params + base_params
    return " AND ".join(clauses), params


def product_count_sql(*, filters) -> int:
    where, params = where_sql(filters)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM catalog_product WHERE {where}", params)  # noqa: S608 fixed fragments
        return cursor.fetchone()[0]


def product_page_rows_sql(*, filters, ordering: str, offset: int, limit: int, with_count: bool) -> list[dict]:
    """The page's rows as dicts keyed like `selectors.LIST_ROW_FIELDS` (+ `total_count`), in one query.

    Deferred join, as in the ORM version: the page's ids are picked first (ORDER BY/LIMIT/OFFSET over
    the bare filter), and only those rows get the price, stock and image subqueries.
    """
    d = definitions_sql()
    where, params = where_sql(filters)
    order_by = ORDER_BY_SQL[ordering]
    # the inner SELECT returns ids only, so it orders by the price expression itself
    inner_order_by = order_by.replace("price_min", f"({d['price_min']})")
    # relevance: the position in the search backend's answer, best first
    rank = "COALESCE(array_position(%s::integer[], catalog_product.id), 2147483647)"
    if ordering == "relevance":
        from .selectors import search_resolved

        rank_params = [list(search_resolved(filters).search_ids or ())]
    else:
        rank_params = []
    inner_order_by = inner_order_by.replace("search_rank", rank)
    order_by = order_by.replace("search_rank", rank)
    count = f", (SELECT COUNT(*) FROM catalog_product WHERE {where}) AS total_count" if with_count else ""  # noqa: S608
    # fixed fragments only; every value is a parameter. A nested `catalog_product` names the inner table.
    sql = (
        f"{_card_select_sql()}{count} {_CARD_FROM_SQL}"  # noqa: S608
        f"WHERE catalog_product.id IN (SELECT catalog_product.id FROM catalog_product WHERE {where} "
        f"ORDER BY {inner_order_by} LIMIT %s OFFSET %s) "
        f"ORDER BY {order_by}"
    )
    all_params = [*(params if with_count else []), *params, *rank_params, limit, offset, *rank_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, all_params)
        rows = cursor.fetchall()
    keys = (*_CARD_KEYS, *(("total_count",) if with_count else ()))
    return [dict(zip(keys, row, strict=True)) for row in rows]


_CARD_KEYS = (
    "id", "name", "slug", "product_type__slug", "category__slug", "category__name", "price_min",
    "price_max", "in_stock", "rating_avg", "rating_count", "image_id",
)
_CARD_FROM_SQL = (
    "FROM catalog_product "
    "JOIN catalog_producttype pt ON pt.id = catalog_product.product_type_id "
    "LEFT JOIN catalog_category c ON c.id = catalog_product.category_id "
)


def _card_select_sql() -> str:
    d = definitions_sql()
    return (
        "SELECT catalog_product.id, catalog_product.name, catalog_product.slug, pt.slug, c.slug, c.name, "
        f"{d['price_min']} AS price_min, {d['price_max']} AS price_max, {d['in_stock']} AS in_stock, "
        f"catalog_product.rating_avg, catalog_product.rating_count, {d['image_id']} AS image_id"
    )


def product_card_rows_sql(*, ids) -> list[dict]:
    """The list rows (cards) of these live products, in the order of `ids` (list_index.py picks them)."""
    if not ids:
        return []
    sql = f"{_card_select_sql()} {_CARD_FROM_SQL}WHERE catalog_product.id = ANY(%s) AND catalog_product.live"
    with connection.cursor() as cursor:
        cursor.execute(sql, [list(ids)])
        rows = {row[0]: dict(zip(_CARD_KEYS, row, strict=True)) for row in cursor.fetchall()}
    return [rows[i] for i in ids if i in rows]
