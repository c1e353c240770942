"""Order events the promotions app reacts to (connected in apps.py)."""

from django.dispatch import receiver

from commerce.orders.models import Order
from commerce.orders.signals import order_status_changed

from .services import coupon_release


@receiver(order_status_changed, dispatch_uid="promotions_release_coupon_on_cancel")
def release_coupon_on_cancel(sender, order, from_status, to_status, **kwargs):
    # Sent inside the status change's transaction: the use comes back only if the cancel commits.
    if to_status == Order.Status.CANCELLED:
        coupon_release(order=order)
