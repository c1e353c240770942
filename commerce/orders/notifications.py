"""Order emails: turn an order into a JSON-safe context and hand it to the notifications app.

The dependency runs one way: orders know notifications, notifications know nothing of orders.
"""

from django.conf import settings

from commerce.core.links import storefront_url
from commerce.core.money import format_money
from commerce.notifications.services import notification_send

from .models import Order

ORDER_EVENTS = ("placed", "confirmed", "shipped", "delivered", "cancelled")
# events about one fulfilment, refund or return; each carries its own number in the dedupe key
DOCUMENT_EVENTS = ("fulfilled", "refunded", "return_requested", "return_approved", "return_rejected",
                   "return_received")


def order_tracking_url(*, order: Order) -> str:
    """The storefront's tracking page for the order (STOREFRONT_URL and its path template)."""
    return storefront_url("order_tracking", order_number=order.number) or ""


def order_email_context(*, order: Order) -> dict:
    """Everything the order email templates show, as strings (money included) so it is JSON-safe."""

    def money(amount):
        return {"amount": str(amount), "display": format_money(amount, currency=order.currency)}

    return {
        "order_number": order.number,
        "status": order.status,
        "status_label": order.get_status_display(),
        "customer_name": order.ship_full_name,
        "email": order.email,
        "currency": order.currency,
        "lines": [
            {
                "product_name": line.product_name,
                "sku": line.sku,
                "attributes": {str(k): str(v) for k, v in (line.attributes or {}).items()},
                "quantity": line.quantity,
                "unit_price": money(line.unit_price),
                "line_total": money(line.line_total),
            }
            for line in order.lines.all()
        ],
        "subtotal": money(order.subtotal),
        "discount": money(order.discount),
        "shipping": money(order.shipping),
        "tax": money(order.tax),
        "total": money(order.total),
        "prices_include_tax": order.prices_include_tax,
        "shipping_method": order.shipping_method_name,
        "payment_method": order.payment_method,
        "courier": order.courier,
        "tracking_number": order.tracking_number,
        "tracking_url": order_tracking_url(order=order),
        "shop_name": settings.WAGTAIL_SITE_NAME,
    }


def _money(amount, currency: str) -> dict:
    return {"amount": str(amount), "display": format_money(amount, currency=currency)}


def fulfilment_email_context(*, fulfilment, quantities: dict[int, int], remaining_after: dict[int, int]) -> dict:
    """What a parcel's email shows: its number, courier, tracking number, units and what is still to come."""
    lines = {line.pk: line for line in fulfilment.order.lines.all()}
    return {
        "fulfilment_number": fulfilment.number,
        "courier": fulfilment.courier,
        "tracking_number": fulfilment.tracking_number,
        "parcel_lines": [
            {"product_name": lines[pk].product_name, "sku": lines[pk].sku, "quantity": q}
            for pk, q in sorted(quantities.items()) if pk in lines
        ],
        "units_still_to_ship": sum(remaining_after.values()),
    }


def refund_email_context(*, refund) -> dict:
    currency = refund.order.currency
    return {
        "credit_note_number": refund.credit_note_number,
        "refund_amount": _money(refund.amount, currency),
        "refund_reason": refund.reason,
        "refund_manual": refund.manual,
        "refund_lines": [
            {"product_name": rl.order_line.product_name, "sku": rl.order_line.sku, "quantity": rl.quantity,
             "amount": _money(rl.amount, currency)}
            for rl in refund.lines.all()
        ],
        "refund_shipping": _money(refund.shipping_amount, currency),
    }


def return_email_context(*, return_request) -> dict:
    return {
        "return_number": return_request.number,
        "return_status": return_request.get_status_display(),
        "return_reason": return_request.reason,
        "return_note": return_request.staff_note,
        "return_lines": [
            {"product_name": rl.order_line.product_name, "sku": rl.order_line.sku, "quantity": rl.quantity}
            for rl in return_request.lines.all()
        ],
    }


def order_notify(*, order: Order, event: str, order_is_new: bool = False, extra: dict | None = None,
                 dedupe_suffix: str = "") -> None:
    """Email the customer about `event` once the current transaction commits; at most once per event.

    `order_is_new`: the order was inserted by the current transaction, so no notification can exist
    for it yet (lets notification_send skip its duplicate-guarding savepoint).
    `extra` adds to the order's context (a parcel, a refund, a return); `dedupe_suffix` (its number)
    makes each of them its own email, still sent at most once.
    """
    if event not in ORDER_EVENTS and event not in DOCUMENT_EVENTS:
        raise ValueError(f"unknown order event {event!r}")
    notification_send(
        event=f"order_{event}",
        recipient=order.email,
        context={**order_email_context(order=order), **(extra or {})},
        dedupe_key=f"order:{order.pk}:{event}" + (f":{dedupe_suffix}" if dedupe_suffix else ""),
        key_is_new=order_is_new,
    )


def invoice_attachments(context: dict) -> list:
    """The order's invoice PDF on its confirmation email, when SHOP_INVOICE_ATTACH_TO_CONFIRMATION is
    on and the invoice is issued (it is, at confirmation, with the default SHOP_INVOICE_ISSUE_STATUS)."""
    from commerce.notifications.attachments import Attachment

    from .documents import invoice_pdf
    from .models import Invoice

    if not settings.SHOP_INVOICE_ATTACH_TO_CONFIRMATION or not context.get("order_number"):
        return []
    invoice = Invoice.objects.select_related("order").filter(order__number=context["order_number"]).first()
    if invoice is None:
        return []
    return [Attachment(f"{invoice.number}.pdf", invoice_pdf(order=invoice.order, invoice=invoice), "application/pdf")]
