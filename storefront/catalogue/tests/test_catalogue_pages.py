"""The rendered shop's catalogue pages: listing with filters, category pages and the product page."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commerce.catalog.models import AttributeValue, ProductAttributeValue
from commerce.catalog.services import variants_generate
from commerce.catalog.tests.factories import CategoryFactory, ProductFactory, ProductVariantFactory, clothing_type

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    """Apparel > T-shirts with two tees (one red in stock, one sold out) and a mug elsewhere."""
    clothing = clothing_type()
    apparel = CategoryFactory(name="Apparel", slug="apparel")
    tshirts = CategoryFactory(name="T-shirts", slug="t-shirts", parent=apparel)
    kitchen = CategoryFactory(name="Kitchen", slug="kitchen")
    red = AttributeValue.objects.get(attribute__slug="color", slug="red")
    blue = AttributeValue.objects.get(attribute__slug="color", slug="blue")
    small = AttributeValue.objects.get(attribute__slug="size", slug="s")

    tee = ProductFactory(name="Red Tee", slug="red-tee", sku_code="RTEE", product_type=clothing, category=tshirts,
                         base_price=Decimal("20.00"))
    variant = ProductVariantFactory(product=tee, sku="RTEE-S-RED", stock_on_hand=5, price=Decimal("22.00"))
    variant.attribute_values.set([small, red])
    sold_out = ProductFactory(name="Blue Tee", slug="blue-tee", sku_code="BTEE", product_type=clothing,
                              category=tshirts, base_price=Decimal("30.00"))
    variant = ProductVariantFactory(product=sold_out, sku="BTEE-S-BLUE", stock_on_hand=0)
    variant.attribute_values.set([small, blue])
    mug = ProductFactory(name="Enamel Mug", slug="enamel-mug", category=kitchen, base_price=Decimal("9.00"))
    ProductVariantFactory(product=mug, sku="MUG", stock_on_hand=3)
    ProductFactory(name="Secret Draft Tee", slug="secret-draft-tee", category=tshirts, live=False)
    return {"tee": tee, "sold_out": sold_out, "mug": mug}


def _names(response) -> set[str]:
    return {row["name"] for row in response.context["products"]}


def test_shop_list_shows_live_products_only(client, shop):
    response = client.get(reverse("shop-list"))
    assert response.status_code == 200
    assert _names(response) == {"Red Tee", "Blue Tee", "Enamel Mug"}
    assert b"Secret Draft Tee" not in response.content


def test_shop_category_includes_descendants_and_unknown_is_404(client, shop):
    response = client.get(reverse("shop-category", args=["apparel"]))
    assert _names(response) == {"Red Tee", "Blue Tee"}
    assert client.get(reverse("shop-category", args=["no-such-thing"])).status_code == 404


def test_shop_list_attribute_facet_filters(client, shop):
    response = client.get(reverse("shop-list"), {"color": "red"})
    assert _names(response) == {"Red Tee"}
    # values of one attribute are OR-ed
    response = client.get(reverse("shop-list"), {"color": ["red", "blue"]})
    assert _names(response) == {"Red Tee", "Blue Tee"}
    # the form offers the facet as labelled checkboxes
    assert b'name="color" value="red"' in response.content


def test_shop_list_price_stock_search_and_sort(client, shop):
    url = reverse("shop-list")
    assert _names(client.get(url, {"price_min": "10", "price_max": "25"})) == {"Red Tee"}
    assert _names(client.get(url, {"in_stock": "on"})) == {"Red Tee", "Enamel Mug"}
    assert _names(client.get(url, {"q": "mug"})) == {"Enamel Mug"}
    response = client.get(url, {"sort": "-price"})
    assert [row["name"] for row in response.context["products"]] == ["Blue Tee", "Red Tee", "Enamel Mug"]


def test_shop_list_bad_filter_values_are_reported_not_a_500(client, shop):
    response = client.get(reverse("shop-list"), {"price_min": "cheap", "color": "plaid", "sort": "random", "page": "x"})
    assert response.status_code == 200
    assert b"Some filters were not understood" in response.content
    assert _names(response) == {"Red Tee", "Blue Tee", "Enamel Mug"}  # the bad filters are ignored


def test_shop_list_paginates_and_clamps_a_page_past_the_end(client, shop):
    category = CategoryFactory(name="Bulk", slug="bulk")
    for i in range(30):
        ProductFactory(name=f"Bulk item {i:02}", slug=f"bulk-{i}", category=category)
    url = reverse("shop-category", args=["bulk"])
    first = client.get(url)
    assert len(first.context["products"]) == 24
    assert first.context["next_url"] == "?page=2"
    last = client.get(url, {"page": "99"})
    assert last.status_code == 200
    assert last.context["page"] == 2
    assert len(last.context["products"]) == 6


def test_shop_list_query_count_is_constant(client, shop):
    client.get(reverse("shop-list"))  # warm the cached category / filter / facet lookups
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("shop-list"), {"color": "red"})
    category = CategoryFactory(name="More", slug="more")
    for i in range(20):
        product = ProductFactory(name=f"More {i}", slug=f"more-{i}", category=category)
        ProductVariantFactory(product=product, sku=f"MORE-{i}")
    client.get(reverse("shop-list"))
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("shop-list"), {"color": "red"})
    assert len(many) == len(few)


def test_shop_product_page_shows_variant_picker_and_add_to_cart(client, shop):
    product = shop["tee"]
    material = product.product_type.product_attributes()[0]
    ProductAttributeValue.objects.create(product=product, attribute=material, value_text="Organic cotton")
    response = client.get(reverse("shop-product", args=["red-tee"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'action="/cart/add/"' in html and 'method="post"' in html
    assert 'name="sku" id="variant-1" value="RTEE-S-RED"' in html
    assert "S / Red" in html and "$22.00" in html and "5 in stock" in html
    assert 'name="quantity"' in html and "csrfmiddlewaretoken" in html
    assert "Organic cotton" in html
    assert 'href="/shop/category/t-shirts/"' in html  # breadcrumb through the category path


def test_shop_product_page_lists_every_variant_in_constant_queries(client, shop):
    client.get(reverse("shop-product", args=["red-tee"]))  # warm cached lookups
    with CaptureQueriesContext(connection) as one_variant:
        client.get(reverse("shop-product", args=["red-tee"]))
    product = ProductFactory(name="Nine Tee", slug="nine-tee", sku_code="NINE", product_type=shop["tee"].product_type)
    variants_generate(product=product)
    client.get(reverse("shop-product", args=["nine-tee"]))
    with CaptureQueriesContext(connection) as nine_variants:
        response = client.get(reverse("shop-product", args=["nine-tee"]))
    assert len(response.context["variant_options"]) == 9
    assert "out of stock" in response.content.decode()
    assert len(nine_variants) == len(one_variant)


def test_shop_product_draft_and_unknown_are_404(client, shop):
    assert client.get(reverse("shop-product", args=["secret-draft-tee"])).status_code == 404
    assert client.get(reverse("shop-product", args=["nope"])).status_code == 404


def test_shop_product_sold_out_cannot_be_added(client, shop):
    html = client.get(reverse("shop-product", args=["blue-tee"])).content.decode()
    assert "Currently out of stock" in html
    assert 'value="BTEE-S-BLUE" disabled' in html
