"""Catalogue export in the import's format (fileformat.py): importing the file back changes nothing."""

from collections.abc import Iterable
from decimal import Decimal

from commerce.catalog.models import Attribute, Product, ProductTypeAttribute

from .fileformat import ATTR_PREFIX, OPTION_PREFIX, PRODUCT_COLUMNS, VARIANT_COLUMNS, write_rows


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


def _number(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def catalog_export_rows(products: Iterable[Product] | None = None) -> tuple[list[str], list[dict[str, str]]]:
    queryset = (products if products is not None else Product.objects.all())
    queryset = queryset.select_related("product_type", "category").prefetch_related(
        "variants__attribute_values__attribute", "attribute_values__attribute", "attribute_values__value", "images",
    ).order_by("slug")
    links = ProductTypeAttribute.objects.select_related("attribute").order_by("attribute__slug")
    product_attrs = sorted({link.attribute.slug for link in links if link.role == "product"})
    variant_attrs = sorted({link.attribute.slug for link in links if link.role == "variant"})
    header = [*PRODUCT_COLUMNS, *(ATTR_PREFIX + s for s in product_attrs), "sku",
              *(OPTION_PREFIX + s for s in variant_attrs), *VARIANT_COLUMNS[1:]]
    rows = []
    for product in queryset.iterator(chunk_size=500):
        base = {
            "product_slug": product.slug, "product_name": product.name, "product_type": product.product_type.slug,
            "category": product.category.slug if product.category_id else "", "sku_prefix": product.sku_code,
            "base_price": _text(product.base_price), "description": product.description or "",
            "live": _text(product.live), "featured": _text(product.is_featured), "seo_title": product.seo_title,
            "search_description": product.search_description,
            "images": "|".join(str(i.image_id) for i in sorted(product.images.all(), key=lambda i: (i.sort_order, i.pk))),
        }
        by_attribute: dict[str, list[str]] = {}
        for pav in sorted(product.attribute_values.all(), key=lambda p: (p.sort_order, p.pk)):
            attribute = pav.attribute
            if attribute.type in (Attribute.Type.CHOICE, Attribute.Type.MULTI_CHOICE):
                text = pav.value.slug if pav.value_id else ""
            elif attribute.type == Attribute.Type.NUMBER:
                text = "" if pav.value_number is None else _number(pav.value_number)
            elif attribute.type == Attribute.Type.BOOLEAN:
                text = _text(pav.value_boolean)
            else:
                text = pav.value_text
            by_attribute.setdefault(attribute.slug, []).append(text)
        for slug, texts in by_attribute.items():
            base[ATTR_PREFIX + slug] = "|".join(texts)
        variants = sorted(product.variants.all(), key=lambda v: (v.sort_order, v.pk))
        if not variants:
            rows.append(base)
        for variant in variants:
            row = dict(base)
            row.update({
                "sku": variant.sku, "price": _text(variant.price), "stock": str(variant.stock_on_hand),
                "weight": _text(variant.weight), "low_stock_threshold": _text(variant.low_stock_threshold),
                "active": _text(variant.is_active),
            })
            for value in variant.attribute_values.all():
                row[OPTION_PREFIX + value.attribute.slug] = value.slug
            rows.append(row)
    return header, rows


def catalog_export(*, fmt: str, products=None) -> bytes:
    header, rows = catalog_export_rows(products)
    return write_rows(header, rows, fmt=fmt)
