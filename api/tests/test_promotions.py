"""`/api/v1/cart/coupon/`: apply and remove a code on the current cart; every refusal is JSON."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from commerce.cart.models import Cart, CartLine
from commerce.catalog.tests.factories import ProductVariantFactory
from commerce.promotions.models import Coupon
from commerce.promotions.tests.factories import AutomaticPromotionFactory, CouponFactory
from commerce.reviews.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/cart/coupon/"


@pytest.fixture
def cart():
    cart = Cart.objects.create()
    CartLine.objects.create(cart=cart, variant=ProductVariantFactory(price=Decimal("40.00")), quantity=1)
    return cart


def _client(cart):
    return APIClient(headers={"X-Cart-Token": str(cart.token)})


def test_cart_coupon_apply_returns_discount_and_keeps_code(cart):
    CouponFactory(code="TEN")
    AutomaticPromotionFactory(name="Spring", kind="fixed", value=Decimal("5.00"))

    response = _client(cart).post(URL, {"code": "ten"}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert body["coupon_code"] == "TEN"
    # automatic 5.00 first, then 10% of the remaining 35.00
    assert (body["subtotal"], body["discount"], body["subtotal_after_discount"]) == ("40.00", "8.50", "31.50")
    assert [p["name"] for p in body["promotions"]] == ["Spring", "Coupon TEN"]
    cart.refresh_from_db()
    assert cart.coupon_code == "TEN"


def test_cart_coupon_delete_removes_code(cart):
    cart.coupon_code = "TEN"
    cart.save()
    response = _client(cart).delete(URL)
    assert response.status_code == 200
    assert response.json()["discount"] == "0.00"
    cart.refresh_from_db()
    assert cart.coupon_code == ""


@pytest.mark.parametrize(
    ("coupon_fields", "expected_status", "expected_code"),
    [
        (None, 400, "coupon_unknown"),
        ({"ends_at": timezone.now() - timedelta(days=1)}, 400, "coupon_expired"),
        ({"starts_at": timezone.now() + timedelta(days=1)}, 400, "coupon_not_yet_valid"),
        ({"min_subtotal": Decimal("100.00")}, 400, "coupon_below_minimum"),
        ({"usage_limit": 0}, 409, "coupon_exhausted"),
        ({"products": "other"}, 400, "coupon_not_applicable"),
    ],
)
def test_cart_coupon_apply_refusal_reasons(cart, coupon_fields, expected_status, expected_code):
    if coupon_fields is not None:
        if coupon_fields.get("products") == "other":
            coupon_fields = {"products": [ProductVariantFactory().product]}
        CouponFactory(code="CODE", **coupon_fields)

    response = _client(cart).post(URL, {"code": "code"}, format="json")

    assert response.status_code == expected_status
    assert response.json()["error"]["code"] == expected_code
    cart.refresh_from_db()
    assert cart.coupon_code == ""


def test_cart_coupon_apply_already_used_by_logged_in_customer():
    from commerce.promotions.models import CouponUsage
    from commerce.promotions.tests.factories import order_create

    user = UserFactory()
    cart = Cart.objects.create(user=user)
    CartLine.objects.create(cart=cart, variant=ProductVariantFactory(), quantity=1)
    coupon = CouponFactory(code="ONCE", per_customer_limit=1)
    CouponUsage.objects.create(
        coupon=coupon, order=order_create(user=user, email=user.email), user=user, email=user.email
    )
    api = APIClient()
    api.force_authenticate(user)

    response = api.post(URL, {"code": "once"}, format="json")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "coupon_already_used"


def test_cart_coupon_apply_without_cart_404_and_blank_code_400():
    assert APIClient().post(URL, {"code": "X"}, format="json").status_code == 404
    cart = Cart.objects.create()
    assert _client(cart).post(URL, {"code": ""}, format="json").status_code == 400


def test_cart_coupon_free_shipping(cart):
    CouponFactory(code="SHIP", kind=Coupon.Kind.FREE_SHIPPING, value=Decimal("0"))
    body = _client(cart).post(URL, {"code": "Ship"}, format="json").json()
    assert (body["free_shipping"], body["discount"]) == (True, "0.00")
