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
