import hashlib
import hmac
import socket
import time
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse

from commerce.catalog.models import ProductVariant
from commerce.catalog.services import variants_update
from commerce.catalog.stock import stock_allocate
from commerce.catalog.tests.factories import ProductFactory, ProductVariantFactory
from commerce.orders.services import order_confirm
from commerce.orders.tests.factories import order_with_lines
from commerce.webhooks import events
from commerce.webhooks.models import WebhookDelivery, WebhookEndpoint
from commerce.webhooks.services import (
    SIGNATURE_HEADER,
    UnsafeWebhookTarget,
    webhook_event_emit,
    webhook_signature_verify,
    webhook_target_resolve,
)
from commerce.webhooks.tasks import retry_countdown, webhook_deliver

pytestmark = pytest.mark.django_db


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run on_commit callbacks (the deliveries) when the block ends, as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def endpoint(url, *evs, **kw):
    return WebhookEndpoint.objects.create(name="ERP", url=url, events=list(evs or events.EVENTS), **kw)


def readme_recipe_verify(secret: str, header: str, body: bytes, now: float, tolerance=300) -> bool:
    """The verification recipe exactly as README.md documents it, written independently of the service."""
    fields = dict(part.split("=", 1) for part in header.split(","))
    t, v1 = fields["t"], fields["v1"]
    if abs(now - int(t)) > tolerance:
        return False
    expected = hmac.new(secret.encode(), t.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, v1)


def test_delivery_is_signed_and_the_documented_recipe_verifies_it(receiver, commit):
    ep = endpoint(receiver.url, events.ORDER_CREATED)
    with commit():
        webhook_event_emit(event=events.ORDER_CREATED, payload={"order": {"number": "CW-1"}})
    request = receiver.requests[0]
    header = request["headers"][SIGNATURE_HEADER]
    assert readme_recipe_verify(ep.secret, header, request["body"], now=time.time())
    assert webhook_signature_verify(secret=ep.secret, header=header, body=request["body"])
    # tampered body, wrong secret and a replay ten minutes later all fail
    assert not readme_recipe_verify(ep.secret, header, request["body"] + b" ", now=time.time())
    assert not readme_recipe_verify("whsec_other", header, request["body"], now=time.time())
    assert not readme_recipe_verify(ep.secret, header, request["body"], now=time.time() + 600)
    assert not webhook_signature_verify(secret=ep.secret, header=header, body=request["body"], now=time.time() + 600)
    body = receiver.json()
    assert body["event"] == "order.created" and body["data"] == {"order": {"number": "CW-1"}}
    assert request["headers"]["X-Cartwheel-Event-Id"] == body["id"]
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "succeeded" and delivery.response_code == 200 and delivery.duration_ms is not None


def test_emit_in_a_rolled_back_transaction_sends_nothing_and_leaves_no_row(receiver):
    endpoint(receiver.url)
    with pytest.raises(RuntimeError), transaction.atomic():
        webhook_event_emit(event=events.PRODUCT_UPDATED, payload={"product": {}})
        raise RuntimeError("rollback")
    assert receiver.requests == [] and not WebhookDelivery.objects.exists()


def test_only_endpoints_subscribed_to_the_event_get_it(receiver):
    endpoint(receiver.url, events.STOCK_OUT)
    endpoint(receiver.url, events.ORDER_CREATED, is_active=False)
    assert webhook_event_emit(event=events.ORDER_CREATED, payload={}) == []
    assert len(webhook_event_emit(event=events.STOCK_OUT, payload={})) == 1


def test_retries_stop_at_the_limit_and_the_delivery_is_marked_failed(receiver, settings, commit):
    settings.WEBHOOKS_MAX_ATTEMPTS = 3
    receiver.status = 503
    endpoint(receiver.url, events.ORDER_CREATED)
    with commit():
        (delivery,) = webhook_event_emit(event=events.ORDER_CREATED, payload={})
    # the first attempt ran at commit; two retries are left
    assert WebhookDelivery.objects.get().status == "pending"
    assert webhook_deliver.apply(args=[delivery.pk]).get() == "pending"
    assert webhook_deliver.apply(args=[delivery.pk]).get() == "failed"
    assert webhook_deliver.apply(args=[delivery.pk]).get() == "skipped"  # no fourth request
    assert len(receiver.requests) == 3
    row = WebhookDelivery.objects.get()
    assert (row.status, row.attempts, row.response_code, row.error) == ("failed", 3, 503, "HTTP 503")
    assert [retry_countdown(n) for n in range(8)] == [30, 60, 120, 240, 480, 960, 1920, 3600]


def test_response_bodies_are_capped(receiver, settings, commit):
    settings.WEBHOOKS_MAX_RESPONSE_BYTES = 100
    receiver.body = b"x" * 5000
    endpoint(receiver.url, events.ORDER_CREATED)
    with commit():
        webhook_event_emit(event=events.ORDER_CREATED, payload={})
    assert len(WebhookDelivery.objects.get().response_excerpt) == 100


@pytest.mark.parametrize("url", [
    "http://127.0.0.1/hook", "http://localhost:8080/hook", "http://10.1.2.3/hook", "http://192.168.0.10/",
    "http://172.16.5.4/", "http://169.254.169.254/latest/meta-data/", "http://[::1]/", "http://[fe80::1]/",
    "http://[::ffff:127.0.0.1]/", "http://0.0.0.0/", "ftp://example.com/", "http://user:pw@93.184.216.34/",
])
def test_private_loopback_and_link_local_targets_are_refused(url, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    with pytest.raises(UnsafeWebhookTarget):
        webhook_target_resolve(url=url)


def test_a_host_with_one_private_address_among_public_ones_is_refused(monkeypatch, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    answers = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", 443)),
               (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.5", 443))]
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: answers)
    with pytest.raises(UnsafeWebhookTarget, match="10.0.0.5"):
        webhook_target_resolve(url="https://erp.example.com/hook")
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: answers[:1])
    target = webhook_target_resolve(url="https://erp.example.com/hook?x=1")
    assert target.addresses == ("93.184.216.34",) and target.path == "/hook?x=1" and target.port == 443


def test_delivery_to_a_private_target_fails_without_a_request(receiver, settings, commit):
    endpoint(receiver.url, events.ORDER_CREATED)
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    with commit():
        webhook_event_emit(event=events.ORDER_CREATED, payload={})
    row = WebhookDelivery.objects.get()
    assert receiver.requests == [] and row.status == "failed" and "loopback" in row.error


def test_order_checkout_and_status_change_emit_events(receiver, commit):
    endpoint(receiver.url, events.ORDER_STATUS_CHANGED)
    order = order_with_lines(quantities=(1,))
    with commit():
        order_confirm(order_id=order.pk)
    body = receiver.json()
    assert body["event"] == "order.status_changed"
    assert body["data"]["from_status"] == "pending" and body["data"]["to_status"] == "confirmed"
    assert body["data"]["order"]["number"] == order.number
    assert body["data"]["order"]["lines"][0]["quantity"] == 1


def test_checkout_emits_order_created(receiver, standard, commit):
    from commerce.orders.checkout import order_place
    from commerce.orders.tests.conftest import cart_with, guest_address

    endpoint(receiver.url, events.ORDER_CREATED)
    variant = ProductVariantFactory(stock_on_hand=5, price=Decimal("10.00"))
    with commit():
        order = order_place(cart=cart_with((variant, 2)), shipping_method_code="standard", email="g@example.com",
                        phone="+12025550143", address=guest_address())
    body = receiver.json()
    assert body["event"] == "order.created" and body["data"]["order"]["number"] == order.number
    assert body["data"]["order"]["total"] == str(order.total)


def test_stock_falling_to_the_threshold_and_to_zero_emit_low_and_out(receiver, settings, commit):
    settings.SHOP_LOW_STOCK_THRESHOLD = 3
    endpoint(receiver.url, events.STOCK_LOW, events.STOCK_OUT)
    variant = ProductVariantFactory(stock_on_hand=5)
    with commit(), transaction.atomic():
        stock_allocate(quantities={variant.pk: 1})  # 4 left: above the threshold
    assert receiver.requests == []
    with commit(), transaction.atomic():
        stock_allocate(quantities={variant.pk: 2})  # 2 left
    assert receiver.json()["event"] == "stock.low"
    assert receiver.json()["data"]["stock_available"] == 2 and receiver.json()["data"]["threshold"] == 3
    with commit(), transaction.atomic():
        stock_allocate(quantities={variant.pk: 2})  # sold out
    assert receiver.json()["event"] == "stock.out" and len(receiver.requests) == 2


def test_per_variant_threshold_wins_over_the_shop_default(receiver, settings, commit):
    settings.SHOP_LOW_STOCK_THRESHOLD = 1
    endpoint(receiver.url, events.STOCK_LOW)
    variant = ProductVariantFactory(stock_on_hand=20, low_stock_threshold=10)
    with commit():
        variants_update(product=variant.product, changes={variant.pk: {"stock_on_hand": 8}})
    assert receiver.json()["data"] == {
        "variant_id": variant.pk, "sku": variant.sku, "product_id": variant.product_id,
        "product_name": variant.product.name, "stock_available": 8, "threshold": 10,
    }


def test_publishing_a_product_emits_created_then_updated(receiver, commit):
    endpoint(receiver.url, events.PRODUCT_CREATED, events.PRODUCT_UPDATED)
    product = ProductFactory(live=False)
    ProductVariantFactory(product=product, stock_on_hand=4, price=None)
    with commit():
        product.save_revision().publish()
    assert receiver.json()["event"] == "product.created"
    assert receiver.json()["data"]["product"]["variants"][0]["price"] == str(product.base_price)
    product = type(product).objects.get(pk=product.pk)  # as the admin loads it for the next edit
    product.name = "Renamed"
    with commit():
        product.save_revision().publish()
    assert receiver.json()["event"] == "product.updated"
    assert receiver.json()["data"]["product"]["name"] == "Renamed"


def test_admin_redeliver_sends_the_same_event_again(receiver, admin_client, commit):
    endpoint(receiver.url, events.ORDER_CREATED)
    with commit():
        (first,) = webhook_event_emit(event=events.ORDER_CREATED, payload={"n": 1})
    listing = admin_client.get(reverse("webhook_deliveries:index"))
    assert listing.status_code == 200 and b"Redeliver" in listing.content
    url = reverse("webhook_deliveries:redeliver", args=[first.pk])
    assert admin_client.get(url).status_code == 200
    with commit():
        response = admin_client.post(url)
    assert response.status_code == 302
    assert len(receiver.requests) == 2
    assert receiver.json(0)["id"] == receiver.json(1)["id"]
    assert WebhookDelivery.objects.filter(redelivery_of=first, status="succeeded").count() == 1
    inspect = admin_client.get(reverse("webhook_deliveries:inspect", args=[first.pk]))
    assert inspect.status_code == 200 and b"order.created" in inspect.content


def test_admin_endpoint_form_refuses_a_private_url(admin_client, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    response = admin_client.post(reverse("webhook_endpoints:add"), {
        "name": "ERP", "url": "http://169.254.169.254/latest", "events": ["order.created"],
        "secret": "whsec_x", "is_active": "on",
    })
    assert response.status_code == 200 and b"link-local" in response.content
    assert not WebhookEndpoint.objects.exists()


def test_unknown_event_is_a_programming_error():
    with pytest.raises(ValueError):
        webhook_event_emit(event="order.teleported", payload={})


def test_variant_stock_untouched_when_no_endpoint_listens(settings):
    variant = ProductVariantFactory(stock_on_hand=1)
    with transaction.atomic():
        stock_allocate(quantities={variant.pk: 1})
    assert ProductVariant.objects.get(pk=variant.pk).stock_allocated == 1
    assert not WebhookDelivery.objects.exists()


def test_a_parcel_and_a_refund_emit_order_fulfilled_and_order_refunded(receiver, commit):
    from commerce.orders.refunds import order_refund
    from commerce.orders.services import order_fulfil, order_mark_paid

    endpoint(receiver.url, events.ORDER_FULFILLED, events.ORDER_REFUNDED)
    order = order_with_lines(quantities=(2, 1))
    order_confirm(order_id=order.pk)
    order_mark_paid(order_id=order.pk)
    first, _second = order.lines.order_by("id")
    with commit():
        order_fulfil(order_id=order.pk, quantities={first.pk: 2}, courier="DHL", tracking_number="JD0001")
    fulfilled = receiver.json()
    assert fulfilled["event"] == "order.fulfilled"
    assert fulfilled["data"]["fulfillment"]["tracking_number"] == "JD0001"
    assert fulfilled["data"]["fulfillment"]["lines"] == [{"order_line_id": first.pk, "quantity": 2}]
    with commit():
        refund = order_refund(order_id=order.pk, lines={first.pk: 1}, reason="Damaged")
    refunded = receiver.json()
    assert refunded["event"] == "order.refunded"
    assert refunded["data"]["refund"]["credit_note_number"] == refund.credit_note_number
    assert refunded["data"]["refund"]["amount"] == str(refund.amount)
    assert WebhookDelivery.objects.filter(status="succeeded").count() == 2
