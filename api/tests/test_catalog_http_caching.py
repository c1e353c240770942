"""ETags, Cache-Control, 304 and Vary on the API (api/http_caching.py)."""

import pytest
from django.db import transaction

from commerce.catalog.stock import stock_allocate
from commerce.catalog.tests.test_api_products import LIST_URL, api, shop  # noqa: F401 fixtures

pytestmark = pytest.mark.django_db

DETAIL_URL = "/api/v1/products/phone/"


@pytest.mark.parametrize("url", [LIST_URL, LIST_URL + "?facets=true&in_stock=true", DETAIL_URL, "/api/v1/categories/"])
def test_catalogue_answers_carry_a_strong_etag_and_revalidate_with_304(api, shop, url):  # noqa: F811
    first = api.get(url)
    etag = first["ETag"]
    assert first.status_code == 200 and etag.startswith('"')  # strong: no W/
    assert first["Cache-Control"] == "public, max-age=0, must-revalidate"
    again = api.get(url, HTTP_IF_NONE_MATCH=etag)  # now a cache hit on the server
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert api.get(url, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200
    assert api.get(url, HTTP_IF_NONE_MATCH=f'"x", W/{etag}').status_code == 304  # weak comparison


def test_etag_changes_when_the_answer_does(api, shop, django_capture_on_commit_callbacks):  # noqa: F811
    etag = api.get(DETAIL_URL)["ETag"]
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        stock_allocate(quantities={shop["phone"].variants.get().pk: 1})
    response = api.get(DETAIL_URL, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response["ETag"] != etag
    assert response.json()["variants"][0]["available"] == 1


def test_catalogue_answers_do_not_vary_on_login_or_cart(api, shop):  # noqa: F811
    vary = api.get(LIST_URL, HTTP_X_CART_TOKEN="abc").get("Vary", "")
    assert "Authorization" not in vary and "X-Cart-Token" not in vary and "Cookie" not in vary


def test_cart_answers_are_private_and_vary_on_login_cookie_and_cart_token(api, shop):  # noqa: F811
    response = api.get("/api/v1/cart/")
    assert response["Cache-Control"] == "private, no-store"
    vary = {v.strip() for v in response["Vary"].split(",")}
    assert {"Authorization", "Cookie", "X-Cart-Token"} <= vary
    assert "ETag" not in response


def test_catalogue_errors_are_not_public(api, shop):  # noqa: F811
    response = api.get(LIST_URL, {"in_stock": "maybe"})
    assert response.status_code == 400
    assert "public" not in response.get("Cache-Control", "")
