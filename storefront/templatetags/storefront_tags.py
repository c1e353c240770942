"""Template tags of the rendered shop."""

from django import template
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf

register = template.Library()

# {(template, script prefix, URLconf, menu content): html}; menus change rarely and have few shapes
_category_menu_html: dict[tuple, str] = {}
CATEGORY_MENU_HTML_MAX_ENTRIES = 64


def _menu_key(nodes) -> tuple:
    return tuple((node["slug"], node["name"], _menu_key(node["children"])) for node in nodes)


@register.simple_tag(takes_context=True)
def category_menu_html(context, template_name: str) -> str:
    """`{% category_menu_html "storefront/_category_menu_nav.html" %}`: a category menu partial (drawer,
    header, footer), rendered once per process for the same menu and kept.

    The three menus are every page's largest fragment (~60 links, each a `{% url %}`: ~1.3 ms of a
    product page's ~6 ms) and the same on every page; they depend only on the categories' slugs,
    names and nesting, which make the key, so an edited menu or category renders anew. The partial
    sees only `category_menu`: anything per request (aria-current, the user) stays in base.html.
    """
    menu = context.get("category_menu") or []
    key = (template_name, get_script_prefix(), get_urlconf(), _menu_key(menu))
    html = _category_menu_html.get(key)
    if html is None:
        html = render_to_string(template_name, {"category_menu": menu})
        if len(_category_menu_html) >= CATEGORY_MENU_HTML_MAX_ENTRIES:
            _category_menu_html.clear()
        _category_menu_html[key] = html
    return html


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
