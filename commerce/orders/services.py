"""Order workflow: every status change goes through `order_status_change`.

It locks the order row, re-reads the status under the lock, refuses moves the transition map does
not allow, applies the stock effect of the move, writes the timeline (`OrderStatusLog`), tells
other apps through `order_status_changed`, gives a cancelled order's coupon use back (promotions
service, called directly: orders depend on promotions, never the reverse) and emails the customer after commit.
Because the status is re-read under the lock, two racing confirms serialise: the second one sees
"confirmed" and is refused, so stock is deducted once.
"""

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from commerce.catalog.stock import stock_deduct, stock_release, stock_restock
from commerce.core.errors import ApplicationError, ConflictError, NotFoundError
from commerce.promotions.services import coupon_release

from .models import Order, OrderStatusLog
from .notifications import ORDER_EVENTS, order_notify
from .signals import order_status_changed

Status = Order.Status

ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    Status.PENDING: frozenset({Status.CONFIRMED, Status.CANCELLED}),
    Status.CONFIRMED: frozenset({Status.PROCESSING, Status.CANCELLED}),
    Status.PROCESSING: frozenset({Status.SHIPPED, Status.CANCELLED}),
    Status.SHIPPED: frozenset({Status.DELIVERED, Status.RETURNED}),
    Status.DELIVERED: frozenset({Status.RETURNED}),
    Status.CANCELLED: frozenset(),
    Status.RETURNED: frozenset(),
}

# The moment each status was reached, for the statuses the order keeps a timestamp of.
TIMESTAMP_FIELDS = {
    Status.CONFIRMED: "confirmed_at",
    Status.SHIPPED: "shipped_at",
    Status.DELIVERED: "delivered_at",
    Status.CANCELLED: "cancelled_at",
}


class IllegalTransition(ConflictError):
    code = "illegal_transition"


class OrderStatusMismatch(ConflictError):
    code = "order_not_pending"


def order_allowed_transitions(*, status: str) -> frozenset[str]:
    return ALLOWED_TRANSITIONS.get(status, frozenset())


def _lock_order(order_id: int) -> Order:
    try:
        return Order.objects.select_for_update(of=("self",)).get(pk=order_id)
    except Order.DoesNotExist:
        raise NotFoundError("Order not found.")


def _line_quantities(order: Order) -> list[tuple[int, int]]:
    # lines whose variant was deleted since checkout have nothing left to move
    return list(order.lines.filter(variant__isnull=False).values_list("variant_id", "quantity"))


def _stock_effect(from_status: str, to_status: str) -> Callable | None:
    """Which stock primitive a move calls: allocation while pending, on-hand once confirmed."""
    if to_status == Status.CONFIRMED:
        return stock_deduct
    if to_status == Status.CANCELLED:
        return stock_release if from_status == Status.PENDING else stock_restock
    if to_status == Status.RETURNED:
        return stock_restock
    return None


@transaction.atomic
def order_status_change(
    *,
    order_id: int,
    to_status: str,
    by=None,
    note: str = "",
    courier: str = "",
    tracking_number: str = "",
    expected_from: str | None = None,
) -> Order:
    """Move an order to `to_status`. Raises IllegalTransition (409) for a move the map refuses.

    `expected_from` refuses the move if the order left that status
    in the meantime (409 `order_not_<status>`), e.g. a customer cancelling "while pending".
    """
    if to_status not in Status.values:
        raise ApplicationError(f"Unknown status {to_status!r}.", code="invalid_status")
    courier, tracking_number = courier.strip(), tracking_number.strip()
    if to_status == Status.SHIPPED and not (courier and tracking_number):
        raise ApplicationError(
            "Shipping needs a courier and a tracking number.",
            code="tracking_required",
            details={"courier": bool(courier), "tracking_number": bool(tracking_number)},
        )

    order = _lock_order(order_id)
    from_status = order.status  # read under the lock: the only value that counts
    if expected_from is not None and from_status != expected_from:
        raise OrderStatusMismatch(
            f"Order {order.number} is {order.get_status_display().lower()}, no longer {expected_from}.",
            code=f"order_not_{expected_from}",
            details={"status": from_status},
        )
    if to_status not in order_allowed_transitions(status=from_status):
        raise IllegalTransition(
            f"An order cannot go from {from_status} to {to_status}.",
            details={"from": from_status, "to": to_status,
                     "allowed": sorted(order_allowed_transitions(status=from_status))},
        )

    effect = _stock_effect(from_status, to_status)
    if effect is not None:
        quantities = _line_quantities(order)
        if quantities:
            effect(quantities=quantities)

    now = timezone.now()
    order.status = to_status
    update_fields = ["status", "updated_at"]
    if field := TIMESTAMP_FIELDS.get(to_status):
        setattr(order, field, now)
        update_fields.append(field)
    if to_status == Status.SHIPPED:
        order.courier, order.tracking_number = courier, tracking_number
        update_fields += ["courier", "tracking_number"]
    order.save(update_fields=update_fields)
    OrderStatusLog.objects.create(
        order=order, from_status=from_status, to_status=to_status, changed_by=_user_or_none(by), note=note
    )
    if to_status == Status.CANCELLED and order.coupon_code:
        # the coupon use comes back only if the cancel commits (same transaction)
        coupon_release(order=order)
    order_status_changed.send(sender=Order, order=order, from_status=from_status, to_status=to_status, by=by)
    if to_status in ORDER_EVENTS:
        order_notify(order=order, event=to_status)
    return order


def _user_or_none(user):
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def order_confirm(*, order_id: int, by=None, note: str = "") -> Order:
    return order_status_change(order_id=order_id, to_status=Status.CONFIRMED, by=by, note=note)


def order_mark_processing(*, order_id: int, by=None, note: str = "") -> Order:
    return order_status_change(order_id=order_id, to_status=Status.PROCESSING, by=by, note=note)


def order_ship(*, order_id: int, courier: str, tracking_number: str, by=None, note: str = "") -> Order:
    return order_status_change(
        order_id=order_id, to_status=Status.SHIPPED, by=by, note=note,
        courier=courier, tracking_number=tracking_number,
    )


def order_deliver(*, order_id: int, by=None, note: str = "") -> Order:
    return order_status_change(order_id=order_id, to_status=Status.DELIVERED, by=by, note=note)


def order_cancel(*, order_id: int, by=None, note: str = "") -> Order:
    return order_status_change(order_id=order_id, to_status=Status.CANCELLED, by=by, note=note)


def order_mark_returned(*, order_id: int, by=None, note: str = "") -> Order:
    return order_status_change(order_id=order_id, to_status=Status.RETURNED, by=by, note=note)


def order_cancel_by_customer(*, order_id: int, by) -> Order:
    """A customer may cancel only while the order is pending (409 afterwards)."""
    return order_status_change(
        order_id=order_id, to_status=Status.CANCELLED, by=by,
        note="Cancelled by the customer.", expected_from=Status.PENDING,
    )


def order_confirm_many(*, order_ids: list[int], by=None) -> tuple[list[Order], dict[int, str]]:
    """Confirm several orders, each in its own transaction: one refusal does not undo the others.

    Returns (confirmed orders, {order_id: error message}).
    """
    confirmed, errors = [], {}
    for order_id in sorted(set(order_ids)):
        try:
            confirmed.append(order_confirm(order_id=order_id, by=by))
        except ApplicationError as exc:
            errors[order_id] = exc.message
    return confirmed, errors


@transaction.atomic
def order_mark_paid(*, order_id: int, by=None, note: str = "") -> Order:
    """Record payment (e.g. cash collected on delivery). A timeline entry, no status change."""
    order = _lock_order(order_id)
    if order.payment_status == Order.PaymentStatus.PAID:
        raise ConflictError(f"Order {order.number} is already paid.", code="already_paid")
    if order.status == Status.CANCELLED:
        raise ConflictError(f"Order {order.number} is cancelled.", code="order_cancelled")
    order.payment_status = Order.PaymentStatus.PAID
    order.save(update_fields=["payment_status", "updated_at"])
    OrderStatusLog.objects.create(
        order=order, from_status=order.status, to_status=order.status, changed_by=_user_or_none(by),
        note=("Marked as paid. " + note).strip(),
    )
    return order


def order_note_add(*, order_id: int, note: str, by=None) -> OrderStatusLog:
    """A timeline note that does not change the status."""
    note = note.strip()
    if not note:
        raise ApplicationError("A note cannot be empty.", code="empty_note")
    order = Order.objects.filter(pk=order_id).only("pk", "status").first()
    if order is None:
        raise NotFoundError("Order not found.")
    return OrderStatusLog.objects.create(
        order=order, from_status=order.status, to_status=order.status, changed_by=_user_or_none(by), note=note
    )


def orders_expire_pending_now(*, older_than: timedelta | None = None, limit: int = 500) -> int:
    """Cancel pending orders older than the TTL, releasing their stock. Returns how many were cancelled.

    Each order is its own transaction; one confirmed in the meantime is skipped (re-read under lock).
    """
    ttl = older_than or timedelta(hours=settings.SHOP_PENDING_ORDER_TTL_HOURS)
    cutoff = timezone.now() - ttl
    ids = list(
        Order.objects.filter(status=Status.PENDING, created_at__lt=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    hours = int(ttl.total_seconds() // 3600)
    cancelled = 0
    for order_id in ids:
        try:
            order_status_change(
                order_id=order_id, to_status=Status.CANCELLED, expected_from=Status.PENDING,
                note=f"Not confirmed within {hours} hours: cancelled automatically.",
            )
        except ConflictError:
            continue
        cancelled += 1
    return cancelled
