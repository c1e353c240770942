"""Order reads: a customer's orders, one order of a customer, and tracking by number + phone."""

import phonenumbers
from django.conf import settings
from django.db.models import Prefetch, QuerySet

from commerce.core.errors import NotFoundError

from .models import Order, OrderLine, OrderStatusLog

# One message for "no such number" and "wrong phone": tracking must not reveal which orders exist.
TRACKING_NOT_FOUND = "No order matches this order number and phone number."


def _with_lines_and_timeline(queryset: QuerySet) -> QuerySet:
    return queryset.prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("id")),
        Prefetch("status_log", queryset=OrderStatusLog.objects.order_by("created_at", "id")),
    )


def orders_for_customer(*, user) -> QuerySet[Order]:
    """The customer's own orders, newest first, with their lines (two queries whatever the count)."""
    if user is None or not user.is_authenticated:
        return Order.objects.none()
    return Order.objects.filter(user=user).prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("id"))
    ).order_by("-created_at", "-id")


def order_get_for_customer(*, user, number: str) -> Order:
    """One of the customer's own orders with its parcels, refunds, returns and invoice (a fixed number
    of queries); someone else's order is reported as not found."""
    order = (
        order_get_with_operations(user=user, number=number)
        # PostgreSQL refuses a NUL in a query parameter; no order number holds one
        if user is not None and user.is_authenticated and "\x00" not in number
        else None
    )
    if order is None:
        raise NotFoundError("Order not found.")
    return order


def phone_normalise(raw: str) -> str | None:
    """E.164 form of a phone number typed by a customer, or None if it is not a valid number."""
    try:
        parsed = phonenumbers.parse(str(raw), settings.PHONENUMBER_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def order_track(*, order_number: str, phone: str) -> Order:
    """The order with this number, if `phone` is the order's phone; else the same NotFoundError."""
    order = _with_lines_and_timeline(Order.objects.filter(number__iexact=order_number.strip())).first()
    wanted = phone_normalise(phone)
    if order is None or wanted is None or phone_normalise(str(order.phone)) != wanted:
        raise NotFoundError(TRACKING_NOT_FOUND)
    return order


def order_timeline(*, order: Order) -> list[dict]:
    """The customer-facing timeline: when the order was placed and each status it reached.

    Staff notes (entries without a status change) stay on the order desk. Uses the prefetched log.
    """
    entries = [e for e in order.status_log.all() if e.from_status != e.to_status]
    timeline = []
    if not entries or entries[0].from_status:  # checkout did not log the creation itself
        timeline.append({"status": Order.Status.PENDING, "at": order.created_at})
    timeline += [{"status": e.to_status, "at": e.created_at} for e in entries]
    for entry in timeline:
        entry["status_label"] = Order.Status(entry["status"]).label
    return timeline


def order_get_with_operations(*, queryset: QuerySet | None = None, **filters) -> Order | None:
    """One order with everything its documents and the desk show, in a fixed number of queries
    (order, lines, parcels with their lines, refunds with their lines, returns with their lines,
    timeline), however many of each there are."""
    from .models import Fulfilment, FulfilmentLine, Refund, RefundLine, ReturnLine, ReturnRequest

    queryset = (queryset if queryset is not None else Order.objects.all()).filter(**filters)
    return (
        queryset.select_related("user", "invoice")
        .prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.order_by("id")),
            Prefetch("fulfilments", queryset=Fulfilment.objects.select_related("created_by").prefetch_related(
                Prefetch("lines", queryset=FulfilmentLine.objects.select_related("order_line").order_by("id")))),
            Prefetch("refunds", queryset=Refund.objects.select_related("created_by").prefetch_related(
                Prefetch("lines", queryset=RefundLine.objects.select_related("order_line").order_by("id")))),
            Prefetch("returns", queryset=ReturnRequest.objects.prefetch_related(
                Prefetch("lines", queryset=ReturnLine.objects.select_related("order_line").order_by("id")))),
            Prefetch("status_log", queryset=OrderStatusLog.objects.select_related("changed_by")
                     .order_by("created_at", "id")),
        )
        .first()
    )


def order_get_for_customer_documents(*, user, number: str) -> Order:
    """The customer's own order with its documents' data; another's order is 'not found' (no IDOR)."""
    if user is None or not user.is_authenticated:
        raise NotFoundError("Order not found.")
    order = order_get_with_operations(user=user, number=number)
    if order is None:
        raise NotFoundError("Order not found.")
    return order


def order_invoice_pdf_for_customer(*, user, number: str) -> tuple[str, bytes]:
    """(file name, PDF) of the customer's own order's invoice; 404 if not theirs or not issued yet."""
    from .documents import invoice_pdf

    order = order_get_for_customer_documents(user=user, number=number)
    invoice = getattr(order, "invoice", None)
    if invoice is None:
        raise NotFoundError("This order has no invoice yet.", code="invoice_not_issued")
    return f"{invoice.number}.pdf", invoice_pdf(order=order, invoice=invoice)
