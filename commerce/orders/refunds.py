"""Refunds: full or partial, by line and quantity plus shipping, through the payment provider.

`order_refund` locks the order row first and re-reads what was refunded under that lock, so two
staff refunding the same order at once queue: the second sees the first's refund and is refused if
the two together would exceed what was paid (the order's total). A database CHECK
(`orders_refunded_within_total`) backs the rule. Every refund gets a gapless credit note number
(`DocumentCounter`, series SHOP_CREDIT_NOTE_PREFIX), a timeline entry, an audit entry and an email.

Amounts: a line's refundable value is what the customer paid for it: its total less its share of
the discount, scaled by the order's (total - shipping) / (subtotal - discount) so taxes added on top
come back in proportion. A partial quantity gets its pro-rata share; refunding a line's last units
gives exactly what is left of it, so cents never strand.
"""

from collections.abc import Mapping
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Sum

from commerce.catalog.stock import stock_restock
from commerce.core.audit import AuditAction, audit_log
from commerce.core.errors import ApplicationError, ConflictError, NotFoundError
from commerce.core.money import quantize_money

from .invoices import document_number_next
from .line_quantities import check_line_quantities
from .models import ZERO, Order, OrderLine, OrderStatusLog, Refund, RefundLine
from .notifications import order_notify, refund_email_context
from .payments import payment_provider_get
from .signals import order_refunded

PAID_STATUSES = frozenset({Order.PaymentStatus.PAID, Order.PaymentStatus.PARTIALLY_REFUNDED})


def _goods_factor(order: Order) -> Decimal:
    base = order.subtotal - order.discount
    if base <= 0:
        return Decimal("1")
    return (order.total - order.shipping) / base


def order_line_refundable_value(*, order: Order, line: OrderLine) -> Decimal:
    """What the customer paid for the whole line (discount off, tax on top in proportion)."""
    return quantize_money((line.line_total - line.discount) * _goods_factor(order))


def order_refundable(*, order: Order) -> dict:
    """Per line {id: {"quantity", "value", "amount"}} still refundable, shipping and money left (2 queries)."""
    refunded = {
        row["order_line"]: row
        for row in RefundLine.objects.filter(refund__order=order).values("order_line")
        .annotate(quantity=Sum("quantity"), amount=Sum("amount"))
    }
    shipping_refunded = Refund.objects.filter(order=order).aggregate(s=Sum("shipping_amount"))["s"] or ZERO
    lines = {}
    for line in order.lines.all():
        done = refunded.get(line.pk, {"quantity": 0, "amount": ZERO})
        value = order_line_refundable_value(order=order, line=line)
        lines[line.pk] = {"quantity": line.quantity - done["quantity"], "amount": value - done["amount"],
                          "ordered": line.quantity}
    return {"lines": lines, "shipping": order.shipping - shipping_refunded,
            "money": order.total - order.amount_refunded}


def _lock(order_id: int) -> Order:
    order = Order.objects.select_for_update(of=("self",)).filter(pk=order_id).first()
    if order is None:
        raise NotFoundError("Order not found.")
    return order


@transaction.atomic
def order_refund(
    *,
    order_id: int,
    lines: Mapping[int, int],
    shipping: Decimal = ZERO,
    reason: str,
    restock: bool = False,
    by=None,
    return_request=None,
) -> Refund:
    """Refund `lines` ({order line id: units}) and `shipping` of a paid order; returns the Refund.

    Raises 409 `order_not_paid` (nothing was paid), 409 `refund_exceeds_paid` (more than what is
    left), 400 `invalid_refund` with per-line details, 402 `refund_declined` from the gateway.
    `restock` puts the refunded units back on hand (goods came back or never left).
    """
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("Give a reason for the refund.", code="refund_reason_required")
    try:
        shipping = quantize_money(shipping or ZERO)
    except ArithmeticError:
        raise ApplicationError("Shipping amount must be a number.", code="invalid_refund") from None
    order = _lock(order_id)  # everything below is read under the lock
    if order.payment_status == Order.PaymentStatus.REFUNDED:
        raise ConflictError(f"Order {order.number} was refunded in full: nothing is left to refund.",
                            code="refund_exceeds_paid", details={"refundable": "0.00"})
    if order.payment_status not in PAID_STATUSES:
        raise ConflictError(f"Order {order.number} has not been paid: there is nothing to refund.",
                            code="order_not_paid", details={"payment_status": order.payment_status})
    left = order_refundable(order=order)
    wanted, errors = check_line_quantities(
        lines, left={pk: info["quantity"] for pk, info in left["lines"].items()},
        too_many=lambda units: f"Only {units} left to refund.",
    )
    if shipping < 0 or shipping > left["shipping"]:
        errors["shipping"] = f"Shipping refund must be between 0 and {left['shipping']}."
    if errors:
        raise ApplicationError("The refund cannot be made as entered.", code="invalid_refund", details=errors)

    line_amounts = {}
    for line_id, qty in wanted.items():
        info = left["lines"][line_id]
        if qty == info["quantity"]:
            line_amounts[line_id] = info["amount"]  # the last units: exactly what is left of the line
        else:
            value = info["amount"] + ZERO
            line_amounts[line_id] = quantize_money(value * qty / info["quantity"])
    amount = sum(line_amounts.values(), ZERO) + shipping
    if amount <= 0:
        raise ApplicationError("Choose at least one unit or a shipping amount to refund.", code="empty_refund")
    if amount > left["money"]:
        raise ConflictError(
            f"A refund of {amount} would exceed what is left of the {order.total} paid ({left['money']}).",
            code="refund_exceeds_paid", details={"requested": str(amount), "refundable": str(left["money"])},
        )

    number = document_number_next(series=settings.SHOP_CREDIT_NOTE_PREFIX)
    credit_note = f"{settings.SHOP_CREDIT_NOTE_PREFIX}-{number:06d}"
    provider = payment_provider_get(code=order.payment_method)
    result = provider.refund(order=order, amount=amount, idempotency_key=credit_note)
    refund = Refund.objects.create(
        order=order, return_request=return_request, credit_note_number=credit_note, amount=amount,
        shipping_amount=shipping, reason=reason, restock=restock, provider=provider.code,
        provider_reference=result.reference, manual=result.manual,
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )
    order_lines = {line.pk: line for line in order.lines.all()}
    RefundLine.objects.bulk_create([
        RefundLine(refund=refund, order_line_id=line_id, quantity=qty, amount=line_amounts[line_id],
                   restocked=restock and order_lines[line_id].variant_id is not None)
        for line_id, qty in sorted(wanted.items())
    ])
    if restock:
        quantities = {order_lines[pk].variant_id: q for pk, q in wanted.items() if order_lines[pk].variant_id}
        if quantities:
            stock_restock(quantities=quantities)

    previous_status = order.payment_status
    order.amount_refunded += amount
    order.payment_status = (
        Order.PaymentStatus.REFUNDED if order.amount_refunded >= order.total else Order.PaymentStatus.PARTIALLY_REFUNDED
    )
    order.save(update_fields=["amount_refunded", "payment_status", "updated_at"])
    OrderStatusLog.objects.create(
        order=order, from_status=order.status, to_status=order.status,
        changed_by=by if getattr(by, "is_authenticated", False) else None,
        note=f"Refunded {amount} {order.currency} ({credit_note}): {reason}",
    )
    audit_log(instance=order, action=AuditAction.ORDER_REFUND, user=by, data={
        "credit_note": credit_note, "amount": amount, "currency": order.currency, "reason": reason,
        "shipping": shipping, "restock": restock, "lines": {str(k): v for k, v in wanted.items()},
        "payment_from": previous_status, "payment_to": order.payment_status, "manual": result.manual,
    })
    if previous_status != order.payment_status:
        audit_log(instance=order, action=AuditAction.ORDER_PAYMENT, user=by, data={
            "from": previous_status, "to": order.payment_status, "note": credit_note,
            "from_label": Order.PaymentStatus(previous_status).label, "to_label": order.get_payment_status_display(),
        })
    order_refunded.send(sender=Order, order=order, refund=refund)
    order_notify(order=order, event="refunded", extra=refund_email_context(refund=refund),
                 dedupe_suffix=credit_note)
    return refund
