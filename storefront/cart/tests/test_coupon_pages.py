"""The cart page's coupon form: apply, refuse with the reason, remove."""

from decimal import Decimal

import pytest

from commerce.cart.models import Cart
from commerce.catalog.tests.factories import ProductVariantFactory
from commerce.promotions.tests.factories import CouponFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cart_client(client):
    variant = ProductVariantFactory(price=Decimal("40.00"), stock_on_hand=5)
    client.post("/cart/add/", {"sku": variant.sku, "quantity": 1})
    return client


def test_cart_page_coupon_apply_shows_discount(cart_client):
    CouponFactory(code="TEN", name="Ten percent")

    response = cart_client.post("/cart/coupon/", {"code": "ten"}, follow=True)

    html = response.content.decode()
    assert "Coupon TEN applied: you save $4.00." in html
    assert "Ten percent (TEN): −$4.00" in html
    assert "Subtotal after discounts: $36.00" in html
    assert Cart.objects.get().coupon_code == "TEN"


def test_cart_page_coupon_refused_shows_reason(cart_client):
    CouponFactory(code="BIG", min_subtotal=Decimal("100.00"))

    html = cart_client.post("/cart/coupon/", {"code": "big"}, follow=True).content.decode()

    assert "This coupon needs a subtotal of at least 100.00." in html
    assert Cart.objects.get().coupon_code == ""


def test_cart_page_coupon_remove(cart_client):
    CouponFactory(code="TEN")
    cart_client.post("/cart/coupon/", {"code": "TEN"})

    html = cart_client.post("/cart/coupon/remove/", follow=True).content.decode()

    assert "Coupon removed." in html
    assert Cart.objects.get().coupon_code == ""


def test_checkout_page_with_a_coupon_expired_since_applied_says_why(cart_client):
    from datetime import timedelta

    from django.utils import timezone

    from commerce.orders.models import ShippingMethod
    from commerce.promotions.models import Coupon

    ShippingMethod.objects.create(name="Standard", code="standard", price=Decimal("5.00"))
    CouponFactory(code="TEN")
    cart_client.post("/cart/coupon/", {"code": "TEN"})
    Coupon.objects.filter(code="TEN").update(ends_at=timezone.now() - timedelta(minutes=1))

    response = cart_client.get("/checkout/")

    assert response.status_code == 200
    assert "This coupon has expired." in response.content.decode()
