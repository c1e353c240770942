"""Returns (RMA): the customer asks, staff approve or reject, receive the goods, refund them.

requested → approved → received → refunded, or requested → rejected. Every step locks the order row
(the same lock refunds and fulfilments take), writes the timeline, the audit trail and emails the
customer after commit.

What can be returned: units of delivered parcels (or of a delivered order), within
SHOP_RETURN_WINDOW_DAYS of delivery, less the units already in a return that was not rejected.
"""

from collections.abc import Mapping
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from commerce.catalog.stock import stock_restock
from commerce.core.audit import AuditAction, audit_log
from commerce.core.errors import ApplicationError, ConflictError, NotFoundError

from .line_quantities import check_line_quantities
from .models import Fulfilment, FulfilmentLine, Order, OrderStatusLog, Refund, ReturnLine, ReturnRequest
from .notifications import order_notify, return_email_context
from .refunds import order_refund

RS = ReturnRequest.Status


def _user(by):
    return by if getattr(by, "is_authenticated", False) else None


def order_returnable(*, order: Order) -> dict[int, int]:
    """{order line id: units the customer may still return} (2 queries)."""
    if order.status == Order.Status.DELIVERED:
        delivered = {line.pk: line.quantity for line in order.lines.all()}
    else:
        delivered = dict(
            FulfilmentLine.objects.filter(fulfilment__order=order, fulfilment__status=Fulfilment.Status.DELIVERED)
            .values("order_line").annotate(q=Sum("quantity")).values_list("order_line", "q")
        )
    returned = dict(
        ReturnLine.objects.filter(return_request__order=order).exclude(return_request__status=RS.REJECTED)
        .values("order_line").annotate(q=Sum("quantity")).values_list("order_line", "q")
    )
    return {pk: max(q - returned.get(pk, 0), 0) for pk, q in delivered.items()}


def order_return_deadline(*, order: Order):
    """The last moment a return may be asked for, or None if nothing was delivered yet."""
    delivered_at = order.delivered_at or (
        Fulfilment.objects.filter(order=order, delivered_at__isnull=False).order_by("delivered_at")
        .values_list("delivered_at", flat=True).first()
    )
    if delivered_at is None:
        return None
    return delivered_at + timedelta(days=settings.SHOP_RETURN_WINDOW_DAYS)


def _lock_order(order_id: int) -> Order:
    order = Order.objects.select_for_update(of=("self",)).filter(pk=order_id).first()
    if order is None:
        raise NotFoundError("Order not found.")
    return order


def _timeline(order: Order, by, note: str) -> None:
    OrderStatusLog.objects.create(order=order, from_status=order.status, to_status=order.status,
                                  changed_by=_user(by), note=note)


@transaction.atomic
def return_request_create(*, order_id: int, lines: Mapping[int, int], reason: str, by=None) -> ReturnRequest:
    """A customer asks to return `lines` ({order line id: units}) of a delivered order."""
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("Tell us why you are returning these items.", code="return_reason_required")
    order = _lock_order(order_id)
    deadline = order_return_deadline(order=order)
    if deadline is None:
        raise ConflictError("Nothing of this order has been delivered yet.", code="not_delivered")
    if timezone.now() > deadline:
        raise ConflictError(f"Returns were possible until {deadline:%Y-%m-%d}.", code="return_window_closed",
                            details={"deadline": deadline.isoformat()})
    returnable = order_returnable(order=order)
    # every line of the order may be named; one not delivered (or already returned) has 0 left
    left = dict.fromkeys(order.lines.values_list("pk", flat=True), 0) | returnable
    wanted, errors = check_line_quantities(
        lines, left=left, too_many=lambda units: f"Only {units} delivered and not yet returned."
    )
    if errors:
        raise ApplicationError("Some items cannot be returned.", code="invalid_return", details=errors)
    if not wanted:
        raise ApplicationError("Choose at least one item to return.", code="empty_return")
    count = ReturnRequest.objects.filter(order=order).count()
    return_request = ReturnRequest.objects.create(
        order=order, number=f"{order.number}-R{count + 1}", reason=reason, requested_by=_user(by),
    )
    ReturnLine.objects.bulk_create([
        ReturnLine(return_request=return_request, order_line_id=pk, quantity=q) for pk, q in sorted(wanted.items())
    ])
    units = sum(wanted.values())
    _timeline(order, by, f"Return {return_request.number} requested ({units} items): {reason}")
    audit_log(instance=order, action=AuditAction.ORDER_RETURN_REQUEST, user=by, data={
        "rma": return_request.number, "units": units, "reason": reason, "lines": {str(k): v for k, v in wanted.items()},
    })
    _notify(order, return_request, "return_requested")
    return return_request


def _notify(order: Order, return_request: ReturnRequest, event: str) -> None:
    order_notify(order=order, event=event, extra=return_email_context(return_request=return_request),
                 dedupe_suffix=return_request.number)


def _lock_return(return_id: int, *, order_id: int | None = None) -> tuple[Order, ReturnRequest]:
    found = ReturnRequest.objects.filter(pk=return_id).values_list("order_id", flat=True).first()
    if found is None or (order_id is not None and found != order_id):
        raise NotFoundError("Return not found.")
    order = _lock_order(found)
    return order, ReturnRequest.objects.get(pk=return_id)


def _require(return_request: ReturnRequest, *statuses: str) -> None:
    if return_request.status not in statuses:
        raise ConflictError(
            f"Return {return_request.number} is {return_request.get_status_display().lower()}.",
            code="illegal_return_step", details={"status": return_request.status, "expected": list(statuses)},
        )


@transaction.atomic
def return_approve(*, return_id: int, by=None, note: str = "") -> ReturnRequest:
    order, rr = _lock_return(return_id)
    _require(rr, RS.REQUESTED)
    rr.status, rr.approved_at, rr.staff_note = RS.APPROVED, timezone.now(), note.strip()
    rr.save(update_fields=["status", "approved_at", "staff_note"])
    _timeline(order, by, f"Return {rr.number} approved. {note}".strip())
    audit_log(instance=order, action=AuditAction.ORDER_RETURN_APPROVE, user=by, data={"rma": rr.number, "note": note})
    _notify(order, rr, "return_approved")
    return rr


@transaction.atomic
def return_reject(*, return_id: int, by=None, note: str = "") -> ReturnRequest:
    order, rr = _lock_return(return_id)
    _require(rr, RS.REQUESTED, RS.APPROVED)
    rr.status, rr.closed_at, rr.staff_note = RS.REJECTED, timezone.now(), note.strip()
    rr.save(update_fields=["status", "closed_at", "staff_note"])
    _timeline(order, by, f"Return {rr.number} rejected. {note}".strip())
    audit_log(instance=order, action=AuditAction.ORDER_RETURN_REJECT, user=by, data={"rma": rr.number, "note": note})
    _notify(order, rr, "return_rejected")
    return rr


@transaction.atomic
def return_receive(*, return_id: int, restock: Mapping[int, int] | None = None, by=None) -> ReturnRequest:
    """The parcel came back: restock `restock` ({order line id: units}, default every unit) per line."""
    order, rr = _lock_return(return_id)
    _require(rr, RS.APPROVED)
    return_lines = {rl.order_line_id: rl for rl in rr.lines.select_related("order_line")}
    wanted = {pk: rl.quantity for pk, rl in return_lines.items()} if restock is None else {
        int(k): int(v) for k, v in restock.items() if int(v)
    }
    errors = {str(pk): f"Between 0 and {return_lines[pk].quantity}." if pk in return_lines else "Not in this return."
              for pk, q in wanted.items() if pk not in return_lines or not 0 <= q <= return_lines[pk].quantity}
    if errors:
        raise ApplicationError("Restock quantities are not valid.", code="invalid_restock", details=errors)
    quantities = {}
    for pk, q in wanted.items():
        rl = return_lines[pk]
        rl.restocked_quantity = q
        if rl.order_line.variant_id and q:
            quantities[rl.order_line.variant_id] = quantities.get(rl.order_line.variant_id, 0) + q
    ReturnLine.objects.bulk_update(list(return_lines.values()), ["restocked_quantity"])
    if quantities:
        stock_restock(quantities=quantities)
    rr.status, rr.received_at = RS.RECEIVED, timezone.now()
    rr.save(update_fields=["status", "received_at"])
    restocked = sum(quantities.values())
    _timeline(order, by, f"Return {rr.number} received; {restocked} items back in stock.")
    audit_log(instance=order, action=AuditAction.ORDER_RETURN_RECEIVE, user=by,
              data={"rma": rr.number, "restocked": restocked, "lines": {str(k): v for k, v in wanted.items()}})
    _notify(order, rr, "return_received")
    return rr


@transaction.atomic
def return_refund(*, return_id: int, by=None, shipping=None, reason: str = "") -> Refund:
    """Refund the units of a received return (stock was handled when it was received)."""
    order, rr = _lock_return(return_id)
    _require(rr, RS.RECEIVED)
    lines = dict(rr.lines.values_list("order_line_id", "quantity"))
    refund = order_refund(order_id=order.pk, lines=lines, shipping=shipping or 0,
                          reason=reason.strip() or f"Return {rr.number}", restock=False, by=by, return_request=rr)
    rr.status, rr.closed_at = RS.REFUNDED, timezone.now()
    rr.save(update_fields=["status", "closed_at"])
    return refund


def returns_open_count(*, order: Order) -> int:
    return ReturnRequest.objects.filter(order=order).filter(
        Q(status=RS.REQUESTED) | Q(status=RS.APPROVED) | Q(status=RS.RECEIVED)
    ).count()
