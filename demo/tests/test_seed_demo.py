"""`manage.py seed_demo` builds a believable shop and a second run changes nothing."""

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from wagtail.images import get_image_model

from cms_pages.models import Banner
from commerce.catalog.models import (
    Category,
    Product,
    ProductAttributeValue,
    ProductImage,
    ProductType,
    ProductVariant,
)
from commerce.orders.models import ShippingMethod, TaxRate
from commerce.promotions.models import Coupon


def _snapshot():
    return {
        "products": sorted(Product.objects.values_list("slug", "live", "base_price", "updated_at")),
        "variants": sorted(ProductVariant.objects.values_list("sku", "price", "stock_on_hand", "weight", "updated_at")),
        "attribute_values": ProductAttributeValue.objects.count(),
        "images": get_image_model().objects.count(),
        "product_images": ProductImage.objects.count(),
        "categories": sorted(Category.objects.values_list("slug", "parent__slug")),
        "shipping": sorted(ShippingMethod.objects.values_list("code", "price")),
        "tax": TaxRate.objects.count(),
        "coupons": Coupon.objects.count(),
        "banners": Banner.objects.count(),
    }


@pytest.mark.django_db
def test_seed_demo_builds_a_shop_and_is_idempotent():
    call_command("seed_demo", verbosity=0)
    first = _snapshot()

    assert Product.objects.filter(live=True).count() >= 40
    assert set(ProductType.objects.values_list("slug", flat=True)) >= {"clothing", "electronics", "food"}
    clothing = ProductType.objects.get(slug="clothing")
    assert [a.slug for a in clothing.variant_attributes()] == ["size", "color"]
    assert [a.slug for a in clothing.product_attributes()] == ["material"]
    # two levels: every product sits in a child category of a root
    assert not Product.objects.filter(category__parent__isnull=True).exists()
    assert Category.objects.filter(parent__isnull=True).count() == 3
    # every product has a generated picture and active variants, and most variants have stock
    assert ProductImage.objects.count() == Product.objects.count()
    assert not Product.objects.filter(variants__isnull=True).exists()
    assert ProductVariant.objects.filter(stock_on_hand__gt=0).count() > ProductVariant.objects.count() // 2
    tee = Product.objects.get(slug="classic-crew-tee")
    assert tee.variants.count() == 9
    assert tee.attribute_values.get().value_text == "100% cotton"
    assert ShippingMethod.objects.filter(is_active=True).exists() and TaxRate.objects.exists()
    assert authenticate(email="admin@cartwheel.test", password="cartwheel-demo").is_superuser
    # something to try and something to see: a coupon the home banner announces, category pictures
    assert Coupon.objects.filter(code="WELCOME10", is_active=True).exists()
    assert Banner.objects.filter(title__contains="WELCOME10", live=True).exists()
    assert not Category.objects.filter(parent__isnull=True, image__isnull=True).exists()
    assert get_image_model().objects.filter(title__startswith="Category:").first().width >= 900

    call_command("seed_demo", verbosity=0)
    assert _snapshot() == first
