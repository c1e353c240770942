from django import template
from django.conf import settings
from django.utils.html import format_html
from wagtail.models import Page

from cms_pages.selectors import banners_live
from cms_pages.seo import json_for_script

register = template.Library()


@register.inclusion_tag("cms_pages/includes/banners.html")
def banners(placement: str, limit: int = 3):
    """`{% banners "shop-top" %}`: the live banners of a placement."""
    return {"banners": banners_live(placement=placement, limit=limit), "placement": placement}


@register.simple_tag(takes_context=True)
def canonical_url(context, obj=None) -> str:
    """Absolute URL without the query string: of a page or object if given, else of the request."""
    request = context.get("request")
    if request is None:
        return ""
    if obj is not None:
        if isinstance(obj, Page):
            return obj.get_full_url(request) or ""
        return request.build_absolute_uri(obj.get_absolute_url())
    return request.build_absolute_uri(request.path)


@register.simple_tag(takes_context=True)
def product_json_ld(context, detail):
    """`<script type="application/ld+json">` with schema.org Product, Offer(s) and AggregateRating."""
    from cms_pages.seo import product_structured_data

    request = context.get("request")
    data = product_structured_data(detail=detail, request=request)
    return format_html('<script type="application/ld+json">{}</script>', json_for_script(data))


@register.simple_tag
def shop_currency() -> str:
    return settings.SHOP_CURRENCY


@register.simple_tag(takes_context=True)
def product_image_url(context, detail) -> str:
    """Absolute URL of the product's first large rendition, for og:image."""
    from cms_pages.seo import product_image_urls

    urls = product_image_urls(detail=detail, request=context.get("request"))
    return urls[0] if urls else ""
