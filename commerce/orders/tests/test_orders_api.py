import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from commerce.accounts.models import User
from commerce.catalog.models import ProductVariant
from commerce.orders.models import Order
from commerce.orders.services import order_confirm, order_note_add, order_ship, order_status_change
from commerce.orders.tests.factories import order_with_lines

pytestmark = pytest.mark.django_db
TRACK = "/api/v1/orders/track/"


def api_as(user=None, *, session=False) -> APIClient:
    client = APIClient()
    if user is not None and session:
        client.force_login(user)
    elif user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client


@pytest.fixture
def owner(db):
    return User.objects.create_user(email="owner@example.com", password="pw-123456-x")


@pytest.fixture
def stranger(db):
    return User.objects.create_user(email="stranger@example.com", password="pw-123456-x")


@pytest.fixture
def staff_user(db):
    return User.objects.create_user(email="boss@example.com", password="pw-123456-x", is_staff=True, is_superuser=True)


@pytest.fixture
def shipped_order(db):
    order = order_with_lines(quantities=(2,), number="CW-200001", phone="+12025550143")
    order_confirm(order_id=order.pk)
    order_status_change(order_id=order.pk, to_status="processing")
    order_ship(order_id=order.pk, courier="UPS", tracking_number="1Z999")
    order_note_add(order_id=order.pk, note="internal: customer was rude")
    return order


def test_orders_track_returns_status_timeline_courier_and_lines_without_address(shipped_order):
    response = api_as().post(TRACK, {"order_number": "CW-200001", "phone": "(202) 555-0143"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "shipped"
    assert (body["courier"], body["tracking_number"]) == ("UPS", "1Z999")
    assert [e["status"] for e in body["timeline"]] == ["pending", "confirmed", "processing", "shipped"]
    assert body["lines"][0]["quantity"] == 2 and body["lines"][0]["unit_price"] == "15.00"
    text = response.content.decode()
    for private in ("1 Main Street", "Springfield", "Ada Buyer", shipped_order.email, "5550143", "rude"):
        assert private not in text


def test_orders_track_wrong_phone_is_same_404_as_unknown_number(shipped_order):
    client = api_as()
    wrong_phone = client.post(TRACK, {"order_number": "CW-200001", "phone": "+12025550199"}, format="json")
    unknown = client.post(TRACK, {"order_number": "CW-999999", "phone": "+12025550143"}, format="json")
    garbage_phone = client.post(TRACK, {"order_number": "CW-200001", "phone": "not a phone"}, format="json")
    assert wrong_phone.status_code == unknown.status_code == garbage_phone.status_code == 404
    assert wrong_phone.json() == unknown.json() == garbage_phone.json()
    assert unknown.json()["error"]["code"] == "not_found"


def test_orders_track_missing_fields_is_400():
    response = api_as().post(TRACK, {"order_number": "CW-1"}, format="json")
    assert response.status_code == 400
    assert "phone" in response.json()["error"]["details"]


def test_orders_track_is_throttled_per_ip(shipped_order, settings):
    cache.clear()
    rate = int(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["tracking"].split("/")[0])
    client = api_as()
    codes = [
        client.post(TRACK, {"order_number": "CW-200001", "phone": "+12025550143"}, format="json",
                    REMOTE_ADDR="10.0.0.7").status_code
        for _ in range(rate + 1)
    ]
    assert codes == [200] * rate + [429]
    limited = client.post(TRACK, {"order_number": "CW-200001", "phone": "+1"}, format="json", REMOTE_ADDR="10.0.0.7")
    assert limited.status_code == 429 and limited.json()["error"]["code"] == "throttled"
    other_ip = client.post(TRACK, {"order_number": "CW-200001", "phone": "+12025550143"}, format="json",
                           REMOTE_ADDR="10.0.0.8")
    assert other_ip.status_code == 200


def test_orders_list_returns_own_orders_only_with_constant_queries(owner, stranger):
    client = api_as(owner)
    order_with_lines(quantities=(1,), user=owner)
    order_with_lines(quantities=(1,), user=stranger)
    with CaptureQueriesContext(connection) as one:
        first = client.get("/api/v1/orders/")
    for _ in range(5):
        order_with_lines(quantities=(1, 2, 3), user=owner)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/api/v1/orders/")
    assert first.json()["count"] == 1 and response.json()["count"] == 6
    assert len(many) == len(one)
    assert len(response.json()["results"][0]["lines"]) == 3


def test_orders_list_works_with_a_session_too(owner):
    order_with_lines(quantities=(1,), user=owner, number="CW-300001")
    response = api_as(owner, session=True).get("/api/v1/orders/")
    assert response.status_code == 200
    assert [o["number"] for o in response.json()["results"]] == ["CW-300001"]


def test_orders_retrieve_shows_address_totals_and_timeline(owner):
    order = order_with_lines(quantities=(2,), user=owner, number="CW-300002")
    order_confirm(order_id=order.pk)
    body = api_as(owner).get("/api/v1/orders/CW-300002/").json()
    assert body["shipping_address"]["line1"] == "1 Main Street"
    assert (body["subtotal"], body["total"]) == ("30.00", "35.00")
    assert [e["status"] for e in body["timeline"]] == ["pending", "confirmed"]
    assert body["can_cancel"] is False


def test_orders_cancel_pending_order_releases_stock(owner):
    order = order_with_lines(quantities=(2,), user=owner, number="CW-300003", stock_on_hand=10)
    response = api_as(owner).post("/api/v1/orders/CW-300003/cancel/")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    variant = ProductVariant.objects.get(pk=order.lines.get().variant_id)
    assert (variant.stock_on_hand, variant.stock_allocated) == (10, 0)


def test_orders_cancel_confirmed_order_is_409(owner):
    order = order_with_lines(quantities=(1,), user=owner, number="CW-300004")
    order_confirm(order_id=order.pk)
    response = api_as(owner).post("/api/v1/orders/CW-300004/cancel/")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "order_not_pending"
    order.refresh_from_db()
    assert order.status == "confirmed"


# --- IDOR: every order endpoint as {anonymous, owner, other customer, staff} -----------------------
ENDPOINTS = [
    ("get", "/api/v1/orders/{number}/"),
    ("post", "/api/v1/orders/{number}/cancel/"),
]


@pytest.mark.parametrize("method,url", ENDPOINTS)
@pytest.mark.parametrize(
    "who,expected",
    [("anonymous", 401), ("owner", 200), ("stranger", 404), ("staff_user", 404)],
)
def test_order_endpoints_idor_matrix(method, url, who, expected, request, owner):
    order = order_with_lines(quantities=(1,), user=owner, number="CW-400001")
    user = None if who == "anonymous" else request.getfixturevalue(who)
    response = getattr(api_as(user), method)(url.format(number=order.number))
    assert response.status_code == expected
    order.refresh_from_db()
    if expected != 200:
        assert order.status == Order.Status.PENDING  # nothing written
        assert "CW-400001" not in response.content.decode()


@pytest.mark.parametrize(
    "who,expected_numbers",
    [("owner", ["CW-400002"]), ("stranger", ["CW-400003"]), ("staff_user", [])],
)
def test_orders_list_idor_matrix(who, expected_numbers, request, owner, stranger):
    order_with_lines(quantities=(1,), user=owner, number="CW-400002")
    order_with_lines(quantities=(1,), user=stranger, number="CW-400003")
    order_with_lines(quantities=(1,), number="CW-400004")  # a guest order
    response = api_as(request.getfixturevalue(who)).get("/api/v1/orders/")
    assert [o["number"] for o in response.json()["results"]] == expected_numbers


def test_orders_list_anonymous_is_401():
    assert api_as().get("/api/v1/orders/").status_code == 401
