"""One error document under /api/: `{"error": {"code", "message", "details"}}` as application/json for
every status, whether DRF, Django or Wagtail produced it, and a 500 that carries an error id."""

import io
import logging

import pytest
from django.test import Client
from rest_framework.test import APIClient

from api.parsers import BoundedJSONParser
from commerce.accounts.tests.factories import UserFactory
from commerce.core.validation import RequestTooLarge

pytestmark = pytest.mark.django_db


def error_of(response, status):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert isinstance(error["code"], str) and isinstance(error["message"], str)
    return error


@pytest.mark.parametrize(
    "path", ["/api/v1/cart/items/abc/", "/api/v1/nothing-here/", "/api/v2/", "/api/", "/api/v1/orders/x/y/z/"]
)
def test_unknown_api_paths_are_json_404(path):
    error = error_of(Client().get(path), 404)
    assert error["code"] == "not_found"


def test_unknown_api_path_with_unsafe_method_and_no_csrf_token_is_json_403():
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory())
    error = error_of(client.delete("/api/v1/nothing-here/"), 403)
    assert error["code"] == "csrf_failed"


def test_session_delete_without_csrf_token_is_json_403():
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory())
    error = error_of(client.delete("/api/v1/wishlist/1/"), 403)
    assert "CSRF" in error["message"]


def test_method_not_allowed_is_json_405():
    error = error_of(APIClient().put("/api/v1/products/", {}, format="json"), 405)
    assert error["code"] == "method_not_allowed"


def test_unsupported_media_type_is_json_415():
    error = error_of(Client().post("/api/v1/cart/items/", "sku=x", content_type="text/plain"), 415)
    assert error["code"] == "unsupported_media_type"


def test_body_over_the_limit_is_json_413_even_without_content_length(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = '{"sku": "' + "x" * 2000 + '"}'
    error = error_of(Client().post("/api/v1/cart/items/", body, content_type="application/json"), 413)
    assert error["code"] == "request_too_large"
    assert error["details"] == {"max_bytes": 1000}


def test_json_parser_stops_reading_at_the_limit_when_no_length_is_declared(settings):
    """A chunked body has no Content-Length for the middleware to check: the parser reads at most
    limit + 1 bytes and refuses."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    class Endless(io.RawIOBase):
        read_sizes = []

        def read(self, size=-1):
            assert size != -1, "read everything"
            self.read_sizes.append(size)
            return b" " * size

    stream = Endless()
    with pytest.raises(RequestTooLarge):
        BoundedJSONParser().parse(stream)
    assert stream.read_sizes == [1001]


def test_form_body_over_the_limit_is_json_413(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = Client().post(
        "/api/v1/auth/token/", "email=" + "x" * 500, content_type="application/x-www-form-urlencoded"
    )
    error_of(response, 413)


def test_throttled_is_json_429_with_retry_after():
    client = APIClient()
    for _ in range(5):
        client.post("/api/v1/auth/token/", {"email": "a@example.com", "password": "x"}, format="json")
    response = client.post("/api/v1/auth/token/", {"email": "a@example.com", "password": "x"}, format="json")
    error = error_of(response, 429)
    assert error["code"] == "throttled"
    assert response["Retry-After"]


def test_server_error_is_json_500_with_an_error_id_in_the_log_and_sentry(monkeypatch, caplog):
    import sentry_sdk

    from api.catalog.views import CategoryTreeView

    def explode(self, request, *args, **kwargs):
        raise RuntimeError("boom")

    tags = {}
    monkeypatch.setattr(CategoryTreeView, "get", explode)
    monkeypatch.setattr(sentry_sdk, "set_tag", lambda key, value: tags.__setitem__(key, value))
    with caplog.at_level(logging.ERROR, logger="commerce.errors"):
        response = Client(raise_request_exception=False).get("/api/v1/categories/")
    error = error_of(response, 500)
    assert error["code"] == "server_error"
    error_id = error["details"]["error_id"]
    assert len(error_id) == 32
    assert tags == {"error_id": error_id}
    logged = [r for r in caplog.records if r.name == "commerce.errors"]
    assert len(logged) == 1
    assert error_id in logged[0].getMessage()
    assert logged[0].exc_info[0] is RuntimeError
    assert "boom" not in response.content.decode()  # no internals in the answer


def test_wagtail_api_errors_use_the_same_document():
    error = error_of(Client().get("/api/v1/cms/pages/999999/"), 404)
    assert error["code"] == "not_found"
    error = error_of(Client().get("/api/v1/cms/pages/?no_such_filter=1"), 400)
    assert error["code"] == "bad_request"
    error = error_of(Client().get("/api/v1/cms/images/?width=%D9%A1%D9%A2"), 400)
    error = error_of(Client().get("/api/v1/cms/pages/?offset=99999999999999999999"), 400)
    assert error["details"] == {"offset": ["Must be at most 2147483647."]}


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/products/?q=%00", "q"),
        ("/api/v1/products/?q=a%01b", "q"),
        ("/api/v1/orders/CW%00X/", "path"),
        ("/api/v1/products/?page=9223372036854775807", "page"),
        ("/api/v1/products/?page=99999999999999999999999", "page"),
        ("/api/v1/orders/?page=9223372036854775807", "page"),
        ("/api/v1/products/?page_size=%D9%A1%D9%A2", "page_size"),
    ],
)
def test_hostile_query_and_path_values_are_a_documented_400(path, field):
    client = APIClient()
    client.force_authenticate(UserFactory())
    error = error_of(client.get(path), 400)
    assert field in error["details"]


@pytest.mark.parametrize("ref", ["²", "١٢", "tee\u0000", "x y"])
def test_wishlist_add_refuses_what_is_neither_an_id_nor_a_slug(ref):
    client = APIClient()
    client.force_authenticate(UserFactory())
    error = error_of(client.post("/api/v1/wishlist/", {"product": ref}, format="json"), 400)
    assert "product" in error["details"]


@pytest.mark.parametrize("ref", [str(2**64), "0" * 200])
def test_wishlist_add_of_digits_past_any_id_is_an_unknown_slug_not_an_overflow(ref):
    client = APIClient()
    client.force_authenticate(UserFactory())
    assert error_of(client.post("/api/v1/wishlist/", {"product": ref}, format="json"), 404)["code"] == "product_not_found"


@pytest.mark.parametrize("quantity", ["١٢", "²", 2**63, "1e3", 1.5, True])
def test_cart_quantity_must_be_an_ascii_integer(quantity):
    response = APIClient().post("/api/v1/cart/items/", {"sku": "X", "quantity": quantity}, format="json")
    error = error_of(response, 400)
    assert "quantity" in error["details"]


@pytest.mark.parametrize("depth", [1_000, 10_000])
def test_deeply_nested_json_is_400(depth):
    response = Client().post("/api/v1/cart/items/", "[" * depth + "]" * depth, content_type="application/json")
    assert error_of(response, 400)["code"] == "json_too_deep"


@pytest.mark.parametrize("header", ["HTTP_IDEMPOTENCY_KEY", "HTTP_X_CART_TOKEN"])
def test_control_characters_in_the_shops_headers_are_a_documented_400(header):
    response = APIClient().post("/api/v1/checkout/", {}, format="json", **{header: "key\x00"})
    error = error_of(response, 400)
    assert error["code"] == "invalid_characters"


@pytest.mark.parametrize("char", ["\x01", "\x1b", "\x7f", "\x9b", "\x00"])
def test_a_control_character_in_a_text_field_is_a_400_naming_the_field(char):
    response = APIClient().post("/api/v1/orders/track/", {"order_number": f"CW{char}1", "phone": "+15550100"},
                                format="json")
    error = error_of(response, 400)
    assert error["code"] == "invalid_characters" and "order_number" in error["details"]


def test_a_property_the_operation_does_not_read_is_ignored_whatever_it_holds():
    """As the schema allows any extra property, one with a control character changes nothing."""
    response = APIClient().post("/api/v1/orders/track/", {"order_number": "CW-NOPE", "phone": "+15550100",
                                                         "\x01note": "\x9b"}, format="json")
    assert error_of(response, 404)["code"] == "not_found"


def test_a_404_raised_by_a_view_is_not_logged_as_an_unhandled_error(caplog):
    """Http404 (and Django's other 4xx exceptions) are answers, not failures: no error log, no error id."""
    client = APIClient()
    client.force_authenticate(UserFactory())
    response = client.get("/api/v1/auth/addresses/999999/")
    assert response.status_code == 404
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
    storefront = Client().get("/shop/product/no-such-product/")
    assert storefront.status_code == 404
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
