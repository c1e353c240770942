"""Price and availability are defined once (models.py): their SQL and Python forms agree everywhere."""

from decimal import Decimal

import pytest

from commerce.catalog.models import Product, ProductVariant, available_quantity, effective_price, price_range
from commerce.catalog.selectors import ProductFilters, product_list_rows
from commerce.catalog.tests.factories import ProductFactory, ProductVariantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def products():
    priced = ProductFactory(slug="priced", base_price=Decimal("10.00"))
    ProductVariantFactory(product=priced, price=Decimal("12.50"), stock_on_hand=3, stock_allocated=3)
    ProductVariantFactory(product=priced, price=None, stock_on_hand=5, stock_allocated=2)
    ProductVariantFactory(product=priced, price=Decimal("1.00"), stock_on_hand=9, is_active=False)
    sold_out = ProductFactory(slug="sold-out", base_price=Decimal("7.00"))
    ProductVariantFactory(product=sold_out, price=Decimal("8.00"), stock_on_hand=2, stock_allocated=2)
    ProductFactory(slug="no-variants", base_price=Decimal("4.00"))
    return Product.objects.all()


def test_price_and_availability_definitions_agree(products):
    for variant in ProductVariant.objects.with_effective_price().with_available().select_related("product"):
        assert variant.selling_price == variant.effective_price == effective_price(variant.price, variant.product.base_price)
        assert variant.available == available_quantity(variant.stock_on_hand, variant.stock_allocated)
    in_stock_ids = set(ProductVariant.objects.in_stock().values_list("id", flat=True))
    assert in_stock_ids == {v.id for v in ProductVariant.objects.all() if v.stock_available > 0}


def test_product_card_query_gives_price_range_and_stock_from_active_variants(products):
    cards = {p.slug: p for p in Product.objects.cards()}
    assert (cards["priced"].price_min, cards["priced"].price_max, cards["priced"].in_stock) == (
        Decimal("10.00"), Decimal("12.50"), True,
    )
    assert (cards["sold-out"].price_min, cards["sold-out"].in_stock) == (Decimal("8.00"), False)
    assert (cards["no-variants"].price_min, cards["no-variants"].price_max, cards["no-variants"].in_stock) == (
        Decimal("4.00"), Decimal("4.00"), False,
    )
    for product in products.prefetch_related("variants"):
        selling = [v.effective_price for v in product.variants.all() if v.is_active]
        card = cards[product.slug]
        assert price_range(selling, product.base_price) == (card.price_min, card.price_max)
    rows = {r["slug"]: r for r in product_list_rows(filters=ProductFilters(), ordering="name", offset=0, limit=10)}
    for slug, card in cards.items():
        assert (rows[slug]["price_min"], rows[slug]["price_max"], rows[slug]["in_stock"]) == (
            card.price_min, card.price_max, card.in_stock,
        )
