"""A product page's rows from four plain PostgreSQL statements in one round trip, as the model instances the ORM would give.

Why: `selectors.product_detail_get` through the ORM (select_related plus three nested prefetches) cost
~7 ms of Python per uncached request, for ~0.3 ms of SQL. These are the same reads with a plain cursor:
the product with its type and category, its attribute values, its images, and its active variants with
their attribute values. Rows become model instances with `Model.from_db` (what the ORM itself calls),
so `ProductDetail`, `ProductAttributeValue.display_value` and the body builders stay the single source
of what a page shows. `test_product_detail_sql_matches_orm` (tests/test_list_sql.py) keeps the two
paths equal; change both together. Used only on PostgreSQL (selectors.product_detail_get).
"""

from django.db import connection

from .models import (
    Attribute,
    AttributeValue,
    Category,
    Product,
    ProductAttributeValue,
    ProductImage,
    ProductType,
    ProductVariant,
)

_PRODUCT_FIELDS = (
    "id", "name", "slug", "description", "base_price", "rating_avg", "rating_count", "seo_title",
    "search_description", "product_type_id", "category_id", "live",
)
_PRODUCT_SQL = (
    f"SELECT {', '.join('p.' + f for f in _PRODUCT_FIELDS)}, pt.slug, pt.name, c.slug, c.name "  # noqa: S608
    "FROM catalog_product p JOIN catalog_producttype pt ON pt.id = p.product_type_id "
    "LEFT JOIN catalog_category c ON c.id = p.category_id WHERE p.live AND p.slug = %s LIMIT 1"
)
# the later statements find the product by slug again, so that all four go in one round trip
_PRODUCT_ID_SQL = "(SELECT id FROM catalog_product WHERE live AND slug = %s)"
# ordered as the ORM prefetch orders them
_ATTRIBUTES_SQL = (
    "SELECT pav.id, pav.attribute_id, pav.value_id, pav.value_text, pav.value_number, pav.value_boolean, "  # noqa: S608
    "a.name, a.slug, a.unit, av.name FROM catalog_productattributevalue pav "
    "JOIN catalog_attribute a ON a.id = pav.attribute_id LEFT JOIN catalog_attributevalue av ON av.id = pav.value_id "
    f"WHERE pav.product_id = {_PRODUCT_ID_SQL} ORDER BY a.sort_order, a.name, pav.sort_order, pav.id"
)
_IMAGES_SQL = (
    "SELECT id, image_id, alt_text FROM catalog_productimage "  # noqa: S608
    f"WHERE product_id = {_PRODUCT_ID_SQL} ORDER BY sort_order, id"
)
# one row per (variant, attribute value); a variant without values comes once with NULLs
_VARIANTS_SQL = (
    "SELECT v.id, v.sku, v.price, v.stock_on_hand, v.stock_allocated, av.id, av.slug, av.name, a.id, a.slug "  # noqa: S608
    "FROM catalog_productvariant v "
    "LEFT JOIN catalog_productvariant_attribute_values va ON va.productvariant_id = v.id "
    "LEFT JOIN catalog_attributevalue av ON av.id = va.attributevalue_id "
    "LEFT JOIN catalog_attribute a ON a.id = av.attribute_id "
    f"WHERE v.product_id = {_PRODUCT_ID_SQL} AND v.is_active ORDER BY v.sort_order, v.id, a.sort_order, av.sort_order"
)


def _instance(model, names, values):
    # from_db takes the loaded values in the model's field order (the rest stay deferred)
    by_name = dict(zip(names, values, strict=True))
    attnames = [f.attname for f in model._meta.concrete_fields if f.attname in by_name]
    return model.from_db(connection.alias, attnames, [by_name[name] for name in attnames])


def product_detail_rows_sql(*, slug: str):
    """(product, attribute values, images, active variants) for a live product, or None.

    The product carries its type and category; each attribute value its attribute and value; each
    variant its attribute values as if prefetched (`variant.attribute_values.all()` runs no query).

    The four statements travel in one execute() and come back as four result sets (`nextset()`):
    one round trip instead of four. That needs Django's default client-side parameter binding for
    psycopg 3 (multiple statements are refused with server-side binding).
    """
    with connection.cursor() as cursor:
        cursor.execute(";\n".join((_PRODUCT_SQL, _ATTRIBUTES_SQL, _IMAGES_SQL, _VARIANTS_SQL)), [slug] * 4)
        row = cursor.fetchone()
        if row is None:
            return None
        n = len(_PRODUCT_FIELDS)
        product = _instance(Product, _PRODUCT_FIELDS, row[:n])
        type_slug, type_name, category_slug, category_name = row[n:]
        product.product_type = _instance(ProductType, ("id", "slug", "name"), (product.product_type_id, type_slug, type_name))
        if product.category_id is not None:
            product.category = _instance(Category, ("id", "slug", "name"), (product.category_id, category_slug, category_name))
        else:
            product.category = None

        cursor.nextset()
        attribute_values = []
        for pav_id, attribute_id, value_id, text, number, boolean, a_name, a_slug, a_unit, v_name in cursor.fetchall():
            pav = _instance(
                ProductAttributeValue,
                ("id", "product_id", "attribute_id", "value_id", "value_text", "value_number", "value_boolean"),
                (pav_id, product.id, attribute_id, value_id, text, number, boolean),
            )
            pav.attribute = _instance(Attribute, ("id", "name", "slug", "unit"), (attribute_id, a_name, a_slug, a_unit))
            if value_id is not None:
                pav.value = _instance(AttributeValue, ("id", "name"), (value_id, v_name))
            attribute_values.append(pav)

        cursor.nextset()
        images = [
            _instance(ProductImage, ("id", "product_id", "image_id", "alt_text"), (image_id, product.id, pi_image, alt))
            for image_id, pi_image, alt in cursor.fetchall()
        ]

        cursor.nextset()
        variants: dict[int, ProductVariant] = {}
        for v_id, sku, price, on_hand, allocated, av_id, av_slug, av_name, a_id, a_slug in cursor.fetchall():
            variant = variants.get(v_id)
            if variant is None:
                variant = _instance(
                    ProductVariant,
                    ("id", "product_id", "sku", "price", "stock_on_hand", "stock_allocated", "is_active"),
                    (v_id, product.id, sku, price, on_hand, allocated, True),
                )
                # what prefetch_related leaves behind, so that .attribute_values.all() reads this list
                variant._prefetched_objects_cache = {"attribute_values": []}
                variants[v_id] = variant
            if av_id is not None:
                value = _instance(AttributeValue, ("id", "slug", "name"), (av_id, av_slug, av_name))
                value.attribute = _instance(Attribute, ("id", "slug"), (a_id, a_slug))
                variant._prefetched_objects_cache["attribute_values"].append(value)
    return product, attribute_values, images, list(variants.values())
