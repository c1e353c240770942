from celery import shared_task

from .services import abandoned_carts_remind, low_stock_digest_send


@shared_task
def marketing_low_stock_digest() -> int:
    return low_stock_digest_send()


@shared_task
def marketing_abandoned_carts_remind() -> int:
    return abandoned_carts_remind()
