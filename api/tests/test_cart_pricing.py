"""GET /api/v1/cart/ carries the applied coupon, the discount lines and totals from checkout's pricing."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from commerce.cart.models import Cart, CartLine
from commerce.catalog.tests.factories import ProductVariantFactory
from commerce.orders.checkout import checkout_preview
from commerce.promotions.models import Coupon
from commerce.promotions.tests.factories import AutomaticPromotionFactory, CouponFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cart():
    cart = Cart.objects.create()
    CartLine.objects.create(cart=cart, variant=ProductVariantFactory(price=Decimal("40.00"), sku="MUG-1"), quantity=1)
    return cart


def _client(cart):
    return APIClient(headers={"X-Cart-Token": str(cart.token)})


def test_cart_answer_shows_coupon_discount_lines_and_totals_as_checkout_prices_them(cart):
    CouponFactory(code="TEN")
    AutomaticPromotionFactory(name="Spring", kind="fixed", value=Decimal("5.00"))
    assert _client(cart).post("/api/v1/cart/coupon/", {"code": "TEN"}, format="json").status_code == 200

    pricing = _client(cart).get("/api/v1/cart/").json()["pricing"]

    cart.refresh_from_db()
    _, prices = checkout_preview(cart=cart)
    assert pricing["coupon_code"] == "TEN" and pricing["coupon_error"] is None
    assert (pricing["subtotal"], pricing["discount"], pricing["total"]) == (
        "40.00", "8.50", str(prices.total),
    )
    assert pricing["discount_lines"] == [{"sku": "MUG-1", "discount": "8.50"}]


def test_cart_answer_reports_a_coupon_that_stopped_applying(cart):
    CouponFactory(code="OLD")
    _client(cart).post("/api/v1/cart/coupon/", {"code": "OLD"}, format="json")
    Coupon.objects.filter(code="OLD").update(ends_at=timezone.now() - timedelta(days=1))

    response = _client(cart).get("/api/v1/cart/")

    assert response.status_code == 200
    pricing = response.json()["pricing"]
    assert pricing["coupon_error"]["code"] == "coupon_expired"
    assert (pricing["coupon_code"], pricing["discount"], pricing["discount_lines"]) == (None, "0.00", [])
