import datetime

import pytest
from django.db import transaction

from commerce.catalog.stock import stock_allocate
from commerce.catalog.tests.factories import ProductVariantFactory
from commerce.marketing.services import low_stock_digest_send
from commerce.marketing.tasks import marketing_low_stock_digest

pytestmark = pytest.mark.django_db


def test_shop_managers_are_told_at_once_when_a_variant_sells_out(manager, mailoutbox, commit):
    variant = ProductVariantFactory(stock_on_hand=2)
    with commit(), transaction.atomic():
        stock_allocate(quantities={variant.pk: 1})
    assert mailoutbox == []
    with commit(), transaction.atomic():
        stock_allocate(quantities={variant.pk: 1})
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["manager@example.com"] and mailoutbox[0].subject.startswith(f"Sold out: {variant.sku}")


def test_daily_digest_lists_variants_at_their_threshold_once_a_day(manager, settings, mailoutbox, commit, db):
    settings.SHOP_LOW_STOCK_THRESHOLD = 5
    low_default = ProductVariantFactory(stock_on_hand=4, product__live=True)
    low_own = ProductVariantFactory(stock_on_hand=15, low_stock_threshold=20, product__live=True)
    fine = ProductVariantFactory(stock_on_hand=6, product__live=True)
    quiet = ProductVariantFactory(stock_on_hand=1, low_stock_threshold=0, product__live=True)
    with commit():
        assert marketing_low_stock_digest.apply().get() == 1
    body = mailoutbox[0].body
    assert low_default.sku in body and low_own.sku in body and "(threshold 20)" in body
    assert fine.sku not in body and quiet.sku not in body
    assert mailoutbox[0].subject == "Low stock: 2 variants at or below threshold"
    with commit():
        assert low_stock_digest_send() == 0  # the same day: not again
        assert low_stock_digest_send(today=datetime.date.today() + datetime.timedelta(days=1)) == 1
    assert len(mailoutbox) == 2


def test_no_digest_without_low_stock(manager, mailoutbox, commit):
    ProductVariantFactory(stock_on_hand=50, product__live=True)
    with commit():
        assert low_stock_digest_send() == 0
    assert mailoutbox == []
