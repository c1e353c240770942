"""Order factories: an order with lines whose stock is already allocated, as checkout leaves it."""

from decimal import Decimal

import factory
from django.db import transaction

from commerce.catalog.stock import stock_allocate
from commerce.catalog.tests.factories import ProductVariantFactory
from commerce.orders.models import Order, OrderLine


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    number = factory.Sequence(lambda n: f"CW-T{n:06d}")
    email = factory.Sequence(lambda n: f"buyer{n}@example.com")
    phone = "+12025550143"
    ship_full_name = "Ada Buyer"
    ship_line1 = "1 Main Street"
    ship_city = "Springfield"
    ship_postal_code = "12345"
    ship_country = "US"
    shipping_method_name = "Standard"
    currency = "USD"
    subtotal = Decimal("30.00")
    shipping = Decimal("5.00")
    total = Decimal("35.00")


def order_with_lines(*, quantities=(2,), stock_on_hand=10, allocate=True, **order_fields) -> Order:
    """An order with one line per quantity, each on a fresh variant; stock allocated like checkout does."""
    order = OrderFactory(**order_fields)
    pairs = []
    for qty in quantities:
        variant = ProductVariantFactory(stock_on_hand=stock_on_hand)
        OrderLine.objects.create(
            order=order,
            variant=variant,
            product=variant.product,
            product_name=variant.product.name,
            sku=variant.sku,
            attributes={"Size": "M"},
            unit_price=Decimal("15.00"),
            quantity=qty,
            line_total=Decimal("15.00") * qty,
        )
        pairs.append((variant.pk, qty))
    if allocate:
        with transaction.atomic():
            stock_allocate(quantities=pairs)
    return order
