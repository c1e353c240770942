"""Template tags of the rendered shop."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def product_page_prepare(context) -> str:
    """`{% product_page_prepare %}` at the top of the product page's content: on Wagtail's preview,
    whose context comes from the model (which knows nothing of the storefront), it adds what the live
    view adds (picker, gallery, wishlist state); on the live page it does nothing."""
    if "picker" not in context and context.get("detail") is not None:
        from storefront.product.views import product_page_context

        context.update(product_page_context(context["request"], detail=context["detail"], preview=True))
    return ""


@register.simple_tag
def product_cards(products):
    """`{% product_cards products as cards %}`: cms_pages' card products as storefront cards (the
    home page's grids and search use the catalogue's card)."""
    from storefront.catalogue.cards import cards_from_products

    return cards_from_products(products)
