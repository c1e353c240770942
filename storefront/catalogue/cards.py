"""Product cards: one shape for the catalogue, search, the home page's grids and "more from this
category", so that every grid shows the same picture, name and price label.

The price label is "From $X" whenever the product's variants differ in price, and "$X" otherwise,
wherever the card appears.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.urls import reverse

from .images import CARD, Picture, pictures


@dataclass(frozen=True)
class Card:
    name: str
    url: str
    price_min: Decimal
    price_max: Decimal
    in_stock: bool
    picture: Picture | None
    compare_at: Decimal | None = None  # the base price when a variant sells below it (a sale)
    rating_avg: Decimal | None = None
    rating_count: int = 0

    @property
    def price_varies(self) -> bool:
        return self.price_min != self.price_max


def cards_from_rows(rows: Iterable[dict]) -> list[Card]:
    """Cards from selectors.product_list_rows (the catalogue); one rendition query at most."""
    rows = list(rows)
    found = pictures(image_ids=[row["image_id"] for row in rows], spec=CARD)
    return [
        Card(
            name=row["name"],
            url=reverse("shop-product", kwargs={"slug": row["slug"]}),
            price_min=row["price_min"],
            price_max=row["price_max"],
            in_stock=bool(row["in_stock"]),
            picture=found.get(row["image_id"]),
            rating_avg=row.get("rating_avg"),
            rating_count=row.get("rating_count") or 0,
        )
        for row in rows
    ]


def cards_from_products(products: Iterable) -> list[Card]:
    """Cards from cms_pages.selectors' card products (price_from, price_to, on_sale, in_stock
    annotated, images prefetched)."""
    products = list(products)
    first_images = {}
    for product in products:
        ordered = sorted(product.images.all(), key=lambda pi: (pi.sort_order or 0, pi.pk or 0))
        first_images[product.pk] = ordered[0].image_id if ordered else None
    found = pictures(image_ids=first_images.values(), spec=CARD)
    cards = []
    for product in products:
        price_min = product.price_from
        price_max = getattr(product, "price_to", None) or price_min
        cards.append(
            Card(
                name=product.name,
                url=product.get_absolute_url(),
                price_min=price_min,
                price_max=max(price_min, price_max),
                in_stock=bool(product.in_stock),
                picture=found.get(first_images[product.pk]),
                compare_at=product.base_price if getattr(product, "on_sale", False) else None,
                rating_avg=product.rating_avg,
                rating_count=product.rating_count or 0,
            )
        )
    return cards
