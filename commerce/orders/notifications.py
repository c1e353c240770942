"""Order emails: turn an order into a JSON-safe context and hand it to the notifications app.

The dependency runs one way: orders know notifications, notifications know nothing of orders.
"""

from django.conf import settings

from commerce.core.links import storefront_url
from commerce.core.money import format_money
from commerce.notifications.services import notification_send

from .models import Order

ORDER_EVENTS = ("placed", "confirmed", "shipped", "delivered", "cancelled")


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


def order_notify(*, order: Order, event: str, order_is_new: bool = False) -> None:
    """Email the customer about `event` once the current transaction commits; at most once per event.

    `order_is_new`: the order was inserted by the current transaction, so no notification can exist
    for it yet (lets notification_send skip its duplicate-guarding savepoint).
    """
    if event not in ORDER_EVENTS:
        raise ValueError(f"unknown order event {event!r}")
    notification_send(
        event=f"order_{event}",
        recipient=order.email,
        context=order_email_context(order=order),
        dedupe_key=f"order:{order.pk}:{event}",
        key_is_new=order_is_new,
    )
