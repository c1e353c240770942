"""The site side of the input rules and error pages, and the security headers on every response."""

import logging

import pytest
from django.test import Client

from commerce.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def html_page(response, status):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("text/html")
    return response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/search/?q=%00",
        "/search/?q=tee%1B",
        "/search/?q%00=tee",
        "/checkout/confirmation/CW%00X/",
        "/account/orders/CW%00X/",
        "/track/?order_number=%00&phone=1",
        "/shop/?page=9223372036854775807",
        "/shop/?page=%D9%A1%D9%A2",
        "/search/?q=tee&page=18446744073709551616",
        "/shop/product/tee%00/",
    ],
)
def test_hostile_values_on_the_site_get_the_400_page(path):
    client = Client()
    client.force_login(UserFactory())
    page = html_page(client.get(path), 400)
    assert "couldn’t read that request" in page


def test_control_characters_in_a_posted_form_get_the_400_page_or_a_form_error():
    from commerce.accounts.models import Address

    client = Client()
    client.force_login(UserFactory())
    urlencoded = client.post(
        "/account/addresses/add/", "full_name=A%00B&city=x", content_type="application/x-www-form-urlencoded"
    )
    assert "U+0000" in html_page(urlencoded, 400)
    # multipart is left to the form, which refuses NUL in every text field
    multipart = client.post("/account/addresses/add/", {"full_name": "A\x00B", "line1": "1 Main", "city": "x",
                                                        "country": "US", "phone": "+12025550143"})
    assert "Null characters are not allowed" in html_page(multipart, 200)
    assert not Address.objects.exists()


def test_site_keeps_its_pages_for_ordinary_errors():
    html_page(Client().get("/no-such-page/"), 404)
    assert Client().get("/shop/?page=abc").status_code == 200  # not a number: the first page, as before


@pytest.mark.parametrize("ref", ["²", "١٢", "99999999999999999999999"])
def test_site_wishlist_add_with_a_non_ascii_or_huge_id_is_404_not_500(ref):
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory())
    assert client.post("/wishlist/add/", {"product": ref}).status_code == 404


@pytest.mark.parametrize("path", ["/cart/lines/99999999999999999999/", "/wishlist/9223372036854775808/remove/"])
def test_ids_past_the_bigint_range_do_not_match_a_route(path):
    client = Client()
    client.force_login(UserFactory())
    assert client.post(path, {"quantity": "1"}).status_code == 404


def test_cart_quantity_in_non_ascii_digits_is_a_form_error():
    from storefront.cart.views import LineQuantityForm

    form = LineQuantityForm({"quantity": "١٢"})
    assert not form.is_valid()
    assert "quantity" in form.errors


def test_wagtail_admin_search_with_nul_is_400_not_a_database_error():
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get("/admin/pages/search/?q=%00").status_code == 400
    assert client.get("/admin/pages/search/?q=tee").status_code == 200


def test_site_server_error_page_shows_the_error_id(monkeypatch, caplog):
    import storefront.search.views

    def explode(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(storefront.search.views, "product_search", explode)
    with caplog.at_level(logging.ERROR, logger="commerce.errors"):
        response = Client(raise_request_exception=False).get("/search/?q=tee")
    page = html_page(response, 500)
    [record] = [r for r in caplog.records if r.name == "commerce.errors"]
    error_id = record.getMessage().rsplit("error_id=", 1)[1].rstrip("]")
    assert error_id in page


def test_storefront_csp_allows_no_inline_script():
    response = Client().get("/search/")
    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    assert policy["script-src"] == "'self'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'self'"


@pytest.mark.parametrize("path", ["/", "/search/", "/admin/login/", "/api/v1/products/", "/no-such-page/"])
def test_every_response_has_csp_and_permissions_policy(path):
    response = Client().get(path)
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


def test_admin_policy_is_separate_from_the_storefront_one():
    admin = Client().get("/admin/login/")["Content-Security-Policy"]
    assert "script-src 'self' 'unsafe-inline'" in admin
    assert "blob:" in admin
