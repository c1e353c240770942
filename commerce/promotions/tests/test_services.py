"""Coupon validation (every refusal reason), cart coupon, redeem under a lock and release."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from commerce.cart.models import Cart, CartLine
from commerce.catalog.tests.factories import CategoryFactory, ProductFactory, ProductVariantFactory
from commerce.promotions.errors import CouponError
from commerce.promotions.models import Coupon, CouponUsage
from commerce.promotions.pricing import DiscountLine
from commerce.promotions.services import (
    CustomerRef,
    cart_coupon_apply,
    cart_coupon_remove,
    cart_discounts_compute,
    coupon_redeem,
    coupon_release,
    coupon_validate,
)

from .factories import AutomaticPromotionFactory, CouponFactory, order_create

pytestmark = pytest.mark.django_db


def _lines(*products_and_amounts):
    return [
        DiscountLine(key=i, product_id=p.pk, category_id=p.category_id, amount=Decimal(a))
        for i, (p, a) in enumerate(products_and_amounts)
    ]


def _reason(**kwargs) -> str:
    with pytest.raises(CouponError) as info:
        coupon_validate(**kwargs)
    return info.value.code


@pytest.fixture
def product():
    return ProductFactory()


def test_coupon_validate_unknown_code(product):
    assert _reason(code="NOPE", lines=_lines((product, "20.00"))) == "coupon_unknown"
    assert _reason(code="   ", lines=_lines((product, "20.00"))) == "coupon_unknown"


def test_coupon_validate_inactive_or_draft_is_unknown(product):
    CouponFactory(code="OFF", is_active=False)
    CouponFactory(code="DRAFT", live=False)
    assert _reason(code="off", lines=_lines((product, "20.00"))) == "coupon_unknown"
    assert _reason(code="draft", lines=_lines((product, "20.00"))) == "coupon_unknown"


def test_coupon_validate_expired(product):
    CouponFactory(code="OLD", ends_at=timezone.now() - timedelta(minutes=1))
    assert _reason(code="old", lines=_lines((product, "20.00"))) == "coupon_expired"


def test_coupon_validate_not_yet_valid(product):
    CouponFactory(code="SOON", starts_at=timezone.now() + timedelta(days=1))
    assert _reason(code="soon", lines=_lines((product, "20.00"))) == "coupon_not_yet_valid"


def test_coupon_validate_below_minimum(product):
    CouponFactory(code="MIN50", min_subtotal=Decimal("50.00"))
    with pytest.raises(CouponError) as info:
        coupon_validate(code="min50", lines=_lines((product, "49.99")))
    assert info.value.code == "coupon_below_minimum"
    assert info.value.details == {"min_subtotal": "50.00", "subtotal": "49.99"}


def test_coupon_validate_exhausted(product):
    coupon = CouponFactory(code="FIVE", usage_limit=1)
    CouponUsage.objects.create(coupon=coupon, order=order_create(email="a@example.com"), email="a@example.com")
    with pytest.raises(CouponError) as info:
        coupon_validate(code="five", lines=_lines((product, "20.00")))
    assert (info.value.code, info.value.http_status) == ("coupon_exhausted", 409)


def test_coupon_validate_already_used_by_guest_email(product):
    coupon = CouponFactory(code="ONCE", per_customer_limit=1)
    CouponUsage.objects.create(coupon=coupon, order=order_create(email="ann@example.com"), email="ann@example.com")
    lines = _lines((product, "20.00"))

    assert _reason(code="once", lines=lines, customer=CustomerRef(email="ANN@example.com")) == "coupon_already_used"
    # someone else may still use it
    assert coupon_validate(code="once", lines=lines, customer=CustomerRef(email="bob@example.com")).discount == Decimal(
        "2.00"
    )


def test_coupon_validate_already_used_by_user(product):
    user = get_user_model().objects.create_user(email="cust@example.com", password="x")
    coupon = CouponFactory(code="ONCE", per_customer_limit=1)
    CouponUsage.objects.create(
        coupon=coupon, order=order_create(email="other@example.com", user=user), user=user, email="other@example.com"
    )
    assert (
        _reason(code="ONCE", lines=_lines((product, "20.00")), customer=CustomerRef(user_id=user.pk))
        == "coupon_already_used"
    )


def test_coupon_validate_not_applicable_to_cart(product):
    other = ProductFactory()
    CouponFactory(code="OTHER", products=[other])
    assert _reason(code="other", lines=_lines((product, "20.00"))) == "coupon_not_applicable"


def test_coupon_validate_category_restriction_includes_subcategories():
    shoes = CategoryFactory(name="Shoes")
    boots = CategoryFactory(name="Boots", parent=shoes)
    boot, hat = ProductFactory(category=boots), ProductFactory()
    CouponFactory(code="SHOES", categories=[shoes], value=Decimal("50"))

    outcome = coupon_validate(code="shoes", lines=_lines((boot, "40.00"), (hat, "10.00")))

    assert outcome.discount == Decimal("20.00")
    assert outcome.line_discounts == {0: Decimal("20.00"), 1: Decimal("0.00")}


def test_coupon_code_is_case_insensitive_and_unique():
    coupon = CouponFactory(code=" summer10 ")
    assert coupon.code == "SUMMER10"
    from django.db import IntegrityError

    with pytest.raises(IntegrityError), transaction.atomic():
        Coupon.objects.create(code="Summer10", name="dupe", value=Decimal("5"), live=True)


def test_cart_discounts_compute_automatic_and_coupon_stack(product):
    AutomaticPromotionFactory(value=Decimal("10"))
    AutomaticPromotionFactory(value=Decimal("20"), live=False)  # a draft campaign does nothing
    CouponFactory(code="FIVER", kind=Coupon.Kind.FIXED, value=Decimal("5.00"))

    outcome = cart_discounts_compute(lines=_lines((product, "100.00")), coupon_code="fiver")

    assert outcome.discount == Decimal("15.00")
    assert outcome.coupon.amount == Decimal("5.00")
    assert outcome.coupon_code == "FIVER"


def test_cart_discounts_compute_free_shipping_coupon(product):
    CouponFactory(code="SHIPFREE", kind=Coupon.Kind.FREE_SHIPPING, value=Decimal("0"))
    outcome = cart_discounts_compute(lines=_lines((product, "10.00")), coupon_code="shipfree")
    assert outcome.free_shipping is True
    assert outcome.discount == Decimal("0.00")


def test_cart_coupon_apply_stores_normalised_code_and_remove_clears():
    cart = Cart.objects.create()
    variant = ProductVariantFactory(price=Decimal("25.00"))
    CartLine.objects.create(cart=cart, variant=variant, quantity=2)
    CouponFactory(code="TEN")

    outcome = cart_coupon_apply(cart=cart, code=" ten ")

    cart.refresh_from_db()
    assert cart.coupon_code == "TEN"
    assert outcome.discount == Decimal("5.00")
    cart_coupon_remove(cart=cart)
    cart.refresh_from_db()
    assert cart.coupon_code == ""


def test_cart_coupon_apply_refused_code_is_not_stored():
    cart = Cart.objects.create(coupon_code="")
    CartLine.objects.create(cart=cart, variant=ProductVariantFactory(), quantity=1)
    CouponFactory(code="BIG", min_subtotal=Decimal("100"))

    with pytest.raises(CouponError):
        cart_coupon_apply(cart=cart, code="big")
    cart.refresh_from_db()
    assert cart.coupon_code == ""


def test_coupon_redeem_records_usage_and_release_gives_it_back():
    coupon = CouponFactory(code="ONE", usage_limit=1)
    first, second = order_create(email="a@example.com"), order_create(email="b@example.com")
    with transaction.atomic():
        coupon_redeem(code="one", order=first, discount=Decimal("3.333"))
    usage = CouponUsage.objects.get()
    assert (usage.coupon, usage.order, usage.email, usage.discount) == (coupon, first, "a@example.com", Decimal("3.33"))

    with pytest.raises(CouponError) as info, transaction.atomic():
        coupon_redeem(code="one", order=second)
    assert info.value.code == "coupon_exhausted"

    assert coupon_release(order=first) == 1
    with transaction.atomic():
        coupon_redeem(code="one", order=second)
    assert CouponUsage.objects.get().order == second


@pytest.mark.django_db(transaction=True)
def test_coupon_redeem_refuses_outside_a_transaction():
    CouponFactory(code="X")
    with pytest.raises(RuntimeError):
        coupon_redeem(code="x", order=order_create())


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_coupon_redeem_limit_holds_under_30_parallel_redeems():
    coupon = CouponFactory(code="RUSH", usage_limit=5)
    orders = [order_create(email=f"p{i}@example.com") for i in range(30)]
    barrier = threading.Barrier(30)
    outcomes = []

    def redeem(order):
        try:
            barrier.wait()
            with transaction.atomic():
                coupon_redeem(code="rush", order=order)
            outcomes.append("ok")
        except CouponError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=redeem, args=(o,)) for o in orders]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert outcomes.count("ok") == 5
    assert outcomes.count("coupon_exhausted") == 25
    assert CouponUsage.objects.filter(coupon=coupon).count() == 5
