"""The product list page as one hand-written, parameterised PostgreSQL statement.

Why: building, resolving and compiling the annotated ORM queryset of `selectors.product_list_rows` cost
~2 ms of Python per request, about ten times what PostgreSQL spends running the SQL. This module
assembles the same statement from fixed strings (no ORM machinery) and runs it with a plain cursor.

It mirrors `selectors.live_products_filtered` and the annotations of `selectors.product_list_rows`
clause for clause; `test_product_list_sql_matches_orm` (commerce/catalog/tests/test_list_sql.py) runs
both over the same catalogue for every filter and ordering and requires identical rows. Change both
together. SQLite keeps the ORM path (the search and decimal comparisons differ there), so this is
used only when `connection.vendor == "postgresql"`.

Every value travels as a query parameter; only fixed fragments of this module go into the SQL text.
"""

from django.db import connection

# what `selectors.PRODUCT_ORDERINGS` means, in SQL over the page's columns (`price_min` is the
# expression below); `id` last so that pages never overlap when the first key ties
ORDER_BY_SQL = {
    "name": "p.name ASC, p.id ASC",
    "price": "price_min ASC, p.id ASC",
    "-price": "price_min DESC, p.id DESC",
    "-created": "p.created_at DESC, p.id DESC",
}

# active variants of the product `p`
_ACTIVE_VARIANTS = "FROM catalog_productvariant v WHERE v.product_id = p.id AND v.is_active"

# a variant without its own price sells at the product's base price; a product without any active
# variant shows its base price
PRICE_MIN_SQL = f"COALESCE((SELECT MIN(COALESCE(v.price, p.base_price)) {_ACTIVE_VARIANTS}), p.base_price)"
PRICE_MAX_SQL = f"COALESCE((SELECT MAX(COALESCE(v.price, p.base_price)) {_ACTIVE_VARIANTS}), p.base_price)"
IN_STOCK_SQL = f"EXISTS(SELECT 1 {_ACTIVE_VARIANTS} AND v.stock_on_hand > v.stock_allocated)"
_PRODUCT_HAS_VALUES_SQL = (
    "EXISTS(SELECT 1 FROM catalog_productattributevalue pav WHERE pav.product_id = p.id AND pav.value_id = ANY(%s))"
)
_VARIANT_HAS_VALUES_SQL = (
    "EXISTS(SELECT 1 FROM catalog_productvariant_attribute_values va "
    "WHERE va.productvariant_id = v.id AND va.attributevalue_id = ANY(%s))"
)
FIRST_IMAGE_SQL = (
    "(SELECT pi.image_id FROM catalog_productimage pi WHERE pi.product_id = p.id "
    "ORDER BY pi.sort_order ASC, pi.id ASC LIMIT 1)"
)


def where_sql(filters) -> tuple[str, list]:
    """The WHERE clause over `catalog_product p` for `selectors.ProductFilters`, and its parameters."""
    clauses, params = ["p.live"], []
    if filters.category_ids is not None:
        clauses.append("p.category_id = ANY(%s)")
        params.append(list(filters.category_ids))
    if filters.product_type_id is not None:
        clauses.append("p.product_type_id = %s")
        params.append(filters.product_type_id)
    if filters.in_stock is False:
        clauses.append(f"NOT {IN_STOCK_SQL}")
    if filters.search:
        # what Django's icontains compiles to on PostgreSQL, with LIKE's wildcards escaped the same way
        clauses.append("(UPPER(p.name::text) LIKE UPPER(%s) OR UPPER(p.description::text) LIKE UPPER(%s))")
        pattern = f"%{connection.ops.prep_for_like_query(filters.search)}%"
        params += [pattern, pattern]
    # attribute, stock and price filters match per variant (selectors.product_matches_q)
    bounds = [(value, op) for value, op in ((filters.price_min, ">="), (filters.price_max, "<=")) if value is not None]
    if not (filters.attribute_value_ids or filters.in_stock is True or bounds):
        return " AND ".join(clauses), params
    variant_clauses, variant_params = ["v.product_id = p.id", "v.is_active"], []
    base_clauses, base_params = [f"NOT EXISTS(SELECT 1 {_ACTIVE_VARIANTS})"], []
    for value_ids in filters.attribute_value_ids:
        variant_clauses.append(f"({_VARIANT_HAS_VALUES_SQL} OR {_PRODUCT_HAS_VALUES_SQL})")
        variant_params += [list(value_ids), list(value_ids)]
        base_clauses.append(_PRODUCT_HAS_VALUES_SQL)
        base_params.append(list(value_ids))
    if filters.in_stock is True:
        variant_clauses.append("v.stock_on_hand > v.stock_allocated")
    for value, op in bounds:
        variant_clauses.append(f"COALESCE(v.price, p.base_price) {op} %s")
        variant_params.append(value)
        base_clauses.append(f"p.base_price {op} %s")
        base_params.append(value)
    by_variant = f"EXISTS(SELECT 1 FROM catalog_productvariant v WHERE {' AND '.join(variant_clauses)})"  # noqa: S608
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
        cursor.execute(f"SELECT COUNT(*) FROM catalog_product p WHERE {where}", params)  # noqa: S608 fixed fragments
        return cursor.fetchone()[0]


def product_page_rows_sql(*, filters, ordering: str, offset: int, limit: int, with_count: bool) -> list[dict]:
    """The page's rows as dicts keyed like `selectors.LIST_ROW_FIELDS` (+ `total_count`), in one query.

    Deferred join, as in the ORM version: the page's ids are picked first (ORDER BY/LIMIT/OFFSET over
    the bare filter), and only those rows get the price, stock and image subqueries.
    """
    where, params = where_sql(filters)
    order_by = ORDER_BY_SQL[ordering]
    # the inner SELECT returns ids only, so it orders by the price expression itself
    inner_order_by = order_by.replace("price_min", f"({PRICE_MIN_SQL})")
    count = f", (SELECT COUNT(*) FROM catalog_product p WHERE {where}) AS total_count" if with_count else ""  # noqa: S608
    # fixed fragments of this module only; every value is a parameter
    sql = (
        f"SELECT p.id, p.name, p.slug, pt.slug, c.slug, c.name, {PRICE_MIN_SQL} AS price_min, "  # noqa: S608
        f"{PRICE_MAX_SQL} AS price_max, {IN_STOCK_SQL} AS in_stock, p.rating_avg, p.rating_count, "
        f"{FIRST_IMAGE_SQL} AS image_id{count} "
        "FROM catalog_product p "
        "JOIN catalog_producttype pt ON pt.id = p.product_type_id "
        "LEFT JOIN catalog_category c ON c.id = p.category_id "
        f"WHERE p.id IN (SELECT p.id FROM catalog_product p WHERE {where} "
        f"ORDER BY {inner_order_by} LIMIT %s OFFSET %s) "
        f"ORDER BY {order_by}"
    )
    all_params = [*(params if with_count else []), *params, limit, offset]
    with connection.cursor() as cursor:
        cursor.execute(sql, all_params)
        rows = cursor.fetchall()
    keys = (
        "id", "name", "slug", "product_type__slug", "category__slug", "category__name", "price_min",
        "price_max", "in_stock", "rating_avg", "rating_count", "image_id", *(("total_count",) if with_count else ()),
    )
    return [dict(zip(keys, row, strict=True)) for row in rows]
