"""Integrity the database enforces on its own, whatever code writes the rows."""

import pytest
from django.db import IntegrityError, transaction

from commerce.catalog.models import ProductVariant
from commerce.catalog.tests.factories import ProductFactory, ProductVariantFactory

pytestmark = pytest.mark.django_db


def _assert_rejected(write):
    with pytest.raises(IntegrityError), transaction.atomic():
        write()


def test_variant_sku_is_unique_across_products():
    ProductVariantFactory(sku="TEE-S-RED")
    other = ProductFactory()
    _assert_rejected(lambda: ProductVariantFactory(product=other, sku="TEE-S-RED"))


def test_variant_combination_is_unique_per_product():
    variant = ProductVariantFactory(combination_key="3-7")
    _assert_rejected(lambda: ProductVariantFactory(product=variant.product, combination_key="3-7"))
    # the same combination on another product is fine
    ProductVariantFactory(combination_key="3-7")


def test_variant_stock_on_hand_cannot_go_negative():
    variant = ProductVariantFactory(stock_on_hand=1)
    _assert_rejected(lambda: ProductVariant.objects.filter(pk=variant.pk).update(stock_on_hand=-1))


def test_variant_allocated_cannot_go_negative():
    variant = ProductVariantFactory(stock_on_hand=1)
    _assert_rejected(lambda: ProductVariant.objects.filter(pk=variant.pk).update(stock_allocated=-1))


def test_variant_allocated_cannot_exceed_on_hand():
    variant = ProductVariantFactory(stock_on_hand=2)
    _assert_rejected(lambda: ProductVariant.objects.filter(pk=variant.pk).update(stock_allocated=3))
    # and lowering on hand below what is allocated is refused too
    ProductVariant.objects.filter(pk=variant.pk).update(stock_allocated=2)
    _assert_rejected(lambda: ProductVariant.objects.filter(pk=variant.pk).update(stock_on_hand=1))


def test_variant_allocated_equal_to_on_hand_is_allowed():
    variant = ProductVariantFactory(stock_on_hand=2)
    ProductVariant.objects.filter(pk=variant.pk).update(stock_allocated=2)
    variant.refresh_from_db()
    assert variant.stock_available == 0
