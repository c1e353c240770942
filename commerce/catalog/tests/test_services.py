import pytest

from commerce.catalog.models import AttributeValue, ProductVariant
from commerce.catalog.services import variants_generate
from commerce.catalog.tests.factories import ProductFactory, ProductVariantFactory, clothing_type

pytestmark = pytest.mark.django_db


@pytest.fixture
def tee():
    return ProductFactory(product_type=clothing_type(), name="Cotton Tee", slug="cotton-tee", sku_code="CTEE")


def test_variants_generate_three_sizes_by_three_colours_gives_nine_skus(tee):
    created = variants_generate(product=tee)

    assert len(created) == 9
    skus = set(tee.variants.values_list("sku", flat=True))
    assert len(skus) == 9
    assert {"CTEE-S-RED", "CTEE-M-BLUE", "CTEE-L-BLACK"} <= skus
    variant = tee.variants.get(sku="CTEE-M-BLUE")
    assert sorted(variant.attribute_values.values_list("name", flat=True)) == ["Blue", "M"]


def test_variants_generate_twice_adds_only_missing_and_keeps_existing(tee):
    size_m = AttributeValue.objects.get(attribute__slug="size", slug="m")
    colours = AttributeValue.objects.filter(attribute__slug="color").values_list("pk", flat=True)
    size_attr = size_m.attribute_id
    color_attr = AttributeValue.objects.get(attribute__slug="color", slug="red").attribute_id
    first = variants_generate(product=tee, values_by_attribute={size_attr: [size_m.pk], color_attr: list(colours)})
    assert len(first) == 3
    edited = tee.variants.get(sku="CTEE-M-RED")
    edited.stock_on_hand = 7
    edited.save()

    second = variants_generate(product=tee)
    third = variants_generate(product=tee)

    assert len(second) == 6
    assert third == []
    assert tee.variants.count() == 9
    edited.refresh_from_db()
    assert edited.stock_on_hand == 7


def test_variants_generate_resolves_sku_clash_deterministically(tee):
    ProductVariantFactory(sku="CTEE-S-RED")  # another product already holds the natural SKU

    variants_generate(product=tee)

    assert tee.variants.filter(sku="CTEE-S-RED-2").exists()
    assert ProductVariant.objects.filter(sku__startswith="CTEE-").count() == 10
