"""Response shapes of the catalogue API.

The Serializer classes document the responses for drf-spectacular; the list and detail bodies are
built by the plain functions below from selector output (dicts and prefetched objects), because
running a full ModelSerializer per row is what made a list slow. Money is a decimal string with two
places. test_product_bodies_match_the_documented_schema (commerce/catalog/tests/test_api_products.py)
keeps the built bodies and these schemas in step.
"""

from decimal import Decimal

from django.conf import settings
from rest_framework import serializers
from wagtail.rich_text import expand_db_html

from commerce.catalog.facets import ProductFacets
from commerce.catalog.models import effective_price
from commerce.catalog.selectors import DETAIL_IMAGE_SPECS, CategoryNode, ProductDetail
from commerce.core.links import storefront_url
from commerce.core.money import quantize_money


def money(amount: Decimal) -> str:
    return str(quantize_money(amount))


# --- schema (documentation) -----------------------------------------------------------------------


class CategoryRefSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()


class ProductListItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.SlugField()
    product_type = serializers.SlugField(help_text="Slug of the product type.")
    category = CategoryRefSerializer(allow_null=True)
    price_min = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="Lowest active variant price.")
    price_max = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="Highest active variant price.")
    currency = serializers.CharField(help_text="ISO 4217 code of the shop currency.")
    in_stock = serializers.BooleanField(help_text="Some active variant has stock available.")
    rating_avg = serializers.DecimalField(max_digits=3, decimal_places=2)
    rating_count = serializers.IntegerField()
    image = serializers.URLField(allow_null=True, help_text="Thumbnail (fill-300x300) of the first image.")
    url = serializers.URLField(help_text="This product's detail endpoint.")
    site_url = serializers.URLField(
        allow_null=True, help_text="The product's page on the storefront (STOREFRONT_URL); null when it is off."
    )


class FacetValueSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    count = serializers.IntegerField(
        help_text="Products the list would show with this value as the attribute's only choice, every other filter kept."
    )
    selected = serializers.BooleanField(help_text="Chosen in this request's filters.")


class AttributeFacetSerializer(serializers.Serializer):
    slug = serializers.SlugField(help_text="The attribute's slug, also its filter parameter name.")
    name = serializers.CharField()
    values = FacetValueSerializer(many=True, help_text="Values with products (and chosen ones), in display order.")


class ProductFacetsSerializer(serializers.Serializer):
    attributes = AttributeFacetSerializer(many=True)
    price_min = serializers.DecimalField(
        max_digits=12, decimal_places=2, allow_null=True,
        help_text="Cheapest matching variant, price filters left out (what a price slider spans); null if none.",
    )
    price_max = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    in_stock_count = serializers.IntegerField(help_text="Products matching the other filters that are in stock.")
    total = serializers.IntegerField(help_text="Products matching every filter (the list's count).")


class ProductListPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ProductListItemSerializer(many=True)
    facets = ProductFacetsSerializer(required=False, help_text="Only with `facets=true`.")


class ProductTypeRefSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()


class ProductAttributeSerializer(serializers.Serializer):
    name = serializers.CharField()
    slug = serializers.SlugField()
    values = serializers.ListField(child=serializers.CharField(), help_text="Display values, units included.")


class ProductImageSerializer(serializers.Serializer):
    alt = serializers.CharField(allow_blank=True)
    renditions = serializers.DictField(
        child=serializers.URLField(), help_text=f"Rendition URL by Wagtail filter spec: {', '.join(DETAIL_IMAGE_SPECS)}."
    )


class AttributeValueRefSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()


class ProductVariantSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    sku = serializers.CharField()
    price = serializers.DecimalField(max_digits=12, decimal_places=2)
    available = serializers.IntegerField(help_text="Units that can be ordered now (on hand - allocated).")
    in_stock = serializers.BooleanField()
    attributes = serializers.DictField(
        child=AttributeValueRefSerializer(), help_text="Variant attribute values keyed by attribute slug."
    )


class SeoSerializer(serializers.Serializer):
    title = serializers.CharField(help_text="SEO title, or the product name when none is set.")
    description = serializers.CharField(allow_blank=True)


class ProductDetailSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.SlugField()
    description = serializers.CharField(allow_blank=True, help_text="Rich text as HTML.")
    product_type = ProductTypeRefSerializer()
    category = CategoryRefSerializer(allow_null=True)
    category_path = CategoryRefSerializer(many=True, help_text="From the root category down to the product's.")
    price_min = serializers.DecimalField(max_digits=12, decimal_places=2)
    price_max = serializers.DecimalField(max_digits=12, decimal_places=2)
    currency = serializers.CharField()
    in_stock = serializers.BooleanField()
    rating_avg = serializers.DecimalField(max_digits=3, decimal_places=2)
    rating_count = serializers.IntegerField()
    attributes = ProductAttributeSerializer(many=True)
    images = ProductImageSerializer(many=True)
    variants = ProductVariantSerializer(many=True)
    seo = SeoSerializer()
    url = serializers.URLField()
    site_url = serializers.URLField(
        allow_null=True, help_text="The product's page on the storefront (STOREFRONT_URL); null when it is off."
    )


class CategoryTreeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.SlugField()
    description = serializers.CharField(allow_blank=True)


# a node's children are nodes: declared after the class so that the schema gets one recursive component
CategoryTreeSerializer._declared_fields["children"] = CategoryTreeSerializer(many=True)


# --- bodies -----------------------------------------------------------------------------------------


def product_list_item_data(row: dict, *, detail_url_prefix: str, absolute) -> dict:
    """One list row (from selectors.product_list_rows) as the API shows it."""
    thumbnail = row["thumbnail_url"]
    return {
        "id": row["id"],
        "name": row["name"],
        "slug": row["slug"],
        "product_type": row["product_type__slug"],
        "category": {"slug": row["category__slug"], "name": row["category__name"]}
        if row["category__slug"] is not None
        else None,
        "price_min": money(row["price_min"]),
        "price_max": money(row["price_max"]),
        "currency": settings.SHOP_CURRENCY,
        "in_stock": bool(row["in_stock"]),
        "rating_avg": str(row["rating_avg"]),
        "rating_count": row["rating_count"],
        "image": absolute(thumbnail) if thumbnail else None,
        "url": f"{detail_url_prefix}{row['slug']}/",
        "site_url": storefront_url("product", slug=row["slug"]),
    }


def product_facets_data(facets: ProductFacets) -> dict:
    return {
        "attributes": [
            {
                "slug": attribute.slug,
                "name": attribute.name,
                "values": [
                    {"slug": v.slug, "name": v.name, "count": v.count, "selected": v.selected} for v in attribute.values
                ],
            }
            for attribute in facets.attributes
        ],
        "price_min": None if facets.price_min is None else money(facets.price_min),
        "price_max": None if facets.price_max is None else money(facets.price_max),
        "in_stock_count": facets.in_stock_count,
        "total": facets.total,
    }


def _category_ref(node: CategoryNode) -> dict:
    return {"slug": node.slug, "name": node.name}


def product_detail_data(detail: ProductDetail, *, url: str, absolute) -> dict:
    product = detail.product
    return {
        "id": product.id,
        "name": product.name,
        "slug": product.slug,
        "description": expand_db_html(product.description) if product.description else "",
        "product_type": {"slug": product.product_type.slug, "name": product.product_type.name},
        "category": {"slug": product.category.slug, "name": product.category.name} if product.category else None,
        "category_path": [_category_ref(node) for node in detail.category_path],
        "price_min": money(detail.price_min),
        "price_max": money(detail.price_max),
        "currency": settings.SHOP_CURRENCY,
        "in_stock": detail.in_stock,
        "rating_avg": str(product.rating_avg),
        "rating_count": product.rating_count,
        "attributes": detail.attributes,
        "images": [
            {"alt": image["alt"], "renditions": {spec: absolute(u) for spec, u in image["urls"].items()}}
            for image in detail.images
        ],
        "variants": [
            {
                "id": variant.id,
                "sku": variant.sku,
                "price": money(effective_price(variant.price, product.base_price)),
                "available": variant.stock_available,
                "in_stock": variant.stock_available > 0,
                "attributes": {
                    value.attribute.slug: {"slug": value.slug, "name": value.name}
                    for value in variant.attribute_values.all()
                },
            }
            for variant in detail.variants
        ],
        "seo": {"title": product.seo_title or product.name, "description": product.search_description},
        "url": url,
        "site_url": storefront_url("product", slug=product.slug),
    }


class CatalogErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable machine-readable code, e.g. invalid_filter, page_out_of_range.")
    message = serializers.CharField()
    details = serializers.JSONField(required=False, help_text="For invalid_filter: messages by parameter name.")


class CatalogErrorSerializer(serializers.Serializer):
    error = CatalogErrorBodySerializer()
