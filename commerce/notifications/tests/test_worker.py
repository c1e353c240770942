"""A real Celery worker against the Redis on 127.0.0.1 delivers an order email.

The test process enqueues through Redis (not eagerly) on a queue of its own, so other workers and
other test runs never take its messages; the worker is a subprocess with the test's database and
Django's file-based email backend writing into a temporary directory the test watches.
"""

import os
import subprocess
import sys
import time
import uuid
from email import message_from_bytes
from email.header import decode_header, make_header
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from commerce.notifications.models import NotificationLog
from commerce.orders.services import order_confirm
from commerce.orders.tests.factories import order_with_lines

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,  # the worker needs the test database from another process; SQLite's is in memory
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]
WORKER_TIMEOUT = 60


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def celery_through_redis(monkeypatch):
    """Point the test process's Celery app at Redis, on a queue nobody else consumes."""
    from config.celery_app import app

    queue = f"cartwheel-test-{uuid.uuid4().hex[:12]}"
    for key, value in {
        "task_always_eager": False,
        "broker_url": settings.REDIS_URL,
        "task_default_queue": queue,
    }.items():
        monkeypatch.setitem(app.conf, key, value)
    _forget_connections(app)
    yield app, queue
    app.pool.force_close_all()
    _forget_connections(app)


def _forget_connections(app):
    """Celery caches the broker pool and the routing table; drop them so the conf change applies."""
    for cached in ("queues", "default_queue", "router"):
        app.amqp.__dict__.pop(cached, None)
    app.amqp._producer_pool = None
    app._pool = None


@pytest.fixture
def worker(celery_through_redis, tmp_path):
    app, queue = celery_through_redis
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_BROKER_URL": settings.REDIS_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_URL": f"filemail:///{outbox}",  # environ drops one leading slash
        "PYTHONPATH": str(settings.BASE_DIR),
    }
    log = open(tmp_path / "worker.log", "wb")  # noqa: SIM115 - closed in the finally below
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config.celery_app", "worker", "--pool=solo", "-Q", queue,
         "-n", f"{queue}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO"],
        cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        yield process, outbox, tmp_path / "worker.log"
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        log.close()
        with app.connection_for_write() as conn:  # drop the queue's leftovers, if any
            conn.default_channel.queue_delete(queue)


def _wait_for_mail(outbox: Path, process, log_path: Path):
    deadline = time.monotonic() + WORKER_TIMEOUT
    while time.monotonic() < deadline:
        files = sorted(outbox.glob("*.log"))
        if files and files[0].stat().st_size:
            time.sleep(0.2)  # let the backend finish writing
            return files
        if process.poll() is not None:
            pytest.fail(f"worker exited with {process.returncode}:\n{log_path.read_text()[-3000:]}")
        time.sleep(0.25)
    pytest.fail(f"no email within {WORKER_TIMEOUT}s; worker log:\n{log_path.read_text()[-3000:]}")


def test_worker_delivers_order_email_through_redis(worker):
    process, outbox, log_path = worker
    order = order_with_lines(quantities=(2,), number="CW-700001")

    started = time.monotonic()
    order_confirm(order_id=order.pk)  # commits; on_commit enqueues to Redis

    files = _wait_for_mail(outbox, process, log_path)
    elapsed = time.monotonic() - started
    raw = files[0].read_bytes()
    message = message_from_bytes(raw.split(b"\n" + b"-" * 79 + b"\n")[0])
    assert str(make_header(decode_header(message["Subject"]))) == "Your order CW-700001 is confirmed"
    assert message["To"] == order.email
    assert message.is_multipart()
    assert {part.get_content_type() for part in message.walk()} >= {"text/plain", "text/html"}

    deadline = time.monotonic() + 10
    log = NotificationLog.objects.get(dedupe_key=f"order:{order.pk}:confirmed")
    while log.status != NotificationLog.Status.SENT and time.monotonic() < deadline:
        time.sleep(0.2)
        log.refresh_from_db()
    assert log.status == NotificationLog.Status.SENT and log.attempts == 1
    assert "succeeded" in log_path.read_text()
    print(f"email delivered by the worker {elapsed:.2f}s after commit")
