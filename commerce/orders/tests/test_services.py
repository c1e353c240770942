import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from commerce.accounts.models import User
from commerce.catalog.models import ProductVariant
from commerce.core.errors import ApplicationError, ConflictError
from commerce.notifications.models import NotificationLog
from commerce.orders.models import Order, OrderStatusLog
from commerce.orders.services import (
    ALLOWED_TRANSITIONS,
    IllegalTransition,
    order_cancel,
    order_cancel_by_customer,
    order_confirm,
    order_confirm_many,
    order_deliver,
    order_mark_paid,
    order_mark_processing,
    order_mark_returned,
    order_note_add,
    order_ship,
    order_status_change,
)
from commerce.orders.signals import order_status_changed
from commerce.orders.tests.factories import order_with_lines

pytestmark = pytest.mark.django_db
S = Order.Status


def _stock(order):
    variant = ProductVariant.objects.get(pk=order.lines.get().variant_id)
    return variant.stock_on_hand, variant.stock_allocated


def _walk(order, *statuses, by=None):
    for status in statuses:
        order_status_change(
            order_id=order.pk, to_status=status, by=by, courier="DHL", tracking_number="JD0001"
        )
    order.refresh_from_db()
    return order


@pytest.mark.parametrize(
    "start,to",
    [(f, t) for f, allowed in ALLOWED_TRANSITIONS.items() for t in S.values if t not in allowed],
)
def test_order_status_change_illegal_move_is_refused_and_writes_nothing(start, to):
    order = order_with_lines(quantities=(1,), status=start)
    with pytest.raises(IllegalTransition) as exc:
        order_status_change(order_id=order.pk, to_status=to, courier="DHL", tracking_number="1")
    assert exc.value.http_status == 409 and exc.value.code == "illegal_transition"
    order.refresh_from_db()
    assert order.status == start
    assert not OrderStatusLog.objects.exists()


def test_order_status_change_happy_path_writes_timeline_and_timestamps():
    staff = User.objects.create_user("desk@example.com", "x", is_staff=True)
    order = order_with_lines(quantities=(2,))
    order_confirm(order_id=order.pk, by=staff, note="called the customer")
    order_mark_processing(order_id=order.pk, by=staff)
    order_ship(order_id=order.pk, by=staff, courier="UPS", tracking_number="1Z999")
    order_deliver(order_id=order.pk, by=staff)
    order.refresh_from_db()
    assert order.status == S.DELIVERED
    assert order.confirmed_at and order.shipped_at and order.delivered_at and not order.cancelled_at
    assert (order.courier, order.tracking_number) == ("UPS", "1Z999")
    log = list(order.status_log.values_list("from_status", "to_status", "changed_by", "note"))
    assert log == [
        ("pending", "confirmed", staff.pk, "called the customer"),
        ("confirmed", "processing", staff.pk, ""),
        ("processing", "shipped", staff.pk, ""),
        ("shipped", "delivered", staff.pk, ""),
    ]


def test_order_status_change_unknown_status_is_400():
    order = order_with_lines(quantities=(1,))
    with pytest.raises(ApplicationError) as exc:
        order_status_change(order_id=order.pk, to_status="lost")
    assert exc.value.http_status == 400 and exc.value.code == "invalid_status"


def test_order_ship_without_tracking_number_is_refused():
    order = _walk(order_with_lines(quantities=(1,)), S.CONFIRMED, S.PROCESSING)
    with pytest.raises(ApplicationError) as exc:
        order_ship(order_id=order.pk, courier="UPS", tracking_number="  ")
    assert exc.value.code == "tracking_required" and exc.value.http_status == 400
    order.refresh_from_db()
    assert order.status == S.PROCESSING and order.tracking_number == ""


def test_order_confirm_deducts_on_hand_and_allocation():
    order = order_with_lines(quantities=(3,), stock_on_hand=10)
    assert _stock(order) == (10, 3)
    order_confirm(order_id=order.pk)
    assert _stock(order) == (7, 0)


def test_order_cancel_pending_releases_allocation():
    order = order_with_lines(quantities=(3,), stock_on_hand=10)
    order_cancel(order_id=order.pk)
    assert _stock(order) == (10, 0)
    order.refresh_from_db()
    assert order.status == S.CANCELLED and order.cancelled_at


@pytest.mark.parametrize("reached", [[S.CONFIRMED], [S.CONFIRMED, S.PROCESSING]])
def test_order_cancel_confirmed_or_processing_restocks(reached):
    order = _walk(order_with_lines(quantities=(3,), stock_on_hand=10), *reached)
    assert _stock(order) == (7, 0)
    order_cancel(order_id=order.pk)
    assert _stock(order) == (10, 0)


def test_order_cancel_after_shipping_is_refused():
    order = _walk(order_with_lines(quantities=(1,)), S.CONFIRMED, S.PROCESSING, S.SHIPPED)
    with pytest.raises(IllegalTransition):
        order_cancel(order_id=order.pk)


@pytest.mark.parametrize("reached", [[S.SHIPPED], [S.SHIPPED, S.DELIVERED]])
def test_order_mark_returned_restocks(reached):
    order = _walk(order_with_lines(quantities=(4,), stock_on_hand=10), S.CONFIRMED, S.PROCESSING, *reached)
    assert _stock(order) == (6, 0)
    order_mark_returned(order_id=order.pk)
    assert _stock(order) == (10, 0)


def test_order_cancel_by_customer_only_while_pending():
    customer = User.objects.create_user("c@example.com", "x")
    order = _walk(order_with_lines(quantities=(1,), user=customer), S.CONFIRMED)
    with pytest.raises(ConflictError) as exc:
        order_cancel_by_customer(order_id=order.pk, by=customer)
    assert exc.value.code == "order_not_pending"
    order.refresh_from_db()
    assert order.status == S.CONFIRMED


def test_order_status_change_sends_signal_inside_transaction():
    order = order_with_lines(quantities=(1,))
    seen = []

    def receiver(sender, order, from_status, to_status, by, **kwargs):
        seen.append((order.number, from_status, to_status, connection.in_atomic_block))

    order_status_changed.connect(receiver)
    try:
        order_cancel(order_id=order.pk)
    finally:
        order_status_changed.disconnect(receiver)
    assert seen == [(order.number, "pending", "cancelled", True)]


def test_order_status_change_failing_receiver_rolls_everything_back():
    order = order_with_lines(quantities=(2,), stock_on_hand=10)

    def receiver(**kwargs):
        raise RuntimeError("promotions blew up")

    order_status_changed.connect(receiver)
    try:
        with pytest.raises(RuntimeError):
            order_confirm(order_id=order.pk)
    finally:
        order_status_changed.disconnect(receiver)
    order.refresh_from_db()
    assert order.status == S.PENDING and _stock(order) == (10, 2)
    assert not OrderStatusLog.objects.exists() and not NotificationLog.objects.exists()


def test_order_status_change_emails_each_event_once_after_commit(django_capture_on_commit_callbacks):
    order = order_with_lines(quantities=(1,))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        order_confirm(order_id=order.pk)
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert [m.subject for m in mail.outbox] == [f"Your order {order.number} is confirmed"]
    with django_capture_on_commit_callbacks(execute=True):
        order_mark_processing(order_id=order.pk)  # no email for processing
        order_ship(order_id=order.pk, courier="UPS", tracking_number="1Z999")
    assert len(mail.outbox) == 2
    assert "1Z999" in mail.outbox[1].body and "UPS" in mail.outbox[1].body


def test_order_mark_paid_records_payment_once():
    order = order_with_lines(quantities=(1,))
    order_mark_paid(order_id=order.pk)
    order.refresh_from_db()
    assert order.payment_status == Order.PaymentStatus.PAID and order.status == S.PENDING
    assert order.status_log.get().note == "Marked as paid."
    with pytest.raises(ConflictError):
        order_mark_paid(order_id=order.pk)


def test_order_note_add_writes_timeline_without_status_change():
    order = order_with_lines(quantities=(1,))
    entry = order_note_add(order_id=order.pk, note="Customer asked for gift wrap")
    assert (entry.from_status, entry.to_status, entry.note) == ("pending", "pending", "Customer asked for gift wrap")
    with pytest.raises(ApplicationError):
        order_note_add(order_id=order.pk, note="   ")


def test_order_confirm_many_confirms_each_and_reports_refusals():
    first, second = order_with_lines(quantities=(1,)), order_with_lines(quantities=(1,))
    already = _walk(order_with_lines(quantities=(1,)), S.CONFIRMED)
    confirmed, errors = order_confirm_many(order_ids=[first.pk, second.pk, already.pk])
    assert {o.pk for o in confirmed} == {first.pk, second.pk}
    assert list(errors) == [already.pk]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_order_confirm_ten_parallel_confirms_deduct_once():
    order = order_with_lines(quantities=(3,), stock_on_hand=10)
    barrier = threading.Barrier(10)
    outcomes = []

    def confirm():
        try:
            barrier.wait()
            order_confirm(order_id=order.pk)
            outcomes.append("ok")
        except IllegalTransition:
            outcomes.append("409")
        except Exception as exc:  # anything else is a bug the test must show
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["409"] * 9 + ["ok"]
    assert _stock(order) == (7, 0)
    assert OrderStatusLog.objects.filter(order=order, to_status=S.CONFIRMED).count() == 1
    assert NotificationLog.objects.filter(dedupe_key=f"order:{order.pk}:confirmed").count() == 1


def test_orders_expire_pending_cancels_old_pending_orders_and_releases_stock(settings):
    from commerce.orders.tasks import orders_expire_pending

    settings.SHOP_PENDING_ORDER_TTL_HOURS = 72
    old = order_with_lines(quantities=(2,), stock_on_hand=10)
    fresh = order_with_lines(quantities=(2,), stock_on_hand=10)
    old_confirmed = _walk(order_with_lines(quantities=(2,), stock_on_hand=10), S.CONFIRMED)
    Order.objects.filter(pk__in=[old.pk, old_confirmed.pk]).update(created_at=timezone.now() - timedelta(hours=73))
    Order.objects.filter(pk=fresh.pk).update(created_at=timezone.now() - timedelta(hours=71))

    assert orders_expire_pending.delay().get() == 1

    statuses = dict(Order.objects.values_list("pk", "status"))
    assert statuses == {old.pk: S.CANCELLED, fresh.pk: S.PENDING, old_confirmed.pk: S.CONFIRMED}
    assert _stock(old) == (10, 0) and _stock(fresh) == (10, 2)
    assert "72 hours" in old.status_log.get().note
    assert orders_expire_pending.delay().get() == 0  # running again changes nothing


def test_order_status_change_inside_failed_outer_transaction_sends_no_email(django_capture_on_commit_callbacks):
    order = order_with_lines(quantities=(1,))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                order_confirm(order_id=order.pk)
                raise RuntimeError("later step failed")
        except RuntimeError:
            pass
    assert callbacks == [] and mail.outbox == []
    order.refresh_from_db()
    assert order.status == S.PENDING
