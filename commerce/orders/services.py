"""Order workflow: every status change goes through `order_status_change`.

It locks the order row, re-reads the status under the lock, refuses moves the transition map does
not allow, applies the stock effect of the move, writes the timeline (`OrderStatusLog`), tells
other apps through `order_status_changed`, gives a cancelled order's coupon use back (promotions
service, called directly: orders depend on promotions, never the reverse) and emails the customer after commit.
Because the status is re-read under the lock, two racing confirms serialise: the second one sees
"confirmed" and is refused, so stock is deducted once.
"""

from collections.abc import Callable, Mapping
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from commerce.catalog.stock import stock_deduct, stock_release, stock_restock
from commerce.core.audit import AuditAction, audit_log
from commerce.core.errors import ApplicationError, ConflictError, NotFoundError
from commerce.promotions.services import coupon_release

from .invoices import invoice_issue_locked, invoice_issue_status
from .line_quantities import check_line_quantities
from .models import Fulfilment, FulfilmentLine, Order, OrderLine, OrderStatusLog
from .notifications import ORDER_EVENTS, fulfilment_email_context, order_notify
from .signals import order_fulfilled, order_status_changed

Status = Order.Status

ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    Status.PENDING: frozenset({Status.CONFIRMED, Status.CANCELLED}),
    # "Mark processing" is optional: a confirmed order can be fulfilled straight away
    Status.CONFIRMED: frozenset({Status.PROCESSING, Status.PARTIALLY_SHIPPED, Status.SHIPPED, Status.CANCELLED}),
    Status.PROCESSING: frozenset({Status.PARTIALLY_SHIPPED, Status.SHIPPED, Status.CANCELLED}),
    Status.PARTIALLY_SHIPPED: frozenset({Status.SHIPPED}),
    Status.SHIPPED: frozenset({Status.DELIVERED, Status.RETURNED}),
    Status.DELIVERED: frozenset({Status.RETURNED}),
    Status.CANCELLED: frozenset(),
    Status.RETURNED: frozenset(),
}
# Reached only by shipping some units (order_fulfil), never asked for directly.
FULFILMENT_ONLY = frozenset({Status.PARTIALLY_SHIPPED})

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
    if to_status == Status.SHIPPED and not (courier.strip() and tracking_number.strip()):
        raise ApplicationError(
            "Shipping needs a courier and a tracking number.",
            code="tracking_required",
            details={"courier": bool(courier.strip()), "tracking_number": bool(tracking_number.strip())},
        )

    order = _lock_order(order_id)
    from_status = order.status  # read under the lock: the only value that counts
    if expected_from is not None and from_status != expected_from:
        raise OrderStatusMismatch(
            f"Order {order.number} is {order.get_status_display().lower()}, no longer {expected_from}.",
            code=f"order_not_{expected_from}",
            details={"status": from_status},
        )
    _transition_check(order, to_status)
    if to_status in FULFILMENT_ONLY:
        raise ApplicationError("Ship some lines (a fulfilment) to make an order partially shipped.",
                               code="fulfil_instead")
    if to_status == Status.SHIPPED:
        # shipping the whole order is one fulfilment of every unit not shipped yet
        _fulfilment_create(order=order, quantities=None, courier=courier, tracking_number=tracking_number,
                           by=by, note=note)
        return order
    _order_move(order=order, to_status=to_status, by=by, note=note)
    return order


def _transition_check(order: Order, to_status: str) -> None:
    if to_status not in order_allowed_transitions(status=order.status):
        raise IllegalTransition(
            f"An order cannot go from {order.status} to {to_status}.",
            details={"from": order.status, "to": to_status,
                     "allowed": sorted(order_allowed_transitions(status=order.status))},
        )


def _order_move(*, order: Order, to_status: str, by=None, note: str = "", notify: bool = True,
                audit_data: dict | None = None) -> None:
    """Apply a checked move to a locked order: stock effect, timestamps, timeline, audit, follow-ups."""
    from_status = order.status
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
    order.save(update_fields=update_fields)
    OrderStatusLog.objects.create(
        order=order, from_status=from_status, to_status=to_status, changed_by=_user_or_none(by), note=note
    )
    audit_log(instance=order, action=AuditAction.ORDER_STATUS, user=by, data={
        "from": from_status, "to": to_status, "from_label": Status(from_status).label,
        "to_label": Status(to_status).label, "note": note, **(audit_data or {}),
    })
    if to_status == Status.CANCELLED and order.coupon_code:
        # the coupon use comes back only if the cancel commits (same transaction)
        coupon_release(order=order, by=_user_or_none(by), reason="order cancelled")
    if to_status == Status.DELIVERED:
        order.fulfilments.filter(status=Fulfilment.Status.SHIPPED).update(
            status=Fulfilment.Status.DELIVERED, delivered_at=now
        )
    order_status_changed.send(sender=Order, order=order, from_status=from_status, to_status=to_status, by=by)
    if notify and to_status in ORDER_EVENTS:
        order_notify(order=order, event=to_status)
    if to_status == invoice_issue_status():
        invoice_issue_locked(order=order, by=by)


# --- fulfilments ----------------------------------------------------------------------------------
def order_line_remaining(*, order: Order) -> dict[int, int]:
    """{order line id: units not shipped yet} for the order's lines (one query)."""
    lines = OrderLine.objects.filter(order=order).annotate(
        shipped=Coalesce(Sum("fulfilment_lines__quantity"), 0)
    ).values_list("pk", "quantity", "shipped")
    return {pk: quantity - shipped for pk, quantity, shipped in lines}


def _fulfilment_create(*, order: Order, quantities: Mapping[int, int] | None, courier: str, tracking_number: str,
                       by=None, note: str = "") -> Fulfilment:
    """Ship `quantities` ({order line id: units}; None = everything left) of a locked order."""
    courier, tracking_number = courier.strip(), tracking_number.strip()
    if not (courier and tracking_number):
        raise ApplicationError(
            "Shipping needs a courier and a tracking number.",
            code="tracking_required",
            details={"courier": bool(courier), "tracking_number": bool(tracking_number)},
        )
    remaining = order_line_remaining(order=order)
    if quantities is None:
        quantities = {pk: left for pk, left in remaining.items() if left > 0}
        errors = {}
    else:
        quantities, errors = check_line_quantities(
            quantities, left=remaining, too_many=lambda units: f"Only {units} left to ship."
        )
    if errors:
        raise ApplicationError("Some quantities cannot be shipped.", code="invalid_fulfilment", details=errors)
    if not quantities:
        raise ApplicationError("Choose at least one unit to ship.", code="empty_fulfilment")
    everything_shipped = all(remaining[pk] - quantities.get(pk, 0) == 0 for pk in remaining)
    to_status = Status.SHIPPED if everything_shipped else Status.PARTIALLY_SHIPPED
    if to_status != order.status:
        _transition_check(order, to_status)
    elif order.status != Status.PARTIALLY_SHIPPED:
        raise IllegalTransition(f"Order {order.number} is {order.get_status_display().lower()}.",
                                details={"from": order.status, "to": to_status})

    previous = order.fulfilments.count()
    now = timezone.now()
    fulfilment = Fulfilment.objects.create(
        order=order, number=f"{order.number}-F{previous + 1}", courier=courier, tracking_number=tracking_number,
        created_by=_user_or_none(by), shipped_at=now,
    )
    FulfilmentLine.objects.bulk_create(
        [FulfilmentLine(fulfilment=fulfilment, order_line_id=pk, quantity=q) for pk, q in sorted(quantities.items())]
    )
    units = sum(quantities.values())
    # the order keeps the latest parcel's courier and tracking number (tracking page, old clients)
    order.courier, order.tracking_number = courier, tracking_number
    order.save(update_fields=["courier", "tracking_number", "updated_at"])
    audit_log(instance=order, action=AuditAction.ORDER_FULFIL, user=by, data={
        "fulfilment": fulfilment.number, "units": units, "courier": courier, "tracking_number": tracking_number,
        "lines": {str(pk): q for pk, q in quantities.items()},
    })
    if to_status != order.status:
        _order_move(order=order, to_status=to_status, by=by, note=note, notify=False,
                    audit_data={"courier": courier, "tracking_number": tracking_number})
    order_fulfilled.send(sender=Order, order=order, fulfilment=fulfilment, quantities=dict(quantities))
    # one email per parcel; a single parcel with everything reads as the classic "shipped" email
    single = previous == 0 and everything_shipped
    order_notify(
        order=order, event="shipped" if single else "fulfilled",
        extra=fulfilment_email_context(fulfilment=fulfilment, quantities=quantities, remaining_after={
            pk: remaining[pk] - quantities.get(pk, 0) for pk in remaining}),
        dedupe_suffix="" if single else fulfilment.number,
    )
    return fulfilment


@transaction.atomic
def order_fulfil(*, order_id: int, quantities: Mapping[int, int] | None, courier: str, tracking_number: str,
                 by=None, note: str = "") -> Fulfilment:
    """Ship some or all units of a confirmed order as one parcel.

    The order row is locked first, so two staff shipping at once queue and the second sees what the
    first shipped (a line can never ship more units than were ordered). The order becomes partially
    shipped, or shipped when nothing is left. Stock was taken from on-hand at confirmation
    (DESIGN.md), so a parcel moves no stock.
    """
    order = _lock_order(order_id)
    return _fulfilment_create(order=order, quantities=quantities, courier=courier,
                              tracking_number=tracking_number, by=by, note=note)


@transaction.atomic
def fulfilment_mark_delivered(*, fulfilment_id: int, by=None) -> Fulfilment:
    """A parcel arrived; when every parcel of a fully shipped order has, the order is delivered."""
    fulfilment = Fulfilment.objects.filter(pk=fulfilment_id).only("order_id").first()
    if fulfilment is None:
        raise NotFoundError("Fulfilment not found.")
    order = _lock_order(fulfilment.order_id)
    fulfilment = Fulfilment.objects.get(pk=fulfilment_id)
    if fulfilment.status == Fulfilment.Status.DELIVERED:
        raise ConflictError(f"{fulfilment.number} is already delivered.", code="already_delivered")
    fulfilment.status, fulfilment.delivered_at = Fulfilment.Status.DELIVERED, timezone.now()
    fulfilment.save(update_fields=["status", "delivered_at"])
    audit_log(instance=order, action=AuditAction.ORDER_FULFILMENT_DELIVERED, user=by,
              data={"fulfilment": fulfilment.number})
    if order.status == Status.SHIPPED and not order.fulfilments.filter(status=Fulfilment.Status.SHIPPED).exists():
        _order_move(order=order, to_status=Status.DELIVERED, by=by)
    return fulfilment


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
    previous = order.payment_status
    order.payment_status = Order.PaymentStatus.PAID
    order.save(update_fields=["payment_status", "updated_at"])
    OrderStatusLog.objects.create(
        order=order, from_status=order.status, to_status=order.status, changed_by=_user_or_none(by),
        note=("Marked as paid. " + note).strip(),
    )
    audit_log(instance=order, action=AuditAction.ORDER_PAYMENT, user=by, data={
        "from": previous, "to": order.payment_status, "note": note,
        "from_label": Order.PaymentStatus(previous).label, "to_label": order.get_payment_status_display(),
    })
    return order


@transaction.atomic
def order_note_add(*, order_id: int, note: str, by=None) -> OrderStatusLog:
    """A timeline note that does not change the status."""
    note = note.strip()
    if not note:
        raise ApplicationError("A note cannot be empty.", code="empty_note")
    order = Order.objects.filter(pk=order_id).only("pk", "status", "number").first()
    if order is None:
        raise NotFoundError("Order not found.")
    entry = OrderStatusLog.objects.create(
        order=order, from_status=order.status, to_status=order.status, changed_by=_user_or_none(by), note=note
    )
    audit_log(instance=order, action=AuditAction.ORDER_NOTE, user=by, data={"note": note})
    return entry


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
