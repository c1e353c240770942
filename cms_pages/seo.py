"""schema.org structured data for product pages."""

import json

from django.conf import settings
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe

LARGE_IMAGE_SPEC = "max-1200x1200"  # one of the catalogue's DETAIL_IMAGE_SPECS
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def json_for_script(data) -> str:
    """JSON safe inside a <script> element (no "</script>" can close it early)."""
    return mark_safe(json.dumps(data, default=str).translate(_SCRIPT_ESCAPES))  # noqa: S308 - <, >, & escaped


def product_image_urls(*, detail, request=None) -> list[str]:
    """Absolute URLs of the product's large renditions (already computed by the catalogue)."""
    paths = [image["urls"].get(LARGE_IMAGE_SPEC) for image in detail.images]
    return [request.build_absolute_uri(p) if request is not None else p for p in paths if p]


def product_structured_data(*, detail, request=None) -> dict:
    """Product + AggregateOffer (+ AggregateRating when rated) from the catalogue's ProductDetail."""
    product = detail.product
    url = product.get_absolute_url()
    if request is not None:
        url = request.build_absolute_uri(url)

    availability = "https://schema.org/InStock" if detail.in_stock else "https://schema.org/OutOfStock"
    data = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product.name,
        "url": url,
        "description": (product.search_description or strip_tags(product.description or ""))[:500],
        "offers": {
            "@type": "AggregateOffer",
            "priceCurrency": settings.SHOP_CURRENCY,
            "lowPrice": str(detail.price_min),
            "highPrice": str(detail.price_max),
            "offerCount": len(detail.variants) or 1,
            "availability": availability,
            "offers": [
                {
                    "@type": "Offer",
                    "sku": variant.sku,
                    "price": str(variant.effective_price),
                    "priceCurrency": settings.SHOP_CURRENCY,
                    "availability": "https://schema.org/InStock"
                    if variant.stock_available > 0
                    else "https://schema.org/OutOfStock",
                    "url": url,
                }
                for variant in detail.variants
            ],
        },
    }
    if images := product_image_urls(detail=detail, request=request):
        data["image"] = images
    if product.category_id and detail.category_path:
        data["category"] = " > ".join(node.name for node in detail.category_path)
    if product.rating_count:
        data["aggregateRating"] = {
            "@type": "AggregateRating",
            "ratingValue": str(product.rating_avg),
            "reviewCount": product.rating_count,
            "bestRating": "5",
            "worstRating": "1",
        }
    return data
