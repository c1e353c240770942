"""The shop keeps selling with Redis unreachable: cache, sessions and the Celery broker all pointed at
a port nobody listens on. Pages are computed from the database, sessions live on in it, throttles
count in process memory, and a checkout commits, answers 201 and leaves its email for the resend job.
"""

import logging
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from rest_framework.test import APIClient

from commerce.catalog import cache as catalog_cache
from commerce.catalog.tests.factories import ProductVariantFactory
from commerce.core import cache_redis
from commerce.core.after_commit import on_commit_fail_open
from commerce.core.throttling import hit_counter
from commerce.notifications.models import NotificationLog
from commerce.notifications.tasks import notifications_resend_pending
from commerce.orders.models import Order
from commerce.orders.tests.conftest import GUEST, standard  # noqa: F401 - fixture
from demo.pages import seed_pages

pytestmark = pytest.mark.django_db

DEAD_REDIS = "redis://127.0.0.1:8299/0"  # in this helper's port range; nothing listens there
SITE_CHECKOUT_FORM = {
    "email": "guest@example.com", "phone": "+12025550143", "full_name": "Gus Guest", "line1": "1 Main Street",
    "city": "Springfield", "postal_code": "12345", "country": "us", "shipping_method": "standard",
    "payment_method": "cod", "action": "place",
}


def _forget_celery_connections(app):
    for cached in ("queues", "default_queue", "router"):
        app.amqp.__dict__.pop(cached, None)
    app.amqp._producer_pool = None
    app._pool = None


def _point_at_dead_redis(settings, monkeypatch):
    from config.celery_app import app

    settings.CACHES = {
        "default": {
            "BACKEND": "commerce.core.cache_redis.FailOpenRedisCache",
            "LOCATION": DEAD_REDIS,
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
            "KEY_PREFIX": "h2-dead",
        }
    }
    settings.SESSION_ENGINE = "commerce.core.sessions"
    for key, value in {"task_always_eager": False, "broker_url": DEAD_REDIS}.items():
        monkeypatch.setitem(app.conf, key, value)
    _forget_celery_connections(app)
    # a watcher of the test's own, which will try (and fail) to subscribe on the dead port
    monkeypatch.setattr(catalog_cache, "_watcher", catalog_cache._VersionWatcher())
    return app


@pytest.fixture
def redis_unreachable(settings, monkeypatch):
    # the process's outage bookkeeping (breaker, failure count) is the test's own: later tests start clean
    monkeypatch.setattr(cache_redis, "_state", cache_redis._FailureState())
    monkeypatch.setattr(catalog_cache, "_settled_failures", 0)
    app = _point_at_dead_redis(settings, monkeypatch)
    yield
    catalog_cache._watcher.stop()
    _forget_celery_connections(app)  # not force_close_all(): kombu keeps the closed pool for the next test


@pytest.fixture
def shop(db, standard):  # noqa: F811 - the imported fixture
    seed_pages()
    return ProductVariantFactory(stock_on_hand=50, price=Decimal("12.50"))


def test_shop_pages_catalogue_api_cart_and_checkout_answer_with_redis_unreachable(shop, redis_unreachable):
    variant = shop
    product = variant.product
    site, api = Client(), APIClient()

    for url in ("/", "/shop/", product.get_absolute_url(), "/api/v1/products/", f"/api/v1/products/{product.slug}/",
                "/api/v1/categories/", "/cart/"):
        for _ in range(2):  # the second read would come from the cache: it must not be stale or broken
            response = site.get(url) if not url.startswith("/api/") else api.get(url)
            assert response.status_code == 200, (url, response.status_code)
    assert product.name in site.get("/shop/").content.decode()
    assert api.get("/api/v1/products/").json()["results"][0]["slug"] == product.slug

    # API: cart and checkout. The email's task cannot be published; the order stands and answers 201.
    added = api.post("/api/v1/cart/items/", {"sku": variant.sku, "quantity": 2}, format="json")
    assert added.status_code == 201
    token = added["X-Cart-Token"]
    assert api.get("/api/v1/cart/", HTTP_X_CART_TOKEN=token).json()["item_count"] == 2
    placed = api.post("/api/v1/checkout/", GUEST, format="json", HTTP_X_CART_TOKEN=token)
    assert placed.status_code == 201, placed.content
    order = Order.objects.get(number=placed.json()["number"])
    email = NotificationLog.objects.get(dedupe_key=f"order:{order.pk}:placed")
    assert email.status == NotificationLog.Status.PENDING and mail.outbox == []

    # the site: the cart lives in the session, which lives in the database
    assert site.post("/cart/add/", {"sku": variant.sku, "quantity": 1}).status_code == 302
    assert variant.sku in site.get("/cart/").content.decode()
    response = site.post("/checkout/", SITE_CHECKOUT_FORM)
    assert response.status_code == 302 and "/checkout/confirmation/" in response["Location"]
    assert site.get(response["Location"]).status_code == 200
    assert Order.objects.count() == 2
    variant.refresh_from_db()
    assert variant.stock_allocated == 3  # money and stock were written, whatever the cache did

    # throttled views still answer (counted in process memory), and the limit still holds per process
    tracked = api.post("/api/v1/orders/track/", {"order_number": order.number, "phone": "+12025550143"},
                       format="json")
    assert tracked.status_code == 200 and tracked.json()["order_number"] == order.number


def test_emails_of_orders_placed_during_the_outage_go_out_once_the_broker_is_back(
    shop, redis_unreachable, settings, monkeypatch
):
    variant = shop
    api = APIClient()
    token = api.post("/api/v1/cart/items/", {"sku": variant.sku, "quantity": 1}, format="json")["X-Cart-Token"]
    assert api.post("/api/v1/checkout/", GUEST, format="json", HTTP_X_CART_TOKEN=token).status_code == 201
    assert NotificationLog.objects.get().status == NotificationLog.Status.PENDING

    from config.celery_app import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)  # the broker is back (eager: in-process)
    settings.NOTIFICATION_PENDING_GRACE_SECONDS = 0
    assert notifications_resend_pending.delay().get() == 1
    assert notifications_resend_pending.delay().get() == 0
    assert len(mail.outbox) == 1 and NotificationLog.objects.get().status == NotificationLog.Status.SENT


def test_staff_session_survives_redis_going_away(db, settings, monkeypatch):
    settings.SESSION_ENGINE = "commerce.core.sessions"
    staff = get_user_model().objects.create_superuser(email="boss@example.com", password="pw-123456-x")
    client = Client()
    client.force_login(staff)
    assert client.get("/admin/").status_code == 200

    monkeypatch.setattr(cache_redis, "_state", cache_redis._FailureState())
    app = _point_at_dead_redis(settings, monkeypatch)
    try:
        response = client.get("/admin/")
        assert response.status_code == 200  # not a redirect to the login page
        assert client.get("/admin/pages/").status_code == 200
    finally:
        catalog_cache._watcher.stop()
        _forget_celery_connections(app)


def test_cache_failures_are_misses_logged_once_per_interval(redis_unreachable, caplog):
    with caplog.at_level(logging.WARNING, logger="commerce.core.cache_redis"):
        for number in range(200):
            assert cache.get(f"key {number}", "default") == "default"
            cache.set(f"key {number}", "value")
            assert cache.get_many(["a", "b"]) == {}
    warnings = [r for r in caplog.records if r.name == "commerce.core.cache_redis"]
    assert len(warnings) == 1 and "Redis unreachable" in warnings[0].getMessage()
    assert cache_redis.redis_breaker_open()  # the next second of cache calls skips Redis altogether


def test_throttle_counts_in_process_memory_with_redis_unreachable(redis_unreachable):
    counts = [hit_counter("login:ip:203.0.113.9", window_seconds=60) for _ in range(7)]
    assert counts == [1, 2, 3, 4, 5, 6, 7]  # so a 5/min limit still refuses the sixth
    assert hit_counter("login:ip:203.0.113.10", window_seconds=60) == 1  # per client


@pytest.mark.django_db(transaction=True)
def test_after_commit_side_effect_that_fails_leaves_the_commit_and_the_caller_alone(caplog):
    ran = []

    def broken():
        ran.append(1)
        raise ConnectionError("broker down")

    with transaction.atomic():
        get_user_model().objects.create_user(email="kept@example.com", password="x")
        on_commit_fail_open(broken, what="publish something")
    assert ran == [1]
    assert get_user_model().objects.filter(email="kept@example.com").exists()
    assert "publish something" in caplog.text
