"""The rendered shop's catalogue pages: listing with filters, category pages and the product page."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commerce.catalog.models import AttributeValue
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
    return {card.name for card in response.context["cards"]}


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
    assert [card.name for card in response.context["cards"]] == ["Blue Tee", "Red Tee", "Enamel Mug"]


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
    assert len(first.context["cards"]) == 24
    assert first.context["next_url"] == "?page=2"
    last = client.get(url, {"page": "99"})
    assert last.status_code == 200
    assert last.context["page"] == 2
    assert len(last.context["cards"]) == 6


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


def test_facets_show_only_attributes_in_the_results_with_counts(client, shop):
    html = client.get(reverse("shop-category", args=["t-shirts"])).content.decode()
    # both tees are size S, one red and one blue: counts next to each value
    assert 'name="color" value="red"' in html and 'name="size" value="s"' in html
    assert "Red <span class=\"facet-count\">(1" in html and "S <span class=\"facet-count\">(2" in html
    kitchen = client.get(reverse("shop-category", args=["kitchen"])).content.decode()
    assert 'name="color"' not in kitchen and 'name="size"' not in kitchen  # no apparel facets on mugs


def test_facet_counts_follow_the_other_active_filters(client, shop):
    html = client.get(reverse("shop-list"), {"in_stock": "on"}).content.decode()
    assert "Red <span class=\"facet-count\">(1" in html
    assert 'value="blue" id="f-color-blue" disabled' in html or "Blue <span" not in html


def test_active_filters_are_chips_that_remove_one_filter(client, shop):
    response = client.get(reverse("shop-list"), {"color": ["red", "blue"], "in_stock": "on", "page": "1"})
    chips = {chip.label: chip.remove_url for chip in response.context["chips"]}
    assert chips["Color: Red"] == "?color=blue&in_stock=on"
    assert chips["In stock only"] == "?color=red&color=blue"
    assert 'href="?color=blue&amp;in_stock=on"' in response.content.decode()


def test_numbered_pagination_marks_the_current_page(client, shop):
    category = CategoryFactory(name="Bulk", slug="bulk")
    for i in range(75):
        ProductFactory(name=f"Bulk item {i:02}", slug=f"bulk-{i}", category=category)
    response = client.get(reverse("shop-category", args=["bulk"]), {"page": "2"})
    numbers = [link.get("number") for link in response.context["page_links"]]
    assert numbers == [1, 2, 3, 4]
    html = response.content.decode()
    assert '<a class="page-link" href="?page=2" aria-current="page">' in html
    assert 'rel="prev"' in html and 'rel="next"' in html


def test_listing_works_without_javascript_filters_in_a_form_with_a_submit_button(client, shop):
    html = client.get(reverse("shop-list")).content.decode()
    assert '<form method="get" id="filters"' in html and "Show results" in html
    assert "<details class=\"filter-drawer\" open" in html  # open without JS; the script closes it on phones
    assert "<script>" not in html and " onclick=" not in html and " onchange=" not in html
