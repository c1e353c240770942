"""Two restocks racing on PostgreSQL: every subscriber gets exactly one email."""

import threading

import pytest
from django.core import mail
from django.db import connection, transaction

from commerce.catalog.services import variants_update
from commerce.catalog.stock import stock_restock
from commerce.catalog.tests.factories import ProductVariantFactory
from commerce.marketing.models import BackInStockSubscription
from commerce.marketing.services import back_in_stock_subscribe
from commerce.notifications.models import NotificationLog

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_parallel(jobs):
    barrier = threading.Barrier(len(jobs))
    errors = []

    def worker(job):
        try:
            barrier.wait()
            job()
        except Exception as exc:  # asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def test_two_racing_restocks_send_each_subscriber_exactly_one_email():
    variant = ProductVariantFactory(stock_on_hand=0, product__live=True)
    for i in range(5):
        back_in_stock_subscribe(sku=variant.sku, email=f"waiting{i}@example.com")

    def restock_by_return():
        with transaction.atomic():
            stock_restock(quantities={variant.pk: 3})

    def restock_in_the_grid():
        variants_update(product=variant.product, changes={variant.pk: {"stock_on_hand": 10}})

    errors = run_parallel([restock_by_return, restock_in_the_grid, restock_by_return, restock_by_return])
    assert errors == []
    recipients = sorted(m.to[0] for m in mail.outbox if m.subject.startswith("Back in stock"))
    assert recipients == [f"waiting{i}@example.com" for i in range(5)]
    assert NotificationLog.objects.filter(event="back_in_stock").count() == 5
    assert set(BackInStockSubscription.objects.values_list("status", flat=True)) == {"notified"}
