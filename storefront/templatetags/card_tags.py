"""`{% product_card card position=forloop.counter %}` and `{% picture picture alt sizes eager %}`
(storefront/catalogue/markup.py)."""

from django import template

from storefront.catalogue.markup import card_html, picture_html

register = template.Library()

# cards in a grid's first row (4 columns on a wide screen) are above the fold: their pictures load first
EAGER_CARDS = 4


@register.simple_tag
def product_card(card, position=None):
    """A card; `position` (1-based, in its grid) makes the first row's pictures load eagerly."""
    return card_html(card, eager=position is not None and position <= EAGER_CARDS)


@register.simple_tag
def picture(picture, alt="", sizes="100vw", eager=False):
    return picture_html(picture, alt=alt, sizes=sizes, eager=bool(eager))
