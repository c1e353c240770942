"""A product page's rows from four plain PostgreSQL statements in one round trip, as the model instances the ORM would give.

Why: `selectors.product_detail_get` through the ORM (select_related plus three nested prefetches) cost
~5 ms of Python per uncached product page (~7 ms for the API), for ~0.3 ms of SQL. These are the same
reads with a plain cursor: the product with its type and category, its attribute values with their
attribute and value, its images, and its active variants with their attribute values and those values'
attributes. Every row carries all of its model's concrete fields, so each instance is what the ORM
would have built (no deferred field: nothing a template or `Model` method reads can cost a query).
Rows become instances with `Model.from_db` (what the ORM itself calls), so `ProductDetail`,
`ProductAttributeValue.display_value` and the body builders stay the single source of what a page
shows. `test_product_detail_sql_matches_orm` (tests/test_list_sql.py) keeps the two paths equal;
change both together. Used only on PostgreSQL (selectors.product_detail_get).
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


def _columns(model, alias: str) -> tuple[list[str], str]:
    """(attnames in the model's field order, "alias.col, ..."): a whole row, as from_db's fast path takes it."""
    fields = model._meta.concrete_fields
    return [f.attname for f in fields], ", ".join(f"{alias}.{f.column}" for f in fields)


_PRODUCT, _PRODUCT_COLS = _columns(Product, "p")
_TYPE, _TYPE_COLS = _columns(ProductType, "pt")
_CATEGORY, _CATEGORY_COLS = _columns(Category, "c")
_PAV, _PAV_COLS = _columns(ProductAttributeValue, "pav")
_ATTRIBUTE, _ATTRIBUTE_COLS = _columns(Attribute, "a")
_VALUE, _VALUE_COLS = _columns(AttributeValue, "av")
_IMAGE, _IMAGE_COLS = _columns(ProductImage, "pi")
_VARIANT, _VARIANT_COLS = _columns(ProductVariant, "v")

_PRODUCT_SQL = (
    f"SELECT {_PRODUCT_COLS}, {_TYPE_COLS}, {_CATEGORY_COLS} "  # noqa: S608
    "FROM catalog_product p JOIN catalog_producttype pt ON pt.id = p.product_type_id "
    "LEFT JOIN catalog_category c ON c.id = p.category_id WHERE p.live AND p.slug = %s LIMIT 1"
)
# the later statements find the product by slug again, so that all four go in one round trip
_PRODUCT_ID_SQL = "(SELECT id FROM catalog_product WHERE live AND slug = %s)"
# ordered as the ORM prefetch orders them
_ATTRIBUTES_SQL = (
    f"SELECT {_PAV_COLS}, {_ATTRIBUTE_COLS}, {_VALUE_COLS} FROM catalog_productattributevalue pav "  # noqa: S608
    "JOIN catalog_attribute a ON a.id = pav.attribute_id LEFT JOIN catalog_attributevalue av ON av.id = pav.value_id "
    f"WHERE pav.product_id = {_PRODUCT_ID_SQL} ORDER BY a.sort_order, a.name, pav.sort_order, pav.id"
)
_IMAGES_SQL = (
    f"SELECT {_IMAGE_COLS} FROM catalog_productimage pi "  # noqa: S608
    f"WHERE pi.product_id = {_PRODUCT_ID_SQL} ORDER BY pi.sort_order, pi.id"
)
# one row per (variant, attribute value); a variant without values comes once with NULLs
_VARIANTS_SQL = (
    f"SELECT {_VARIANT_COLS}, {_VALUE_COLS}, {_ATTRIBUTE_COLS} FROM catalog_productvariant v "  # noqa: S608
    "LEFT JOIN catalog_productvariant_attribute_values va ON va.productvariant_id = v.id "
    "LEFT JOIN catalog_attributevalue av ON av.id = va.attributevalue_id "
    "LEFT JOIN catalog_attribute a ON a.id = av.attribute_id "
    f"WHERE v.product_id = {_PRODUCT_ID_SQL} AND v.is_active ORDER BY v.sort_order, v.id, a.sort_order, av.sort_order"
)
_SQL = ";\n".join((_PRODUCT_SQL, _ATTRIBUTES_SQL, _IMAGES_SQL, _VARIANTS_SQL))


def _split(row, *widths):
    start = 0
    for width in widths:
        yield row[start : start + width]
        start += width


def product_detail_rows_sql(*, slug: str):
    """(product, attribute values, images, active variants) for a live product, or None.

    The product carries its type and category; each attribute value its attribute and value; each
    image and variant its product; each variant its attribute values as if prefetched
    (`variant.attribute_values.all()` runs no query), each value with its attribute. Rows that name
    the same attribute or value share one instance, as nothing here is written.

    The four statements travel in one execute() and come back as four result sets (`nextset()`):
    one round trip instead of four. That needs Django's default client-side parameter binding for
    psycopg 3 (multiple statements are refused with server-side binding).
    """
    db = connection.alias
    with connection.cursor() as cursor:
        cursor.execute(_SQL, [slug] * 4)
        row = cursor.fetchone()
        if row is None:
            return None
        product_row, type_row, category_row = _split(row, len(_PRODUCT), len(_TYPE), len(_CATEGORY))
        product = Product.from_db(db, _PRODUCT, product_row)
        product.product_type = ProductType.from_db(db, _TYPE, type_row)
        product.category = Category.from_db(db, _CATEGORY, category_row) if product.category_id is not None else None

        attributes: dict[int, Attribute] = {}
        values: dict[int, AttributeValue] = {}

        def attribute_of(attribute_row) -> Attribute:
            attribute = attributes.get(attribute_row[0])
            if attribute is None:
                attribute = attributes[attribute_row[0]] = Attribute.from_db(db, _ATTRIBUTE, attribute_row)
            return attribute

        def value_of(value_row) -> AttributeValue:
            value = values.get(value_row[0])
            if value is None:
                value = values[value_row[0]] = AttributeValue.from_db(db, _VALUE, value_row)
            return value

        cursor.nextset()
        attribute_values = []
        for row in cursor.fetchall():
            pav_row, attribute_row, value_row = _split(row, len(_PAV), len(_ATTRIBUTE), len(_VALUE))
            pav = ProductAttributeValue.from_db(db, _PAV, pav_row)
            pav.attribute = attribute_of(attribute_row)
            if pav.value_id is not None:
                pav.value = value_of(value_row)
                pav.value.attribute = pav.attribute
            attribute_values.append(pav)

        cursor.nextset()
        images = []
        for row in cursor.fetchall():
            image = ProductImage.from_db(db, _IMAGE, row)
            image.product = product
            images.append(image)

        cursor.nextset()
        variants: dict[int, ProductVariant] = {}
        for row in cursor.fetchall():
            variant_row, value_row, attribute_row = _split(row, len(_VARIANT), len(_VALUE), len(_ATTRIBUTE))
            variant = variants.get(variant_row[0])
            if variant is None:
                variant = variants[variant_row[0]] = ProductVariant.from_db(db, _VARIANT, variant_row)
                variant.product = product  # what the ORM's prefetch leaves: effective_price reads the base price
                # what prefetch_related leaves behind, so that .attribute_values.all() reads this list
                variant._prefetched_objects_cache = {"attribute_values": []}
            if value_row[0] is not None:
                value = value_of(value_row)
                value.attribute = attribute_of(attribute_row)
                variant._prefetched_objects_cache["attribute_values"].append(value)
    return product, attribute_values, images, list(variants.values())
