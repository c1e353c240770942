"""Template tags of the rendered shop that shape selector results for display."""

from django import template

from storefront.catalogue.page_data import variant_options

register = template.Library()


@register.simple_tag
def product_variant_options(detail):
    """`{% product_variant_options detail as options %}`: the variant picker rows (no queries)."""
    return variant_options(variants=detail.variants, base_price=detail.product.base_price)
