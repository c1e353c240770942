"""POST /api/v1/checkout/, /checkout/preview/ and GET /shipping-methods/."""

import copy
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from commerce.accounts.models import Address, User
from commerce.cart.models import Cart
from commerce.catalog.tests.factories import ProductVariantFactory
from commerce.orders.models import CheckoutIdempotencyKey, Order, ShippingMethod, ShippingZone

from .conftest import GUEST, cart_with, warm_process_copies

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def checkout(client, cart, body=None, key=None):
    headers = {"HTTP_X_CART_TOKEN": str(cart.token)} if cart is not None and cart.user_id is None else {}
    if key:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post("/api/v1/checkout/", body or GUEST, format="json", **headers)


def test_checkout_create_guest_201_with_order(api, standard, variant):
    response = checkout(api, cart_with((variant, 2)))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"].startswith("CW-") and body["status"] == "pending"
    assert body["lines"][0]["sku"] == variant.sku and body["lines"][0]["unit_price"] == "12.50"
    assert (body["subtotal"], body["shipping"], body["tax"], body["total"]) == ("25.00", "5.00", "0.00", "30.00")
    assert body["shipping_address"]["city"] == "Springfield" and body["shipping_address"]["country"] == "US"
    assert body["payment"]["method"] == "cod" and body["payment"]["status"] == "unpaid"
    assert body["phone"] == "+12025550143"


def test_checkout_create_customer_with_jwt_and_saved_address(standard, variant):
    user = User.objects.create_user(email="cara@example.com", password="x")
    address = Address.objects.create(user=user, full_name="Cara", phone="+12025550188", line1="2 Elm",
                                     city="Boston", country="US")
    cart_with((variant, 1), user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    response = client.post("/api/v1/checkout/", {"shipping_method": "standard", "address_id": address.pk},
                           format="json")
    assert response.status_code == 201, response.json()
    assert Order.objects.get().user == user
    assert response.json()["email"] == "cara@example.com"


def test_checkout_create_empty_cart_is_400(api, standard):
    response = checkout(api, cart_with())
    assert response.status_code == 400 and response.json()["error"]["code"] == "cart_empty"


def test_checkout_create_without_cart_is_400(api, standard):
    response = api.post("/api/v1/checkout/", GUEST, format="json")
    assert response.status_code == 400 and response.json()["error"]["code"] == "cart_empty"


def test_checkout_create_unknown_shipping_method_is_400(api, standard, variant):
    response = checkout(api, cart_with((variant, 1)), {**GUEST, "shipping_method": "nope"})
    assert response.status_code == 400 and response.json()["error"]["code"] == "shipping_method_unknown"


def test_checkout_create_invalid_phone_is_400(api, standard, variant):
    response = checkout(api, cart_with((variant, 1)), {**GUEST, "phone": "12"})
    assert response.status_code == 400 and "phone" in response.json()["error"]["details"]


def test_checkout_create_insufficient_stock_409_lists_lines(api, standard):
    a = ProductVariantFactory(stock_on_hand=1)
    b = ProductVariantFactory(stock_on_hand=2)
    response = checkout(api, cart_with((a, 3), (b, 5)))
    assert response.status_code == 409
    details = response.json()["error"]["details"]
    assert {d["sku"] for d in details} == {a.sku, b.sku}
    assert not Order.objects.exists()


def test_checkout_create_strangers_token_is_404(api, standard, variant):
    cart = cart_with((variant, 1))
    response = api.post("/api/v1/checkout/", GUEST, format="json",
                        HTTP_X_CART_TOKEN="3f1c1fd2-83d4-4e0b-9bd6-9c1e0fc3b3a1")
    assert response.status_code == 404
    cart.refresh_from_db()
    assert cart.status == Cart.Status.OPEN


def test_checkout_create_idempotency_key_replays_first_answer(api, standard, variant):
    cart = cart_with((variant, 1))
    first = checkout(api, cart, key="key-1")
    second = checkout(api, cart, key="key-1")
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second["Idempotent-Replayed"] == "true"
    assert Order.objects.count() == 1
    assert CheckoutIdempotencyKey.objects.get().order == Order.objects.get()


def test_checkout_create_idempotency_key_with_other_body_is_422(api, standard, variant):
    cart = cart_with((variant, 1))
    assert checkout(api, cart, key="key-2").status_code == 201
    changed = copy.deepcopy(GUEST)
    changed["email"] = "someone@example.com"
    response = checkout(api, cart, changed, key="key-2")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_reused"


def test_checkout_create_failed_attempt_stores_no_key(api, standard):
    variant = ProductVariantFactory(stock_on_hand=0)
    cart = cart_with((variant, 1))
    assert checkout(api, cart, key="key-3").status_code == 409
    assert not CheckoutIdempotencyKey.objects.exists()
    variant.stock_on_hand = 5
    variant.save()
    assert checkout(api, cart, key="key-3").status_code == 201


def test_checkout_create_is_throttled(api, standard, variant, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "checkout": "2/min"}}
    codes = [checkout(api, cart_with((variant, 1))).status_code for _ in range(3)]
    assert codes == [201, 201, 429]


@pytest.mark.parametrize("line_count", [1, 10])
def test_checkout_create_request_query_count_is_constant(api, standard, line_count, django_assert_max_num_queries):
    cart = cart_with(*[(ProductVariantFactory(stock_on_hand=3), 1) for _ in range(line_count)])
    warm_process_copies()
    # cart lookup + the service's 9 + "order placed" notification row + SAVEPOINT/RELEASE from the
    # test transaction
    with django_assert_max_num_queries(13):
        assert checkout(api, cart).status_code == 201


def test_checkout_preview_prices_cart_without_writing(api, standard, variant):
    cart = cart_with((variant, 10))
    response = api.post("/api/v1/checkout/preview/", {"shipping_method": "standard", "country": "us"},
                        format="json", HTTP_X_CART_TOKEN=str(cart.token))
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["subtotal"], body["shipping"], body["total"]) == ("125.00", "0.00", "125.00")
    assert body["free_shipping_applied"] is True
    assert body["lines"][0]["line_total"] == "125.00"
    assert not Order.objects.exists()


def test_checkout_preview_method_not_covering_country_is_400(api, standard, variant):
    cart = cart_with((variant, 1))
    response = api.post("/api/v1/checkout/preview/", {"shipping_method": "standard", "country": "FR"},
                        format="json", HTTP_X_CART_TOKEN=str(cart.token))
    assert response.status_code == 400


def test_checkout_preview_takes_the_checkout_body_and_equals_the_order(api, standard, variant):
    cart = cart_with((variant, 2))
    preview = api.post("/api/v1/checkout/preview/", GUEST, format="json", HTTP_X_CART_TOKEN=str(cart.token))
    assert preview.status_code == 200, preview.json()
    order = checkout(api, cart)
    assert order.status_code == 201, order.json()
    for field in ("subtotal", "discount", "shipping", "tax", "total"):
        assert preview.json()[field] == order.json()[field]


def test_checkout_preview_uses_the_country_of_a_saved_address_and_refuses_a_strangers(standard, variant):
    user = User.objects.create_user(email="dan@example.com", password="x")
    stranger = User.objects.create_user(email="eve@example.com", password="x")
    own = Address.objects.create(user=user, full_name="Dan", phone="+12025550188", line1="2 Elm", city="Boston",
                                 country="FR")
    theirs = Address.objects.create(user=stranger, full_name="Eve", phone="+12025550199", line1="3 Oak",
                                    city="Austin", country="US")
    cart_with((variant, 1), user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    # "standard" ships to the US only: a French saved address is refused with the country named
    response = client.post("/api/v1/checkout/preview/", {"shipping_method": "standard", "address_id": own.pk},
                           format="json")
    assert response.status_code == 400 and response.json()["error"]["details"]["country"] == "FR"
    response = client.post("/api/v1/checkout/preview/", {"shipping_method": "standard", "address_id": theirs.pk},
                           format="json")
    assert response.status_code == 404


def test_shipping_methods_list_filters_by_country(api, standard):
    ShippingMethod.objects.create(name="Europe", code="eu", zone=ShippingZone.objects.create(name="EU", countries="FR,DE"),
                                  price=Decimal("9.00"))
    ShippingMethod.objects.create(name="World", code="world", price=Decimal("30.00"))
    ShippingMethod.objects.create(name="Off", code="off", price=Decimal("1.00"), is_active=False)
    assert [m["code"] for m in api.get("/api/v1/shipping-methods/?country=fr").json()] == ["eu", "world"]
    assert [m["code"] for m in api.get("/api/v1/shipping-methods/?country=US").json()] == ["standard", "world"]
    body = api.get("/api/v1/shipping-methods/?country=US").json()[0]
    assert body == {"code": "standard", "name": "Standard", "price": "5.00", "free_over": "100.00",
                    "min_days": 2, "max_days": 5}


def test_checkout_create_body_matches_documented_serializer(api, standard, variant):
    from api.orders.checkout_serializers import PlacedOrderSerializer

    response = checkout(api, cart_with((variant, 2)))
    order = Order.objects.prefetch_related("lines").get()
    documented = PlacedOrderSerializer(order).data
    assert response.json() == json.loads(json.dumps(documented))


def test_checkout_create_idempotent_writes_happen_before_the_stock_lock(api, standard, variant):
    """On a hot SKU every checkout queues on the variant's row lock until the previous one commits, so
    nothing but the allocation may run between taking that lock and the commit: the stored answer and
    the "order placed" notification row are written before it."""
    warm_process_copies()
    with CaptureQueriesContext(connection) as queries:
        assert checkout(api, cart_with((variant, 1)), key="hot-1").status_code == 201
    sql = [q["sql"] for q in queries.captured_queries]
    # the stock lock: SELECT ... FROM the variants ... FOR UPDATE (SQLite has no FOR UPDATE, same statement)
    lock = next(i for i, s in enumerate(sql) if s.startswith("SELECT") and 'FROM "catalog_productvariant"' in s)
    after_lock = [" ".join(s.split()[:2]) for s in sql[lock + 1:]]
    # then only the ends of the atomic blocks (order_place's, checkout_idempotent's: COMMIT outside tests)
    assert after_lock[0] == 'UPDATE "catalog_productvariant"', after_lock
    assert set(after_lock[1:]) <= {"RELEASE SAVEPOINT"}, after_lock
    assert any(s.startswith('UPDATE "orders_checkoutidempotencykey"') for s in sql[:lock])
    assert any(s.startswith('INSERT INTO "notifications_notificationlog"') for s in sql[:lock])


def test_checkout_preview_without_a_destination_says_the_address_is_missing(api, standard, variant):
    cart = cart_with((variant, 1))
    response = api.post("/api/v1/checkout/preview/", {"shipping_method": "standard"}, format="json",
                        HTTP_X_CART_TOKEN=str(cart.token))
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "shipping_address_required"
    assert "does not ship to" not in error["message"]
    assert error["details"] == {"shipping_address": ["required"]}


def test_checkout_preview_without_a_shipping_method_still_prices_the_cart(api, standard, variant):
    cart = cart_with((variant, 2))
    response = api.post("/api/v1/checkout/preview/", {}, format="json", HTTP_X_CART_TOKEN=str(cart.token))
    assert response.status_code == 200
    assert response.json()["subtotal"] == "25.00"


def test_checkout_create_without_an_address_is_shipping_address_required(api, standard, variant):
    cart = cart_with((variant, 1))
    body = {k: v for k, v in GUEST.items() if k != "shipping_address"}
    response = checkout(api, cart, body)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "shipping_address_required"
    assert not Order.objects.exists()
