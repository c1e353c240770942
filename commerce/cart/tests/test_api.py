from decimal import Decimal

import pytest

from commerce.cart.models import Cart, CartLine
from commerce.catalog.tests.factories import ProductVariantFactory

from .conftest import jwt_client

pytestmark = pytest.mark.django_db

ITEMS = "/api/v1/cart/items/"


def add(client, sku, quantity, token=None):
    headers = {"HTTP_X_CART_TOKEN": token} if token else {}
    return client.post(ITEMS, {"sku": sku, "quantity": quantity}, format="json", **headers)


def test_cart_items_create_anonymous_returns_token_in_body_and_header(api, variant):
    response = add(api, variant.sku, 2)
    assert response.status_code == 201
    body = response.json()
    assert body["token"] and response["X-Cart-Token"] == body["token"]
    assert body["item_count"] == 2
    assert body["subtotal"] == "30.00"
    line = body["lines"][0]
    assert line["sku"] == "TEE-M-RED"
    assert line["unit_price"] == "15.00" and line["line_total"] == "30.00"
    assert line["available"] == 5
    assert line["product_name"] == variant.product.name


def test_cart_items_create_with_token_sums_into_the_same_line(api, variant):
    token = add(api, variant.sku, 2).json()["token"]
    response = add(api, variant.sku, 1, token=token)
    assert response.status_code == 201
    assert [line["quantity"] for line in response.json()["lines"]] == [3]
    assert Cart.objects.count() == 1


def test_cart_items_create_beyond_stock_is_409_naming_available(api, variant):
    token = add(api, variant.sku, 4).json()["token"]
    response = add(api, variant.sku, 2, token=token)
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "insufficient_stock"
    assert error["details"]["available"] == 5
    assert "5" in error["message"]
    assert CartLine.objects.get().quantity == 4


def test_cart_items_create_refused_leaves_no_cart(api, variant):
    response = add(api, variant.sku, 6)
    assert response.status_code == 409
    assert Cart.objects.count() == 0


def test_cart_items_create_unknown_sku_is_400(api, variant):
    response = add(api, "NOPE", 1)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "unknown_sku"


def test_cart_items_create_invalid_quantity_is_400(api, variant):
    assert add(api, variant.sku, 0).status_code == 400


def test_cart_items_create_inactive_variant_is_400(api):
    variant = ProductVariantFactory(is_active=False)
    assert add(api, variant.sku, 1).status_code == 400


def test_cart_retrieve_without_token_is_empty(api):
    response = api.get("/api/v1/cart/")
    assert response.status_code == 200
    assert response.json()["lines"] == [] and response.json()["token"] is None


def test_cart_retrieve_with_unknown_or_malformed_token_is_404(api):
    assert api.get("/api/v1/cart/", HTTP_X_CART_TOKEN="not-a-uuid").status_code == 404
    assert api.get("/api/v1/cart/", HTTP_X_CART_TOKEN="3f1c1fd2-83d4-4e0b-9bd6-9c1e0fc3b3a1").status_code == 404


def test_cart_items_partial_update_changes_quantity_and_checks_stock(api, variant):
    body = add(api, variant.sku, 1).json()
    token, line_id = body["token"], body["lines"][0]["id"]
    response = api.patch(f"{ITEMS}{line_id}/", {"quantity": 4}, format="json", HTTP_X_CART_TOKEN=token)
    assert response.status_code == 200 and response.json()["item_count"] == 4
    response = api.patch(f"{ITEMS}{line_id}/", {"quantity": 9}, format="json", HTTP_X_CART_TOKEN=token)
    assert response.status_code == 409
    assert response.json()["error"]["details"]["available"] == 5


def test_cart_items_partial_update_zero_removes_line(api, variant):
    body = add(api, variant.sku, 1).json()
    response = api.patch(
        f"{ITEMS}{body['lines'][0]['id']}/", {"quantity": 0}, format="json", HTTP_X_CART_TOKEN=body["token"]
    )
    assert response.status_code == 200 and response.json()["lines"] == []


def test_cart_items_destroy_removes_line(api, variant):
    body = add(api, variant.sku, 1).json()
    response = api.delete(f"{ITEMS}{body['lines'][0]['id']}/", HTTP_X_CART_TOKEN=body["token"])
    assert response.status_code == 200
    assert not CartLine.objects.exists()


def test_cart_customer_uses_user_cart_without_token(customer, variant):
    client = jwt_client(customer)
    response = add(client, variant.sku, 2)
    assert response.status_code == 201
    assert response.json()["token"] is None
    assert Cart.objects.get().user == customer
    assert client.get("/api/v1/cart/").json()["item_count"] == 2


def test_cart_login_merges_anonymous_cart_summing_capped_at_stock(api, customer, variant):
    other = ProductVariantFactory(stock_on_hand=3)
    token = add(api, variant.sku, 4).json()["token"]
    add(api, other.sku, 1, token=token)
    client = jwt_client(customer)
    add(client, variant.sku, 3)  # the customer's own cart: 3 + 4 > 5 available
    response = client.get("/api/v1/cart/", HTTP_X_CART_TOKEN=token)
    assert response.status_code == 200
    quantities = {line["sku"]: line["quantity"] for line in response.json()["lines"]}
    assert quantities == {variant.sku: 5, other.sku: 1}
    assert Cart.objects.get(token=token).status == Cart.Status.MERGED
    # the merged token keeps working for the customer and opens nothing for anyone else
    assert client.get("/api/v1/cart/", HTTP_X_CART_TOKEN=token).json()["item_count"] == 6
    assert api.get("/api/v1/cart/", HTTP_X_CART_TOKEN=token).status_code == 404


def test_cart_converted_token_is_404(api, variant):
    token = add(api, variant.sku, 1).json()["token"]
    Cart.objects.filter(token=token).update(status=Cart.Status.CONVERTED)
    assert api.get("/api/v1/cart/", HTTP_X_CART_TOKEN=token).status_code == 404
    assert add(api, variant.sku, 1, token=token).status_code == 404


def test_cart_subtotal_uses_variant_price_over_base_price(api):
    variant = ProductVariantFactory(price=Decimal("9.99"))
    assert add(api, variant.sku, 3).json()["subtotal"] == "29.97"


def test_cart_retrieve_query_count_constant(api, django_assert_max_num_queries):
    variants = [ProductVariantFactory() for _ in range(10)]
    token = add(api, variants[0].sku, 1).json()["token"]
    for v in variants[1:]:
        add(api, v.sku, 1, token=token)
    with django_assert_max_num_queries(4):
        response = api.get("/api/v1/cart/", HTTP_X_CART_TOKEN=token)
    assert len(response.json()["lines"]) == 10
