"""The variants screen: reachable from the product form, bulk fill, base price shown where a price is empty."""

from decimal import Decimal

import pytest
from django.urls import reverse

from commerce.catalog.models import ProductVariant
from commerce.catalog.tests.factories import ProductFactory, ProductVariantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def product(db):
    product = ProductFactory(base_price=Decimal("15.00"))
    for i in range(3):
        ProductVariantFactory(product=product, sku=f"TEE-{i}", price=None if i else Decimal("18.00"), stock_on_hand=2)
    return product


def test_product_form_has_a_variants_tab_linking_to_the_variants_screen(admin_client, product):
    page = admin_client.get(reverse("catalog_product:edit", args=[product.pk])).content.decode()
    assert "Variants" in page and reverse("catalog_product:variants", args=[product.pk]) in page
    assert "$15.00 (base)" in page  # the variants without a price of their own show the base price


def test_empty_variant_price_shows_the_base_price_on_the_grid(admin_client, product):
    page = admin_client.get(reverse("catalog_product:variants", args=[product.pk])).content.decode()
    assert 'placeholder="15.00 (base)"' in page and "Fill selected" in page


def test_bulk_fill_sets_price_stock_and_weight_on_the_ticked_rows_only(admin_client, product):
    v0, v1, v2 = ProductVariant.objects.filter(product=product).order_by("sku")
    url = reverse("catalog_product:variants", args=[product.pk])
    response = admin_client.post(url, {"bulk_fill": "1", "selected": [v1.pk, v2.pk], "fill-price": "21.50",
                                       "fill-stock_on_hand": "7", "fill-weight": ""})
    assert response.status_code == 302
    rows = {v.sku: v for v in ProductVariant.objects.filter(product=product)}
    assert (rows["TEE-1"].price, rows["TEE-1"].stock_on_hand) == (Decimal("21.50"), 7)
    assert (rows["TEE-2"].price, rows["TEE-2"].stock_on_hand) == (Decimal("21.50"), 7)
    assert (rows["TEE-0"].price, rows["TEE-0"].stock_on_hand) == (Decimal("18.00"), 2)
    assert rows["TEE-1"].weight is None


def test_bulk_fill_refuses_bad_input_and_changes_nothing(admin_client, product):
    v0 = ProductVariant.objects.get(sku="TEE-0")
    ProductVariant.objects.filter(pk=v0.pk).update(stock_allocated=2)
    url = reverse("catalog_product:variants", args=[product.pk])
    response = admin_client.post(url, {"bulk_fill": "1", "selected": [v0.pk], "fill-stock_on_hand": "1"}, follow=True)
    assert "Nothing was changed" in response.content.decode()
    assert ProductVariant.objects.get(pk=v0.pk).stock_on_hand == 2
    response = admin_client.post(url, {"bulk_fill": "1", "fill-price": "3"}, follow=True)
    assert "Tick at least one variant" in response.content.decode()
    other = ProductVariantFactory()
    response = admin_client.post(url, {"bulk_fill": "1", "selected": [other.pk], "fill-price": "3"}, follow=True)
    assert "Nothing was changed" in response.content.decode()
    assert ProductVariant.objects.get(pk=other.pk).price != Decimal("3")
