"""Stock and variant changes invalidate what they change, not the whole catalogue (cache.py scopes)."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from commerce.catalog.stock import stock_allocate
from commerce.catalog.tests.test_api_products import LIST_URL, api, shop  # noqa: F401 fixtures

pytestmark = pytest.mark.django_db


def _recomputed(client, url, params=None) -> bool:
    """Whether answering `url` needed the database (a cache miss), and the body."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200, response.content
    return len(queries) > 0, response.json()


def _allocate(capture, variant_id, quantity):
    with capture(execute=True), transaction.atomic():
        stock_allocate(quantities={variant_id: quantity})


def test_stock_move_leaves_unrelated_pages_warm(api, shop, django_capture_on_commit_callbacks):  # noqa: F811
    urls = ["/api/v1/products/phone/", "/api/v1/products/blue-tee/", LIST_URL, LIST_URL + "?in_stock=true"]
    for url in urls:
        api.get(url)
    red_m = shop["red_tee"].variants.get(sku="RTEE-M-RED")  # 5 available: still in stock after 1
    _allocate(django_capture_on_commit_callbacks, red_m.pk, 1)

    misses = {url: _recomputed(api, url)[0] for url in urls}
    assert misses == dict.fromkeys(urls, False)  # 4 hits: no other product, no list recomputed
    changed, detail = _recomputed(api, "/api/v1/products/red-tee/")
    assert changed
    assert next(v for v in detail["variants"] if v["sku"] == "RTEE-M-RED")["available"] == 4


def test_stock_move_that_sells_out_refreshes_lists_but_not_other_products(
    api, shop, django_capture_on_commit_callbacks  # noqa: F811
):
    api.get("/api/v1/products/red-tee/")
    api.get(LIST_URL)
    phone = shop["phone"].variants.get()
    _allocate(django_capture_on_commit_callbacks, phone.pk, 2)  # its only variant: sold out

    assert _recomputed(api, "/api/v1/products/red-tee/")[0] is False
    missed, body = _recomputed(api, LIST_URL)
    assert missed
    assert next(i for i in body["results"] if i["slug"] == "phone")["in_stock"] is False
    missed, detail = _recomputed(api, "/api/v1/products/phone/")
    assert missed and detail["in_stock"] is False


def test_variant_price_edit_refreshes_its_product_and_lists_only(api, shop):  # noqa: F811
    api.get("/api/v1/products/phone/")
    api.get("/api/v1/products/red-tee/")
    variant = shop["red_tee"].variants.get(sku="RTEE-S-RED")
    variant.price = "21.00"
    variant.save()
    assert _recomputed(api, "/api/v1/products/phone/")[0] is False
    missed, detail = _recomputed(api, "/api/v1/products/red-tee/")
    assert missed and next(v for v in detail["variants"] if v["sku"] == "RTEE-S-RED")["price"] == "21.00"
    assert next(i for i in api.get(LIST_URL).json()["results"] if i["slug"] == "red-tee")["price_max"] == "25.00"
