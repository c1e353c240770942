from decimal import Decimal

import pytest

from commerce.cart.models import Cart, CartLine
from commerce.catalog.tests.factories import ProductVariantFactory
from commerce.orders.checkout import ShippingAddress
from commerce.orders.models import ShippingMethod, ShippingZone
from commerce.orders.pricing_tables import pricing_tables
from commerce.promotions.selectors import automatic_promotions_in_force

GUEST = {
    "email": "guest@example.com",
    "phone": "+12025550143",
    "shipping_address": {
        "full_name": "Gus Guest", "line1": "1 Main Street", "city": "Springfield", "postal_code": "12345",
        "country": "US",
    },
    "shipping_method": "standard",
    "payment_method": "cod",
}


@pytest.fixture
def standard(db):
    zone = ShippingZone.objects.create(name="US", countries="US")
    return ShippingMethod.objects.create(
        name="Standard", code="standard", zone=zone, price=Decimal("5.00"), free_over=Decimal("100.00")
    )


def cart_with(*variants_and_quantities, user=None) -> Cart:
    cart = Cart.objects.create(user=user)
    for variant, quantity in variants_and_quantities:
        CartLine.objects.create(cart=cart, variant=variant, quantity=quantity)
    return cart


def guest_address() -> ShippingAddress:
    return ShippingAddress(full_name="Gus Guest", line1="1 Main Street", city="Springfield", country="US",
                           postal_code="12345")


@pytest.fixture
def variant(db):
    return ProductVariantFactory(stock_on_hand=10, price=Decimal("12.50"))


@pytest.fixture
def customer(db):
    from commerce.accounts.models import User

    return User.objects.create_user(email="cara.customer@example.com", password="pw-123456-x")


def warm_process_copies() -> None:
    """Load the per-process copies of shipping methods, tax rates and automatic promotions, as a
    running server has them (query-count tests measure that steady state)."""
    pricing_tables()
    automatic_promotions_in_force()
