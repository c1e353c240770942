"""Product cards and pictures as HTML, written in Python.

Every grid (the catalogue, search, the home page's blocks, "more from this category") shows up to 24
cards, each with a five-candidate <picture>. As template includes that was ~700 variable lookups and
50 include nodes per catalogue page, about half of its rendering time; here a card costs a few string
joins. Every value is escaped; storefront/catalogue/tests/test_card_markup.py checks what a shopper
and a screen reader get. Templates use them through `{% load card_tags %}`.
"""

from django.template.defaultfilters import floatformat, pluralize
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from commerce.core.money import format_money

from .cards import Card
from .images import Picture

# what a card's picture occupies at each layout width (the grid's 2 / 3 / 4 columns)
CARD_SIZES = "(min-width: 75rem) 270px, (min-width: 56rem) 22vw, (min-width: 40rem) 30vw, 50vw"


def picture_html(picture: Picture, *, alt: str, sizes: str, eager: bool) -> SafeString:
    """A responsive <picture>: AVIF and WebP sources, JPEG fallback with width and height (no layout
    shift); above the fold (`eager`) it is fetched first, below it lazily."""
    sizes = escape(sizes)
    sources = "".join(
        f'<source type="{escape(source.type)}" srcset="{escape(source.srcset)}" sizes="{sizes}">' for source in picture.sources
    )
    loading = ' fetchpriority="high"' if eager else ' loading="lazy"'
    return mark_safe(  # noqa: S308 every interpolated value is escaped above or here
        f'<picture>{sources}<img src="{escape(picture.src)}" srcset="{escape(picture.srcset)}" sizes="{sizes}" '
        f'alt="{escape(alt)}" width="{escape(picture.width)}" height="{escape(picture.height)}"{loading} decoding="async"></picture>'
    )


def card_html(card: Card, *, eager: bool = False) -> SafeString:
    """A product card. The picture's alt is empty: the link already reads the product's name from the
    title, so a screen reader hears it once."""
    if card.picture:
        media = picture_html(card.picture, alt="", sizes=CARD_SIZES, eager=eager)
    else:
        media = f'<span class="card-placeholder" aria-hidden="true">{escape(card.name[:1])}</span>'
    if card.compare_at:
        badge = '<span class="badge badge-sale">Sale</span>'
    elif not card.in_stock:
        badge = '<span class="badge">Sold out</span>'
    else:
        badge = ""
    price = f'{"From " if card.price_varies else ""}<strong>{escape(format_money(card.price_min))}</strong>'
    if card.compare_at:
        price += f' <del><span class="visually-hidden">was</span> {escape(format_money(card.compare_at))}</del>'
    rating = ""
    if card.rating_count:
        count = card.rating_count
        rating = (
            f'\n  <p class="card-rating"><span aria-hidden="true">★</span> {escape(floatformat(card.rating_avg, 1))}'
            f'<span class="visually-hidden"> out of 5 stars,</span> <span class="muted">({escape(count)}'
            f'<span class="visually-hidden"> review{pluralize(count)}</span>)</span></p>'
        )
    return mark_safe(  # noqa: S308 every interpolated value is escaped above or here
        f'<article class="card product-card">\n  <a class="card-link" href="{escape(card.url)}">\n'
        f'    <div class="card-media">\n      {media}\n      {badge}\n    </div>\n'
        f'    <h3 class="card-title">{escape(card.name)}</h3>\n  </a>\n'
        f'  <p class="price">{price}</p>{rating}\n</article>'
    )
