"""The published schema documents what every operation can answer, and the API does what it says."""

import pytest
import yaml
from django.test import Client
from rest_framework.test import APIClient

from commerce.accounts.models import User
from commerce.catalog.tests.factories import ProductVariantFactory

HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        response = Client().get("/api/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield f"{method.upper()} {path}", operation


def test_every_error_response_of_every_operation_has_the_one_error_body(schema):
    error = schema["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    assert schema["components"]["schemas"]["ErrorBody"]["required"] == ["code", "message"]
    for label, operation in operations(schema):
        for status, response in operation["responses"].items():
            if status.startswith("4"):
                assert response["content"] == {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}, (
                    label, status
                )


def test_authenticated_operations_document_401_and_throttled_ones_429_with_retry_after(schema):
    for label, operation in operations(schema):
        security = operation.get("security", [])
        if security and {} not in security:  # login required
            assert "401" in operation["responses"], label
    throttled = dict(operations(schema))["POST /api/v1/checkout/"]["responses"]["429"]
    assert throttled["headers"]["Retry-After"]["required"] is True
    for label, operation in operations(schema):
        if "429" in operation["responses"]:
            assert "Retry-After" in operation["responses"]["429"]["headers"], label


def test_response_headers_are_documented(schema):
    ops = dict(operations(schema))
    assert "X-Cart-Token" in ops["POST /api/v1/cart/items/"]["responses"]["201"]["headers"]
    assert "X-Cart-Token" in ops["GET /api/v1/cart/"]["responses"]["200"]["headers"]
    assert "Idempotent-Replayed" in ops["POST /api/v1/checkout/"]["responses"]["201"]["headers"]


def test_request_bodies_are_json_only_except_review_images(schema):
    for label, operation in operations(schema):
        content = operation.get("requestBody", {}).get("content", {})
        if label == "POST /api/v1/products/{slug}/reviews/":
            assert set(content) == {"application/json", "multipart/form-data"}
            json_body = content["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
            assert "images" not in schema["components"]["schemas"][json_body]["properties"]
        elif content:
            assert set(content) == {"application/json"}, label


def test_pagination_parameters_are_documented_from_1(schema):
    params = {p["name"]: p["schema"] for p in dict(operations(schema))["GET /api/v1/orders/"]["parameters"]}
    assert params["page"]["minimum"] == 1 and params["page_size"]["minimum"] == 1
    assert "404" in dict(operations(schema))["GET /api/v1/orders/"]["responses"]


@pytest.fixture
def customer_api(db):
    user = User.objects.create_user(email="paging@example.com", password="x")
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize("query", ["page=0", "page=abc", "page=%C2%B2", "page_size=true", "page_size=0"])
def test_invalid_page_parameters_answer_400(customer_api, query):
    response = customer_api.get(f"/api/v1/orders/?{query}")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_page_past_the_end_answers_404_and_past_the_documented_maximum_400(customer_api):
    for page in ("2", "2147483647"):
        response = customer_api.get(f"/api/v1/orders/?page={page}")
        assert response.status_code == 404, page
        assert response.json()["error"]["code"] == "page_out_of_range"
    # the schema says `maximum: 2147483647`: beyond it the request is invalid, never a database error
    for page in ("2147483648", "9223372036854775807", "99999999999999999999999"):
        response = customer_api.get(f"/api/v1/orders/?page={page}")
        assert response.status_code == 400, page
        assert "page" in response.json()["error"]["details"]


@pytest.mark.django_db
def test_product_list_page_beyond_64_bits_is_a_400_not_a_database_error():
    response = APIClient().get("/api/v1/products/?page=9223372036854775807&page_size=100")
    assert response.status_code == 400
    assert "page" in response.json()["error"]["details"]
    response = APIClient().get("/api/v1/products/?page=2147483647&page_size=100")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "page_out_of_range"


@pytest.mark.django_db
def test_a_number_sent_for_a_text_field_is_refused():
    response = APIClient().post("/api/v1/cart/items/", {"sku": 12345}, format="json")
    assert response.status_code == 400
    assert "sku" in response.json()["error"]["details"]


@pytest.mark.django_db
def test_form_bodies_are_refused_with_415():
    response = APIClient().post("/api/v1/cart/items/", {"sku": "X"}, format="multipart")
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"


@pytest.mark.django_db
def test_patch_cart_line_with_empty_body_changes_nothing():
    variant = ProductVariantFactory(stock_on_hand=5)
    api = APIClient()
    added = api.post("/api/v1/cart/items/", {"sku": variant.sku, "quantity": 2}, format="json")
    token, line = added["X-Cart-Token"], added.json()["lines"][0]["id"]
    response = api.patch(f"/api/v1/cart/items/{line}/", {}, format="json", HTTP_X_CART_TOKEN=token)
    assert response.status_code == 200 and response.json()["lines"][0]["quantity"] == 2
    response = api.patch(f"/api/v1/cart/items/{line + 999}/", {}, format="json", HTTP_X_CART_TOKEN=token)
    assert response.status_code == 404 and response.json()["error"]["code"] == "cart_line_not_found"


@pytest.mark.django_db
def test_preview_without_a_destination_says_the_address_is_missing():
    from commerce.orders.models import ShippingMethod, ShippingZone

    zone = ShippingZone.objects.create(name="US", countries="US")
    ShippingMethod.objects.create(name="Standard delivery", code="standard", zone=zone, price="5.00")
    variant = ProductVariantFactory(stock_on_hand=5)
    api = APIClient()
    token = api.post("/api/v1/cart/items/", {"sku": variant.sku}, format="json")["X-Cart-Token"]
    response = api.post("/api/v1/checkout/preview/", {"shipping_method": "standard"}, format="json",
                        HTTP_X_CART_TOKEN=token)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "shipping_address_required"
    assert "ship to ." not in response.json()["error"]["message"]


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post", "delete", "patch"])
def test_unknown_api_paths_answer_the_json_404(method):
    response = getattr(APIClient(), method)("/api/v1/cart/items/abc/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.django_db
def test_api_path_without_its_trailing_slash_still_redirects():
    response = APIClient().get("/api/v1/categories?x=1")
    assert response.status_code == 301 and response["Location"] == "/api/v1/categories/?x=1"
