"""Cart housekeeping run by Celery beat (see CELERY_BEAT_SCHEDULE)."""

from celery import shared_task
from django.conf import settings

from .services import carts_purge_stale as _carts_purge_stale


@shared_task
def carts_purge_stale() -> int:
    """Delete anonymous and closed carts untouched for SHOP_STALE_CART_DAYS days."""
    return _carts_purge_stale(days=settings.SHOP_STALE_CART_DAYS)
