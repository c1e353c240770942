"""The email events a shop manager can edit, with the variables each one's templates receive.

The event name is the notification event (`notification_send(event=...)`) and the name of the
file templates under templates/emails/ that apply while no snippet for it is published.
"""

from dataclasses import dataclass, field

_ORDER_VARIABLES = {
    "order_number": "the order number, e.g. CW-7K3QX",
    "customer_name": "the name on the shipping address",
    "email": "the customer's email address",
    "status_label": "the order status, e.g. Confirmed",
    "total.display": "the order total with currency, e.g. $35.00 (also subtotal, discount, shipping, tax)",
    "shipping_method": "the shipping method's name",
    "courier": "the courier (once shipped)",
    "tracking_number": "the courier's tracking number (once shipped)",
    "tracking_url": "the shop's order-tracking page for this order",
    "order_summary_html": "the lines and totals as an HTML table (HTML body only)",
    "order_summary_text": "the lines and totals as plain text",
    "lines": "the lines: {% for line in lines %}{{ line.quantity }} x {{ line.product_name }}{% endfor %}",
    "shop_name": "the shop's name",
}


# what the orders app adds to a return's emails (commerce/orders/notifications.py, return_email_context)
_RETURN_VARIABLES = {
    **_ORDER_VARIABLES,
    "return_number": "the return's number",
    "return_status": "the return's status, e.g. Approved",
    "return_reason": "the customer's reason",
    "return_note": "the shop's note",
    "return_lines": "the returned lines: {% for line in return_lines %}{{ line.quantity }} x {{ line.product_name }}{% endfor %}",
}


@dataclass(frozen=True)
class EmailEvent:
    name: str
    label: str
    variables: dict[str, str] = field(default_factory=dict)
    sample: str = "order"  # which sample context the preview uses


EMAIL_EVENTS: tuple[EmailEvent, ...] = (
    EmailEvent("order_placed", "Order placed", _ORDER_VARIABLES),
    EmailEvent("order_confirmed", "Order confirmed", _ORDER_VARIABLES),
    EmailEvent("order_shipped", "Order shipped / fulfilled", _ORDER_VARIABLES),
    EmailEvent("order_fulfilled", "Order partly fulfilled", {
        **_ORDER_VARIABLES, "fulfillment": "the fulfilment: its lines, courier and tracking number",
    }),
    EmailEvent("order_delivered", "Order delivered", _ORDER_VARIABLES),
    EmailEvent("order_cancelled", "Order cancelled", _ORDER_VARIABLES),
    EmailEvent("order_refunded", "Order refunded", {
        **_ORDER_VARIABLES, "refund_amount.display": "the amount refunded, with currency",
    }),
    *(
        EmailEvent(f"order_return_{step}", f"Return {step}", _RETURN_VARIABLES)
        for step in ("requested", "approved", "rejected", "received")
    ),
    EmailEvent("password_reset", "Password reset", {
        "first_name": "the customer's first name (may be empty)",
        "email": "the account's email address",
        "reset_url": "the one-time link that sets a new password",
        "uid": "the user part of the reset code (for the app)",
        "token": "the token part of the reset code (for the app)",
    }, sample="password_reset"),
    EmailEvent("back_in_stock", "Back in stock", {
        "product_name": "the product's name",
        "variant_label": "the variant, e.g. M / Red",
        "sku": "the variant's SKU",
        "product_url": "the product page",
        "unsubscribe_url": "stops this alert",
        "shop_name": "the shop's name",
    }, sample="back_in_stock"),
    EmailEvent("abandoned_cart", "Abandoned cart", {
        "customer_name": "the customer's name, when known",
        "lines": "the cart lines: {% for line in lines %}{{ line.quantity }} x {{ line.product_name }}{% endfor %}",
        "restore_url": "opens the cart again on any device",
        "opt_out_url": "stops cart reminders for this address",
        "shop_name": "the shop's name",
    }, sample="abandoned_cart"),
    EmailEvent("low_stock_digest", "Low-stock digest (to shop managers)", {
        "variants": "the low variants: {% for v in variants %}{{ v.sku }} {{ v.product_name }} {{ v.available }}"
                    " (threshold {{ v.threshold }}){% endfor %}",
        "count": "how many variants are low",
        "admin_url": "the low-stock report in the admin",
        "shop_name": "the shop's name",
    }, sample="low_stock_digest"),
    EmailEvent("stock_sold_out", "Variant sold out (to shop managers)", {
        "sku": "the variant's SKU", "product_name": "the product's name",
        "admin_url": "the product's variants in the admin", "shop_name": "the shop's name",
    }, sample="stock_sold_out"),
)
EVENTS_BY_NAME = {e.name: e for e in EMAIL_EVENTS}
EVENT_CHOICES = [(e.name, e.label) for e in EMAIL_EVENTS]
