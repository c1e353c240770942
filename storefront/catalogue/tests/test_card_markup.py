"""Product cards and pictures rendered in Python (storefront/catalogue/markup.py) say what a shopper
and a screen reader need, and escape whatever an editor typed."""

from decimal import Decimal
from html.parser import HTMLParser

from storefront.catalogue.cards import Card
from storefront.catalogue.images import Picture, PictureSource
from storefront.catalogue.markup import CARD_SIZES, card_html, picture_html

PICTURE = Picture(
    src="/media/a.jpeg",
    width=360,
    height=360,
    sources=(PictureSource(type="image/avif", srcset="/media/a.avif 360w, /media/b.avif 720w"),),
    srcset="/media/a.jpeg 360w, /media/b.jpeg 720w",
)


class _Tags(HTMLParser):
    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)

    def first(self, tag: str) -> dict:
        return next(attrs for name, attrs in self.tags if name == tag)

    def words(self) -> str:
        return " ".join("".join(self.text).split())


def _card(**overrides) -> Card:
    fields = {
        "name": "Tee <b>&</b> co",
        "url": "/shop/product/tee/",
        "price_min": Decimal("12.00"),
        "price_max": Decimal("12.00"),
        "in_stock": True,
        "picture": PICTURE,
    }
    return Card(**{**fields, **overrides})


def test_a_card_names_its_product_once_links_it_and_escapes_the_name():
    html = card_html(_card())
    parsed = _Tags(html)
    assert "<b>" not in html and "Tee &lt;b&gt;&amp;&lt;/b&gt; co" in html
    assert parsed.first("a")["href"] == "/shop/product/tee/"
    assert parsed.first("img")["alt"] == ""  # the title reads the name; the picture is not read twice
    assert parsed.words() == "Tee <b>&</b> co $12.00"


def test_a_card_says_from_when_variants_differ_in_price_and_shows_sale_and_sold_out():
    assert "From $9.00" in _Tags(card_html(_card(price_min=Decimal("9.00")))).words()
    sale = _Tags(card_html(_card(compare_at=Decimal("15.00")))).words()
    assert sale.startswith("Sale") and "$12.00 was $15.00" in sale
    assert _Tags(card_html(_card(in_stock=False))).words().startswith("Sold out")


def test_a_card_shows_its_rating_with_words_for_screen_readers():
    words = _Tags(card_html(_card(rating_avg=Decimal("4.25"), rating_count=1))).words()
    assert "★ 4.3 out of 5 stars, (1 review)" in words
    assert "review" not in _Tags(card_html(_card())).words()


def test_a_card_without_a_picture_shows_the_initial_as_a_placeholder():
    parsed = _Tags(card_html(_card(picture=None, name="Mug")))
    assert ("span", {"class": "card-placeholder", "aria-hidden": "true"}) in parsed.tags
    assert not any(tag == "img" for tag, _ in parsed.tags)


def test_a_picture_offers_every_format_with_real_widths_and_loads_lazily_below_the_fold():
    parsed = _Tags(picture_html(PICTURE, alt='A "tee"', sizes=CARD_SIZES, eager=False))
    source, img = parsed.first("source"), parsed.first("img")
    assert source == {"type": "image/avif", "srcset": PICTURE.sources[0].srcset, "sizes": CARD_SIZES}
    assert img["srcset"] == PICTURE.srcset and img["alt"] == 'A "tee"'
    assert (img["width"], img["height"], img["loading"]) == ("360", "360", "lazy")
    eager = _Tags(picture_html(PICTURE, alt="", sizes="100vw", eager=True)).first("img")
    assert eager["fetchpriority"] == "high" and "loading" not in eager
