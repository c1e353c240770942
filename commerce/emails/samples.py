"""Sample contexts for the admin preview: the newest real order when there is one, else a made-up one."""

from django.conf import settings

_MONEY = {"amount": "0.00", "display": "$0.00"}


def _money(amount: str) -> dict:
    return {"amount": amount, "display": f"${amount}"}


def _sample_order() -> dict:
    from commerce.orders.models import Order
    from commerce.orders.notifications import order_email_context

    order = Order.objects.order_by("-created_at").prefetch_related("lines").first()
    if order is not None:
        return order_email_context(order=order)
    return {
        "order_number": "CW-SAMPLE1", "status": "confirmed", "status_label": "Confirmed",
        "customer_name": "Ada Sample", "email": "ada@example.com", "currency": "USD",
        "lines": [{"product_name": "Classic tee", "sku": "CTEE-M-RED", "attributes": {"Size": "M", "Colour": "Red"},
                   "quantity": 2, "unit_price": _money("15.00"), "line_total": _money("30.00")}],
        "subtotal": _money("30.00"), "discount": _MONEY, "shipping": _money("5.00"), "tax": _MONEY,
        "total": _money("35.00"), "prices_include_tax": False, "shipping_method": "Standard",
        "payment_method": "cod", "courier": "UPS", "tracking_number": "1Z999", "tracking_url": "https://example.com/track/",
        "shop_name": settings.WAGTAIL_SITE_NAME,
    }


def sample_context(event: str) -> dict:
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    shop = {"shop_name": settings.WAGTAIL_SITE_NAME}
    if event == "password_reset":
        return {"first_name": "Ada", "email": "ada@example.com", "uid": "MQ", "token": "sample-token",
                "reset_url": f"{base}/account/reset/MQ/sample-token/"}
    if event == "back_in_stock":
        return {**shop, "product_name": "Classic tee", "variant_label": "M / Red", "sku": "CTEE-M-RED",
                "product_url": f"{base}/products/classic-tee/", "unsubscribe_url": f"{base}/back-in-stock/unsubscribe/x/"}
    if event == "abandoned_cart":
        return {**shop, "customer_name": "Ada", "lines": [{"product_name": "Classic tee", "sku": "CTEE-M-RED",
                                                          "quantity": 2}],
                "restore_url": f"{base}/cart/restore/sample/", "opt_out_url": f"{base}/cart/reminders/stop/sample/"}
    if event == "low_stock_digest":
        return {**shop, "count": 1, "admin_url": f"{base}/admin/", "variants": [
            {"sku": "CTEE-M-RED", "product_name": "Classic tee", "available": 2, "threshold": 5}]}
    if event == "stock_sold_out":
        return {**shop, "sku": "CTEE-M-RED", "product_name": "Classic tee", "admin_url": f"{base}/admin/"}
    context = _sample_order()
    if event == "order_refunded":
        context["refund_amount"] = _money("10.00")
    if event.startswith("order_return_"):
        step = event.removeprefix("order_return_")
        context.update(return_number="CW-7K3QX-R1", return_status=step.capitalize(), return_reason="Too small",
                       return_note="We received the parcel.", return_lines=[{"product_name": "Classic tee",
                                                                            "sku": "CTEE-M-RED", "quantity": 1}])
    return context
