"""Redis stopped and started again under traffic, behind a live server: no 500, every order committed
during the outage answered 201, each gets exactly one email once Redis is back, and everything recovers
with no restart.

gunicorn (two sync workers) and a Celery worker run as subprocesses on the test database, with cache,
sessions and broker on a redis-server of the test's own (no persistence: stopping it loses its data,
queued task messages included, as a crash would). Shoppers in threads browse the site, the catalogue
API, add to cart and check out; a staff member keeps loading the admin. The test SIGKILLs Redis, lets
the traffic run, starts Redis again, lets the traffic run, then runs the resend job and counts emails
in an SMTP sink. It prints the request and status counts per phase.
"""

import itertools
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from decimal import Decimal

import pytest
import requests
from django.conf import settings
from django.test import Client

from commerce.accounts.models import User
from commerce.catalog.tests.factories import ProductVariantFactory
from commerce.core.tests.processes import (
    CeleryWorker,
    RedisServer,
    SmtpSink,
    celery_app_through,
    database_url,
    forget_celery_connections,
    wait_for,
)
from commerce.notifications.models import NotificationLog
from commerce.notifications.tasks import notifications_resend_pending
from commerce.orders.models import Order, ShippingMethod, ShippingZone
from demo.pages import seed_pages

pytestmark = [
    pytest.mark.postgres,  # the server and the worker read the test database from other processes
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]

REDIS_PORT = 6321
HTTP_PORT = 8231
SMTP_PORT = 8226
BASE = f"http://127.0.0.1:{HTTP_PORT}"
SHOPPERS = 3
WARM_SECONDS, OUTAGE_SECONDS, RECOVERED_SECONDS = 2.0, 5.0, 3.0


class Traffic:
    def __init__(self, product_slug: str, product_url: str, sku: str, staff_cookie: str):
        self.product_slug, self.product_url, self.sku = product_slug, product_url, sku
        self.staff_cookie = staff_cookie
        self.phase = "before"
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.results: list[tuple[str, str, int]] = []  # (phase, what, status); status 0: no answer
        self.orders: list[tuple[str, str, int, str]] = []  # (phase, email, status, order number)
        self.buyers = itertools.count()
        self.latencies: dict[str, list[float]] = {}  # phase -> seconds of each page and API read
        self.checkout_latencies: dict[str, list[float]] = {}

    def run_phase(self, phase: str, seconds: float) -> None:
        self.phase = phase
        time.sleep(seconds)
        wait_for(lambda: sum(1 for o in self.orders if o[0] == phase) >= SHOPPERS, seconds=120, interval=0.1,
                 what=f"{SHOPPERS} checkouts in the phase {phase!r}")

    def record(self, phase, what, status, seconds=None):
        with self.lock:
            self.results.append((phase, what, status))
            if seconds is not None:
                self.latencies.setdefault(phase, []).append(seconds)

    def get(self, session, what, url, **kwargs):
        phase, started = self.phase, time.monotonic()
        try:
            response = session.get(BASE + url, timeout=30, allow_redirects=False, **kwargs)
        except requests.RequestException:
            self.record(phase, what, 0)
            return None
        self.record(phase, what, response.status_code, time.monotonic() - started)
        return response

    def shopper(self):
        session = requests.Session()
        while not self.stop.is_set():
            for what, url in (("home", "/"), ("shop", "/shop/"), ("product page", self.product_url),
                              ("api products", "/api/v1/products/"),
                              ("api product", f"/api/v1/products/{self.product_slug}/"),
                              ("api categories", "/api/v1/categories/")):
                self.get(session, what, url)
            self.checkout(session)

    def checkout(self, session):
        phase = self.phase
        try:
            added = session.post(f"{BASE}/api/v1/cart/items/", json={"sku": self.sku, "quantity": 1}, timeout=30)
        except requests.RequestException:
            self.record(phase, "api cart add", 0)
            return
        self.record(phase, "api cart add", added.status_code)
        token = added.headers.get("X-Cart-Token")
        if added.status_code != 201 or not token:
            return
        self.get(session, "api cart", "/api/v1/cart/", headers={"X-Cart-Token": token})
        email = f"buyer-{next(self.buyers)}@example.com"
        body = {"email": email, "phone": "+12025550143", "shipping_method": "standard", "payment_method": "cod",
                "shipping_address": {"full_name": "Gus Guest", "line1": "1 Main Street", "city": "Springfield",
                                     "postal_code": "12345", "country": "US"}}
        started = time.monotonic()
        try:
            placed = session.post(f"{BASE}/api/v1/checkout/", json=body, headers={"X-Cart-Token": token}, timeout=30)
        except requests.RequestException:
            self.record(phase, "api checkout", 0)
            with self.lock:
                self.orders.append((phase, email, 0, ""))
            return
        self.record(phase, "api checkout", placed.status_code)
        with self.lock:
            self.checkout_latencies.setdefault(phase, []).append(time.monotonic() - started)
        number = placed.json().get("number", "") if placed.status_code == 201 else ""
        with self.lock:
            self.orders.append((phase, email, placed.status_code, number))

    def staff(self):
        session = requests.Session()
        session.cookies.set(settings.SESSION_COOKIE_NAME, self.staff_cookie)
        while not self.stop.is_set():
            response = self.get(session, "admin (staff)", "/admin/")
            if response is not None and response.status_code != 200:
                self.record(self.phase, "admin (staff) logged out", response.status_code)
            time.sleep(0.2)


def _gunicorn(env, log_path):
    log = open(log_path, "ab")  # noqa: SIM115 - the child holds it
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{HTTP_PORT}",
         "--workers", "2", "--timeout", "60", "--graceful-timeout", "5"],
        cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    log.close()
    return process


def _answers():
    try:
        return requests.get(f"{BASE}/api/v1/categories/", timeout=5).status_code == 200
    except requests.RequestException:
        return False


def test_redis_stopped_under_traffic_costs_no_500_no_order_and_no_email(tmp_path, monkeypatch, settings):
    seed_pages()
    zone = ShippingZone.objects.create(name="US", countries="US")
    ShippingMethod.objects.create(name="Standard", code="standard", zone=zone, price=Decimal("5.00"))
    variant = ProductVariantFactory(stock_on_hand=100_000, price=Decimal("12.50"))
    product = variant.product
    staff = User.objects.create_superuser(email="boss@example.com", password="pw-123456-x")
    client = Client()
    client.force_login(staff)  # a session row in the database (cached_db, ours and db share the table)
    staff_cookie = client.cookies[settings.SESSION_COOKIE_NAME].value

    redis_server = RedisServer(REDIS_PORT, tmp_path)
    redis_server.start()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DEBUG": "false",
        "SECRET_KEY": settings.SECRET_KEY,  # the staff session was signed by this process
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_server.url,
        "CELERY_BROKER_URL": redis_server.url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CACHE_KEY_PREFIX": "h2-live",
        "EMAIL_URL": f"smtp://127.0.0.1:{SMTP_PORT}",
        "EMAIL_TIMEOUT": "10",
        # the shoppers all come from 127.0.0.1: throttles out of the way (their fallback has its own test)
        **{f"THROTTLE_{scope}": "1000000/min" for scope in ("ANON", "USER", "CHECKOUT")},
        "PYTHONPATH": str(settings.BASE_DIR),
    }
    server = _gunicorn(env, tmp_path / "gunicorn.log")
    worker = CeleryWorker(broker_url=redis_server.url, queue="celery", log_path=tmp_path / "worker.log",
                          env={"EMAIL_URL": env["EMAIL_URL"], "EMAIL_TIMEOUT": "10", "CACHE_KEY_PREFIX": "h2-live"})
    app = celery_app_through(monkeypatch, redis_server.url, "celery")
    traffic = Traffic(product.slug, product.get_absolute_url(), variant.sku, staff_cookie)
    threads = [threading.Thread(target=traffic.shopper) for _ in range(SHOPPERS)]
    threads.append(threading.Thread(target=traffic.staff))
    try:
        with SmtpSink(SMTP_PORT) as sink:
            worker.start()
            wait_for(_answers, seconds=90, interval=0.5,
                     what=f"gunicorn\n{(tmp_path / 'gunicorn.log').read_text()[-3000:]}")
            worker.wait_ready()
            for thread in threads:
                thread.start()
            # each phase lasts its time and until every shopper has checked out in it
            traffic.run_phase("before", WARM_SECONDS)
            redis_server.kill()
            traffic.run_phase("outage", OUTAGE_SECONDS)
            redis_server.start()
            traffic.run_phase("after", RECOVERED_SECONDS)
            traffic.stop.set()
            for thread in threads:
                thread.join(timeout=60)

            # everything recovered with no restart: the cache fills again, sessions are cached again
            keys = redis_server.client().keys("h2-live:*")
            assert any(b"catalog:" in key for key in keys), keys
            assert any(b"django.contrib.sessions.cached_db" in key for key in keys), keys

            # the resend job publishes the emails whose task was lost with Redis or never published
            settings.NOTIFICATION_PENDING_GRACE_SECONDS = 0
            # run here, eagerly; .result rather than .get(): in the full suite an earlier test leaves
            # Celery's "joining would block" flag set in this process, and .get() would refuse
            run = notifications_resend_pending.apply()
            assert run.successful(), run.traceback
            resent = run.result
            orders = list(Order.objects.values_list("number", "email"))
            logs = NotificationLog.objects.filter(event="order_placed")
            wait_for(lambda: logs.exclude(status=NotificationLog.Status.SENT).count() == 0 and logs.count() == len(orders),
                     seconds=90, interval=0.25, what=f"every order email sent\n{worker.log()[-3000:]}")
            accepted = sink.accepted()
    finally:
        traffic.stop.set()
        worker.kill()
        if server.poll() is None:
            os.killpg(server.pid, 15)
            server.wait(timeout=20)
        forget_celery_connections(app)
        redis_server.kill()

    by_phase = {phase: Counter() for phase in ("before", "outage", "after")}
    for phase, _, status in traffic.results:
        by_phase[phase][status] += 1
    placed = [o for o in traffic.orders if o[2] == 201]
    print(f"\nRedis outage under traffic ({SHOPPERS} shoppers + 1 staff; {WARM_SECONDS:.0f} s up, "
          f"{OUTAGE_SECONDS:.0f} s stopped, {RECOVERED_SECONDS:.0f} s back):")
    for phase, counts in by_phase.items():
        reads = sorted(traffic.latencies.get(phase, [0.0]))
        print(f"  {phase:>7}: {sum(counts.values())} requests, statuses {dict(sorted(counts.items()))}, "
              f"reads p50 {reads[len(reads) // 2] * 1000:.0f} ms, max {reads[-1] * 1000:.0f} ms, "
              f"checkouts max {max(traffic.checkout_latencies.get(phase, [0.0])) * 1000:.0f} ms")
    print(f"  orders answered 201: {len(placed)} ({sum(1 for o in placed if o[0] == 'outage')} during the outage); "
          f"orders in the database: {len(orders)}; emails resent by the job: {resent}; "
          f"emails accepted by SMTP: {len(accepted)}")

    # no 500 and no dropped request, in any phase; the staff member was never logged out
    bad = [(phase, what, status) for phase, what, status in traffic.results if status == 0 or status >= 500]
    assert bad == []
    expected = {"api cart add": 201, "api checkout": 201}
    wrong = Counter((what, status) for _, what, status in traffic.results if status != expected.get(what, 200))
    assert wrong == Counter()
    assert by_phase["outage"].total() > 0 and by_phase["after"].total() > 0
    outage_orders = [o for o in traffic.orders if o[0] == "outage"]
    assert outage_orders and all(o[2] == 201 for o in outage_orders)

    # every committed order answered 201, and every 201 is a committed order
    assert sorted(number for *_, number in placed) == sorted(number for number, _ in orders)
    # exactly one email per order, carrying its notification's Message-ID
    message_ids = dict(NotificationLog.objects.filter(event="order_placed").values_list("recipient", "message_id"))
    received = Counter((entry["to"][0], entry["message_id"]) for entry in accepted)
    assert received == Counter({(email, message_ids[email]): 1 for _, email in orders})
