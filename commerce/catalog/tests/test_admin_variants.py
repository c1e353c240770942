"""services.variants_update, the rules behind the admin's variant grid."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, transaction

from commerce.catalog.models import ProductVariant
from commerce.catalog.services import variants_update
from commerce.catalog.stock import stock_allocate
from commerce.catalog.tests.factories import ProductFactory, ProductVariantFactory
from commerce.core.errors import ApplicationError


@pytest.mark.django_db
def test_variants_update_saves_only_changed_rows():
    product = ProductFactory()
    a = ProductVariantFactory(product=product, sku="A-1", stock_on_hand=1)
    b = ProductVariantFactory(product=product, sku="B-1", stock_on_hand=2)
    saved = variants_update(
        product=product,
        changes={
            a.pk: {"sku": " A-1 ", "price": Decimal("9.50"), "stock_on_hand": 4, "weight": None, "is_active": True},
            b.pk: {"sku": "B-1", "price": None, "stock_on_hand": 2, "weight": None, "is_active": True},
        },
    )
    assert [v.sku for v in saved] == ["A-1"]
    a.refresh_from_db()
    assert (a.sku, a.price, a.stock_on_hand) == ("A-1", Decimal("9.50"), 4)


@pytest.mark.django_db
def test_variants_update_reports_every_bad_row_and_writes_nothing():
    product = ProductFactory()
    other = ProductVariantFactory(sku="TAKEN")
    a = ProductVariantFactory(product=product, sku="A-1", stock_on_hand=5, stock_allocated=3)
    b = ProductVariantFactory(product=product, sku="B-1", stock_on_hand=5)
    c = ProductVariantFactory(product=product, sku="C-1", stock_on_hand=5)
    with pytest.raises(ApplicationError) as caught:
        variants_update(
            product=product,
            changes={
                a.pk: {"stock_on_hand": 2},
                b.pk: {"sku": other.sku},
                c.pk: {"price": Decimal("-1.00"), "stock_on_hand": 9},
            },
        )
    assert caught.value.code == "invalid_variants"
    assert set(caught.value.details) == {a.pk, b.pk, c.pk}
    assert "already allocated" in caught.value.details[a.pk]["stock_on_hand"]
    assert "another product" in caught.value.details[b.pk]["sku"]
    assert "negative" in caught.value.details[c.pk]["price"]
    assert list(ProductVariant.objects.filter(product=product).order_by("sku").values_list("sku", "stock_on_hand")) == [
        ("A-1", 5),
        ("B-1", 5),
        ("C-1", 5),
    ]


@pytest.mark.django_db
def test_variants_update_refuses_a_variant_of_another_product():
    product = ProductFactory()
    stranger = ProductVariantFactory(sku="STRANGER")
    with pytest.raises(ApplicationError):
        variants_update(product=product, changes={stranger.pk: {"stock_on_hand": 99}})
    stranger.refresh_from_db()
    assert stranger.stock_on_hand == 10


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_variants_update_waits_for_a_checkout_allocating_the_same_variant():
    """The grid read allocated=0 and lowers stock to 2 while a checkout allocates 4 of the 5 on hand:
    the grid save waits for the checkout's row lock, then sees 4 allocated and refuses."""
    variant = ProductVariantFactory(sku="RACE-1", stock_on_hand=5)
    product = variant.product
    allocated = threading.Event()
    release_checkout = threading.Event()
    outcome = {}

    def checkout():
        try:
            with transaction.atomic():
                stock_allocate(quantities={variant.pk: 4})
                allocated.set()
                release_checkout.wait(5)
        finally:
            connection.close()

    def grid_save():
        try:
            allocated.wait(5)
            variants_update(product=product, changes={variant.pk: {"stock_on_hand": 2}})
            outcome["result"] = "saved"
        except ApplicationError as error:
            outcome["result"] = error.details
        finally:
            connection.close()

    threads = [threading.Thread(target=checkout), threading.Thread(target=grid_save)]
    for thread in threads:
        thread.start()
    allocated.wait(5)
    release_checkout.set()
    for thread in threads:
        thread.join(10)

    assert "already allocated" in outcome["result"][variant.pk]["stock_on_hand"]
    variant.refresh_from_db()
    assert (variant.stock_on_hand, variant.stock_allocated) == (5, 4)
