"""Periodic order tasks (scheduled in settings.CELERY_BEAT_SCHEDULE). Thin: they call services."""

from celery import shared_task

from .services import orders_expire_pending_now


@shared_task
def orders_expire_pending() -> int:
    """Cancel pending orders older than SHOP_PENDING_ORDER_TTL_HOURS, releasing their stock."""
    return orders_expire_pending_now()
