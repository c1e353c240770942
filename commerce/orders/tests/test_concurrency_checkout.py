"""Checkout under real concurrency: PostgreSQL, one connection per thread, transaction=True."""

import threading
from collections import Counter
from decimal import Decimal

import pytest
from django.core import mail
from django.db import OperationalError, connection
from rest_framework.test import APIClient

from commerce.cart.models import Cart
from commerce.catalog.models import ProductVariant
from commerce.catalog.tests.factories import ProductVariantFactory
from commerce.notifications.models import NotificationLog
from commerce.orders import checkout as checkout_module
from commerce.orders.checkout import order_place
from commerce.orders.models import CheckoutIdempotencyKey, Order, OrderLine, ShippingMethod

from .conftest import GUEST, cart_with, guest_address

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def unthrottled(settings):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "checkout": "100000/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}


@pytest.fixture
def method(db):
    return ShippingMethod.objects.create(name="Standard", code="standard", price=Decimal("5.00"))


def run_parallel(jobs):
    """Start every job at once (barrier), each in its own thread and database connection."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def worker(index, job):
        try:
            barrier.wait()
            results[index] = job()
        except Exception as exc:  # reported, not swallowed: the test asserts on it
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def api_checkout(cart, *, key=None):
    def job():
        headers = {"HTTP_X_CART_TOKEN": str(cart.token)}
        if key:
            headers["HTTP_IDEMPOTENCY_KEY"] = key
        return APIClient().post("/api/v1/checkout/", GUEST, format="json", **headers)

    return job


def test_checkout_concurrency_40_buyers_for_10_units_make_exactly_10_orders(method):
    variant = ProductVariantFactory(stock_on_hand=10)
    carts = [cart_with((variant, 1)) for _ in range(40)]

    responses = run_parallel([api_checkout(cart) for cart in carts])

    assert not [r for r in responses if isinstance(r, Exception)]
    codes = Counter(r.status_code for r in responses)
    assert codes == {201: 10, 409: 30}
    assert all(r.json()["error"]["code"] == "insufficient_stock" for r in responses if r.status_code == 409)
    variant.refresh_from_db()
    assert (variant.stock_on_hand, variant.stock_allocated) == (10, 10)
    assert variant.stock_on_hand - variant.stock_allocated >= 0
    assert Order.objects.count() == 10
    assert sum(OrderLine.objects.values_list("quantity", flat=True)) == 10
    assert Cart.objects.filter(status=Cart.Status.CONVERTED).count() == 10


def test_checkout_concurrency_opposite_sku_orders_never_deadlock(method):
    a = ProductVariantFactory(stock_on_hand=1000)
    b = ProductVariantFactory(stock_on_hand=1000)

    def service_checkout(cart):
        def job():
            return order_place(cart=cart, shipping_method_code="standard", email="g@example.com",
                               phone="+12025550143", address=guest_address())
        return job

    failures = []
    for _ in range(50):
        forward = cart_with((a, 1), (b, 1))
        backward = cart_with((b, 1), (a, 1))
        results = run_parallel([service_checkout(forward), service_checkout(backward)])
        failures += [r for r in results if isinstance(r, Exception)]

    assert not [f for f in failures if isinstance(f, OperationalError)], failures[:3]
    assert not failures
    assert Order.objects.count() == 100
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.stock_allocated == b.stock_allocated == 100


def test_checkout_concurrency_20_posts_with_one_idempotency_key_make_one_order(method):
    variant = ProductVariantFactory(stock_on_hand=50)
    cart = cart_with((variant, 2))

    responses = run_parallel([api_checkout(cart, key="retry-me") for _ in range(20)])

    assert not [r for r in responses if isinstance(r, Exception)]
    assert {r.status_code for r in responses} == {201}
    assert len({r.content for r in responses}) == 1
    assert Order.objects.count() == 1
    assert CheckoutIdempotencyKey.objects.count() == 1
    variant.refresh_from_db()
    assert variant.stock_allocated == 2
    assert sum(1 for r in responses if r.get("Idempotent-Replayed") == "true") == 19


def _stock(*variants):
    return [tuple(ProductVariant.objects.filter(pk=v.pk).values_list("stock_on_hand", "stock_allocated").get())
            for v in variants]


@pytest.mark.parametrize("failing_step", ["after_allocation", "order_lines"])
def test_checkout_concurrency_failure_after_allocating_leaves_nothing(method, monkeypatch, failing_step):
    a = ProductVariantFactory(stock_on_hand=5)
    b = ProductVariantFactory(stock_on_hand=5)
    before = _stock(a, b)
    cart = cart_with((a, 2), (b, 1))
    real_allocate = checkout_module.stock_allocate
    allocated = []

    def allocate_then_fail(**kwargs):
        real_allocate(**kwargs)
        allocated.append(True)
        raise RuntimeError("forced failure after stock_allocate")

    def lines_fail(*args, **kwargs):
        raise RuntimeError("forced failure creating order lines")

    if failing_step == "after_allocation":
        monkeypatch.setattr(checkout_module, "stock_allocate", allocate_then_fail)
    else:
        monkeypatch.setattr(checkout_module.OrderLine.objects, "bulk_create", lines_fail)
    mail.outbox.clear()

    with pytest.raises(RuntimeError):
        order_place(cart=cart, shipping_method_code="standard", email="g@example.com", phone="+12025550143",
                    address=guest_address())

    assert allocated or failing_step == "order_lines"
    assert _stock(a, b) == before
    assert not Order.objects.exists() and not OrderLine.objects.exists()
    assert not NotificationLog.objects.exists() and mail.outbox == []
    cart.refresh_from_db()
    assert cart.status == Cart.Status.OPEN

    # control: the same checkout without the fault commits and does send the email
    monkeypatch.undo()
    order_place(cart=cart, shipping_method_code="standard", email="g@example.com", phone="+12025550143",
                address=guest_address())
    assert _stock(a, b) == [(5, 2), (5, 1)]
    assert len(mail.outbox) == 1
