"""No cross-customer read or write on cart endpoints, as {anonymous, owner, other customer, staff}."""

import pytest
from rest_framework.test import APIClient

from commerce.cart.models import CartLine

from .conftest import jwt_client

pytestmark = pytest.mark.django_db

ITEMS = "/api/v1/cart/items/"


@pytest.fixture
def anonymous_cart(api, variant):
    body = api.post(ITEMS, {"sku": variant.sku, "quantity": 2}, format="json").json()
    return body["token"], body["lines"][0]["id"]


@pytest.fixture
def customer_cart(customer, variant):
    body = jwt_client(customer).post(ITEMS, {"sku": variant.sku, "quantity": 1}, format="json").json()
    return body["lines"][0]["id"]


def callers(customer, other_customer, staff):
    return {
        "anonymous": APIClient(),
        "other": jwt_client(other_customer),
        "staff": jwt_client(staff),
    }


@pytest.mark.parametrize("who", ["anonymous", "other", "staff"])
def test_cart_idor_customer_line_cannot_be_read_or_changed_by_others(
    who, customer, other_customer, staff, customer_cart
):
    client = callers(customer, other_customer, staff)[who]
    # no token: the caller sees their own (empty) cart, never the customer's
    assert client.get("/api/v1/cart/").json()["lines"] == []
    assert client.patch(f"{ITEMS}{customer_cart}/", {"quantity": 3}, format="json").status_code == 404
    assert client.delete(f"{ITEMS}{customer_cart}/").status_code == 404
    assert CartLine.objects.get(pk=customer_cart).quantity == 1
    # the owner still has it
    assert jwt_client(customer).get("/api/v1/cart/").json()["lines"][0]["quantity"] == 1


@pytest.mark.parametrize("who", ["other", "staff"])
def test_cart_idor_customer_cannot_use_another_customers_cart_token(
    who, customer, other_customer, staff, variant
):
    from commerce.cart.models import Cart

    jwt_client(customer).post(ITEMS, {"sku": variant.sku, "quantity": 1}, format="json")
    token = str(Cart.objects.get(user=customer).token)  # leaked somehow
    client = callers(customer, other_customer, staff)[who]
    assert client.get("/api/v1/cart/", HTTP_X_CART_TOKEN=token).status_code == 404
    assert client.post(ITEMS, {"sku": variant.sku, "quantity": 1}, format="json", HTTP_X_CART_TOKEN=token).status_code == 404
    assert APIClient().get("/api/v1/cart/", HTTP_X_CART_TOKEN=token).status_code == 404
    assert Cart.objects.get(user=customer).lines.get().quantity == 1


@pytest.mark.parametrize("who", ["anonymous", "other", "staff"])
def test_cart_idor_anonymous_line_needs_its_token(who, customer, other_customer, staff, anonymous_cart):
    token, line_id = anonymous_cart
    client = callers(customer, other_customer, staff)[who]
    assert client.patch(f"{ITEMS}{line_id}/", {"quantity": 1}, format="json").status_code == 404
    assert client.delete(f"{ITEMS}{line_id}/").status_code == 404
    assert CartLine.objects.get(pk=line_id).quantity == 2


def test_cart_idor_owner_of_anonymous_cart_reads_and_changes_it(api, anonymous_cart):
    token, line_id = anonymous_cart
    assert api.get("/api/v1/cart/", HTTP_X_CART_TOKEN=token).json()["lines"][0]["id"] == line_id
    response = api.patch(f"{ITEMS}{line_id}/", {"quantity": 1}, format="json", HTTP_X_CART_TOKEN=token)
    assert response.status_code == 200


def test_cart_idor_token_cannot_reach_a_line_of_another_cart(api, variant, anonymous_cart):
    _, victim_line = anonymous_cart
    my_token = api.post(ITEMS, {"sku": variant.sku, "quantity": 1}, format="json").json()["token"]
    response = api.patch(f"{ITEMS}{victim_line}/", {"quantity": 1}, format="json", HTTP_X_CART_TOKEN=my_token)
    assert response.status_code == 404
    assert api.delete(f"{ITEMS}{victim_line}/", HTTP_X_CART_TOKEN=my_token).status_code == 404
    assert CartLine.objects.get(pk=victim_line).quantity == 2
