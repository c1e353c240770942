"""Emails survive dying workers: a pool process SIGKILLed mid-send and a whole worker SIGKILLed with
mail queued. Every notification is delivered, none is lost, and a resend carries the Message-ID of the
first attempt.

A real Celery worker (prefork, one pool process) against a redis-server of the test's own, sending to
an SMTP sink in the test process that holds the first transmission to `slow-*` recipients unanswered,
so that the sender is caught mid-send when the test kills it.
"""

import pytest
from django.db import transaction

from commerce.core.tests.processes import CeleryWorker, RedisServer, SmtpSink, celery_app_through, wait_for
from commerce.notifications.models import NotificationLog
from commerce.notifications.services import notification_send

pytestmark = [
    pytest.mark.postgres,  # the worker reads the test database from another process
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]

REDIS_PORT = 6320
SMTP_PORT = 8225
QUEUE = "cartwheel-test-killed"
VISIBILITY_TIMEOUT = 4  # seconds before a dead worker's unacknowledged message is handed out again


def _send(recipient: str) -> NotificationLog:
    with transaction.atomic():  # published to the broker when this commits
        return notification_send(event="contact", recipient=recipient, dedupe_key=f"test:{recipient}", context={
            "page_title": "Contact", "subject": f"Hello {recipient}", "fields": [["Message", "hi"]],
            "submission_id": 1, "submitted_at": "2026-12-01T12:00:00+00:00",
        })


def _status(log: NotificationLog) -> str:
    log.refresh_from_db()
    return log.status


def test_every_email_is_delivered_once_with_its_message_id_when_workers_are_killed(tmp_path, monkeypatch):
    broker = RedisServer(REDIS_PORT, tmp_path)
    broker.start()
    sink = SmtpSink(SMTP_PORT, hold=lambda to: to[0].startswith("slow-"))
    app = celery_app_through(monkeypatch, broker.url, QUEUE)
    env = {
        "EMAIL_URL": f"smtp://127.0.0.1:{SMTP_PORT}",
        "EMAIL_TIMEOUT": "20",
        "CELERY_BROKER_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
        "CACHE_KEY_PREFIX": "h2-killed",
    }
    workers = []
    try:
        with sink:
            first = CeleryWorker(broker_url=broker.url, queue=QUEUE, log_path=tmp_path / "worker-1.log", env=env)
            workers.append(first.start())
            first.wait_ready()

            # 1. The pool process dies mid-send: the message goes back to the queue (acks_late +
            # reject_on_worker_lost) and the same task, run again, takes over its own claim.
            slow = _send("slow-1@example.com")
            wait_for(lambda: sink.all(), seconds=30, what="the first transmission")
            assert _status(slow) == NotificationLog.Status.SENDING
            first.kill_pool_process()
            wait_for(lambda: _status(slow) == NotificationLog.Status.SENT, seconds=60,
                     what=f"the resend after the pool process died\n{first.log()[-3000:]}")
            slow.refresh_from_db()
            tries = [t for t in sink.all() if t["to"] == ["slow-1@example.com"]]
            assert [t["accepted"] for t in tries] == [False, True]
            assert {t["message_id"] for t in tries} == {slow.message_id}  # the resend is the same message
            assert slow.attempts == 2

            # 2. The whole worker dies with one email in its hands and three queued: the queued ones go to
            # the next worker at once, the held one after the visibility timeout, with its Message-ID.
            held = _send("slow-2@example.com")
            wait_for(lambda: any(t["to"] == ["slow-2@example.com"] for t in sink.all()), seconds=30,
                     what="the held transmission")
            queued = [_send(f"queued-{n}@example.com") for n in range(3)]
            first.kill()
            assert _status(held) == NotificationLog.Status.SENDING
            assert {_status(log) for log in queued} == {NotificationLog.Status.PENDING}

            second = CeleryWorker(broker_url=broker.url, queue=QUEUE, log_path=tmp_path / "worker-2.log", env=env)
            workers.append(second.start())
            everyone = [slow, held, *queued]
            wait_for(lambda: all(_status(log) == NotificationLog.Status.SENT for log in everyone), seconds=90,
                     what=f"every email sent after the worker died\n{second.log()[-3000:]}")

            accepted = sink.accepted()
            by_message_id = {}
            for entry in accepted:
                by_message_id.setdefault(entry["message_id"], []).append(entry)
            assert sorted(by_message_id) == sorted(log.message_id for log in everyone)  # none lost
            assert all(len(entries) == 1 for entries in by_message_id.values())  # none accepted twice
            held.refresh_from_db()
            assert [t["message_id"] for t in sink.all() if t["to"] == ["slow-2@example.com"]] == [held.message_id] * 2
            assert held.attempts == 2
            print(f"transmissions: {len(sink.all())}, accepted: {len(accepted)}, notifications: {len(everyone)}")
    finally:
        for worker in workers:
            worker.kill()
        from commerce.core.tests.processes import forget_celery_connections

        forget_celery_connections(app)
        broker.kill()
