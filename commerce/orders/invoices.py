"""Invoices: gapless sequential numbers per shop, issued at a chosen order status or by hand.

A number is taken from `DocumentCounter` with its row locked FOR UPDATE in the same transaction that
creates the invoice: a second issuer waits for the first to commit (or roll back, which gives the
number back), so the series never skips or repeats, whatever runs concurrently. Credit notes use the
same counter with their own series.
"""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from commerce.core.audit import AuditAction, audit_log
from commerce.core.errors import ConflictError, NotFoundError

from .models import DocumentCounter, Invoice, Order

# statuses an invoice can be issued at by hand: the order is accepted and not cancelled
INVOICEABLE = frozenset({"confirmed", "processing", "partially_shipped", "shipped", "delivered", "returned"})


def invoice_issue_status() -> str:
    return settings.SHOP_INVOICE_ISSUE_STATUS


def document_number_next(*, series: str) -> int:
    """The next number of `series`, reserved until the caller's transaction ends (row lock)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("document numbers must be taken inside the transaction that uses them")
    counter = DocumentCounter.objects.select_for_update().filter(series=series).first()
    if counter is None:
        try:
            with transaction.atomic():  # savepoint: another issuer may create the row first
                DocumentCounter.objects.create(series=series, last_number=0)
        except IntegrityError:
            pass
        counter = DocumentCounter.objects.select_for_update().get(series=series)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


def invoice_issue_locked(*, order: Order, by=None) -> Invoice:
    """Issue the invoice of an order the caller holds locked; the existing one if already issued."""
    existing = Invoice.objects.filter(order=order).first()
    if existing is not None:
        return existing
    series = settings.SHOP_INVOICE_PREFIX
    sequence = document_number_next(series=series)
    invoice = Invoice.objects.create(
        order=order, series=series, sequence=sequence, number=f"{series}-{sequence:06d}", issued_at=timezone.now(),
        issued_by=by if getattr(by, "is_authenticated", False) else None,
    )
    audit_log(instance=order, action=AuditAction.ORDER_INVOICE, user=by, data={"invoice": invoice.number})
    return invoice


@transaction.atomic
def invoice_issue(*, order_id: int, by=None) -> Invoice:
    """Issue an order's invoice by hand (staff), e.g. before the automatic status is reached."""
    order = Order.objects.select_for_update(of=("self",)).filter(pk=order_id).first()
    if order is None:
        raise NotFoundError("Order not found.")
    if order.status not in INVOICEABLE:
        raise ConflictError(f"Order {order.number} is {order.get_status_display().lower()}: no invoice yet.",
                            code="not_invoiceable", details={"status": order.status})
    return invoice_issue_locked(order=order, by=by)
