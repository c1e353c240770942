"""STOREFRONT_URL and its path templates: product API site_url and the order emails' tracking link."""

import pytest

from commerce.catalog.tests.test_api_products import LIST_URL, api, shop  # noqa: F401 fixtures
from commerce.core.links import storefront_url

pytestmark = pytest.mark.django_db


def test_product_answers_link_to_the_storefront_page(api, shop, settings):  # noqa: F811
    settings.STOREFRONT_URL = "https://shop.example.com/"
    settings.STOREFRONT_PATHS = {"product": "/p/{slug}"}
    item = next(i for i in api.get(LIST_URL).json()["results"] if i["slug"] == "phone")
    assert item["site_url"] == "https://shop.example.com/p/phone"
    assert api.get("/api/v1/products/red-tee/").json()["site_url"] == "https://shop.example.com/p/red-tee"


def test_site_url_is_null_when_the_storefront_is_off(api, shop, settings):  # noqa: F811
    settings.STOREFRONT_URL = ""
    assert api.get("/api/v1/products/phone/").json()["site_url"] is None


def test_order_tracking_link_follows_the_storefront_settings(settings):
    from commerce.orders.models import Order
    from commerce.orders.notifications import order_tracking_url

    settings.STOREFRONT_URL = "https://shop.example.com"
    settings.STOREFRONT_PATHS = {"order_tracking": "/orders/track?number={order_number}"}
    assert order_tracking_url(order=Order(number="CW-1 2")) == "https://shop.example.com/orders/track?number=CW-1%202"
    assert storefront_url("category", slug="mugs") == "https://shop.example.com/shop/category/mugs/"
