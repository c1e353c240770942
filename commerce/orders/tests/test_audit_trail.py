"""One audit trail: an order's whole story in Wagtail's site history report, filterable there."""

import pytest
from django.contrib.contenttypes.models import ContentType

from commerce.accounts.models import User
from commerce.catalog.services import variants_update
from commerce.orders.models import Order
from commerce.orders.refunds import order_refund
from commerce.orders.returns import return_approve, return_receive, return_request_create
from commerce.orders.services import (
    order_confirm,
    order_deliver,
    order_fulfil,
    order_mark_paid,
    order_note_add,
)
from commerce.orders.tests.factories import order_with_lines

pytestmark = pytest.mark.django_db
REPORT = "/admin/reports/site-history/"


@pytest.fixture
def admin(client):
    user = User.objects.create_superuser(email="chief@example.com", password="pw-123456-x")
    client.force_login(user)
    return client


def _story():
    staff = User.objects.create_user(email="desk@example.com", password="x", is_staff=True)
    customer = User.objects.create_user(email="cust@example.com", password="x")
    order = order_with_lines(quantities=(2, 1), user=customer, number="CW-777001")
    first, second = order.lines.order_by("id")
    order_confirm(order_id=order.pk, by=staff)
    order_mark_paid(order_id=order.pk, by=staff)
    order_note_add(order_id=order.pk, note="Gift wrap, please", by=staff)
    order_fulfil(order_id=order.pk, quantities={first.pk: 2}, courier="DHL", tracking_number="JD-1", by=staff)
    order_fulfil(order_id=order.pk, quantities={second.pk: 1}, courier="UPS", tracking_number="1Z-2", by=staff)
    order_deliver(order_id=order.pk, by=staff)
    rr = return_request_create(order_id=order.pk, lines={first.pk: 1}, reason="Too small", by=customer)
    return_approve(return_id=rr.pk, by=staff)
    return_receive(return_id=rr.pk, by=staff)
    order_refund(order_id=order.pk, lines={first.pk: 1}, reason="Returned item", by=staff)
    return order, staff


def test_site_history_report_shows_one_orders_whole_story(admin):
    order, _staff = _story()
    ct = ContentType.objects.get_for_model(Order)
    page = admin.get(REPORT, {"object_type": ct.pk}).content.decode()
    for text in (
        "Status changed: Pending → Confirmed", "Payment status: Unpaid → Paid", "Note: Gift wrap, please",
        f"Fulfilment {order.number}-F1 shipped (2 units) with DHL, tracking JD-1",
        "Status changed: Confirmed → Partially shipped", "Status changed: Partially shipped → Shipped",
        "Status changed: Shipped → Delivered", f"Return {order.number}-R1 requested (1 units)",
        f"Return {order.number}-R1 approved", f"Return {order.number}-R1 received (1 units restocked)",
        "Refund CN-000001 of 15.00 USD (Returned item)", "Invoice INV-000001 issued",
    ):
        assert text in page, text
    assert page.count("CW-777001") >= 14  # every entry names the order
    assert "desk@example.com" in page or "desk" in page


def test_site_history_report_filters_by_our_action_types(admin):
    order, _staff = _story()
    page = admin.get(REPORT, {"action": "cartwheel.order.fulfil"}).content.decode()
    assert f"Fulfilment {order.number}-F1 shipped" in page and f"Fulfilment {order.number}-F2 shipped" in page
    assert "Status changed" not in page
    choices = admin.get(REPORT).content.decode()
    # the report offers the action types that occur in the log, under our labels
    for label in ("Order: refund", "Order: fulfilment shipped", "Order: return requested", "Order: invoice issued"):
        assert label in choices


def test_variant_grid_stock_and_price_edits_are_logged_with_who_and_what():
    from decimal import Decimal

    from wagtail.models import ModelLogEntry

    from commerce.catalog.tests.factories import ProductVariantFactory

    editor = User.objects.create_user(email="shop@example.com", password="x", is_staff=True)
    variant = ProductVariantFactory(stock_on_hand=5, sku="TEE-S")
    variants_update(product=variant.product, changes={variant.pk: {"stock_on_hand": 9, "price": Decimal("19.99")}}, by=editor)
    entries = {e.action: e for e in ModelLogEntry.objects.filter(object_id=str(variant.pk))}
    stock, price = entries["cartwheel.stock.change"], entries["cartwheel.price.change"]
    assert stock.user == editor and stock.message == "Stock of TEE-S: 5 → 9 (variant grid)"
    assert price.data["to"] == "19.99"


def test_review_moderation_and_coupon_use_are_logged():
    from decimal import Decimal

    from wagtail.models import ModelLogEntry

    from commerce.promotions.services import coupon_redeem, coupon_release
    from commerce.promotions.tests.factories import CouponFactory
    from commerce.reviews.models import Review
    from commerce.reviews.services import reviews_moderate
    from commerce.reviews.tests.factories import ReviewFactory

    moderator = User.objects.create_user(email="mod@example.com", password="x", is_staff=True)
    review = ReviewFactory(status=Review.Status.PENDING)
    reviews_moderate(review_ids=[review.pk], status=Review.Status.APPROVED, moderator=moderator)
    logged = ModelLogEntry.objects.get(object_id=str(review.pk), action="cartwheel.review.approve")
    assert logged.user == moderator

    from django.db import transaction

    coupon = CouponFactory(code="SAVE5")
    order = order_with_lines(quantities=(1,))
    with transaction.atomic():
        coupon_redeem(code="SAVE5", order=order, discount=Decimal("5.00"))
    coupon_release(order=order, reason="order cancelled")
    actions = list(ModelLogEntry.objects.filter(object_id=str(coupon.pk), content_type__model="coupon")
                   .order_by("id").values_list("action", flat=True))
    assert actions[-2:] == ["cartwheel.coupon.use", "cartwheel.coupon.release"]
