import pytest
from django.core import mail
from django.db import transaction

from commerce.notifications.models import NotificationLog
from commerce.notifications.services import notification_send
from commerce.notifications.tasks import notification_deliver
from commerce.orders.notifications import order_notify
from commerce.orders.tests.factories import order_with_lines

pytestmark = pytest.mark.django_db


def test_notification_send_emails_text_and_html_after_commit(django_capture_on_commit_callbacks):
    order = order_with_lines(quantities=(2,), number="CW-100001")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        order_notify(order=order, event="placed")
    assert mail.outbox == []  # nothing before commit
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [order.email]
    assert "CW-100001" in message.subject
    assert "CW-100001" in message.body and "$30.00" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and "CW-100001" in html
    log = NotificationLog.objects.get(dedupe_key=f"order:{order.pk}:placed")
    assert log.status == NotificationLog.Status.SENT and log.attempts == 1 and log.sent_at
    assert log.context == {}  # nothing personal kept once delivered


def test_notification_send_same_event_twice_emails_once(django_capture_on_commit_callbacks):
    order = order_with_lines(quantities=(1,))
    with django_capture_on_commit_callbacks(execute=True):
        order_notify(order=order, event="shipped")
        order_notify(order=order, event="shipped")
    assert len(mail.outbox) == 1
    assert NotificationLog.objects.filter(dedupe_key=f"order:{order.pk}:shipped").count() == 1


def test_notification_deliver_task_run_twice_sends_once(django_capture_on_commit_callbacks):
    order = order_with_lines(quantities=(1,))
    with django_capture_on_commit_callbacks(execute=True):
        order_notify(order=order, event="confirmed")
    log = NotificationLog.objects.get()
    # a redelivered message (acks_late) runs the task again
    assert notification_deliver.apply(args=[log.pk]).get() == "skipped"
    assert len(mail.outbox) == 1


def test_notification_send_rolled_back_sends_nothing(django_capture_on_commit_callbacks):
    order = order_with_lines(quantities=(1,))
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        order_notify(order=order, event="cancelled")
        raise RuntimeError("checkout failed later")
    assert callbacks == []
    assert mail.outbox == []
    assert not NotificationLog.objects.exists()


def test_notification_send_rejects_context_that_is_not_json():
    with pytest.raises(TypeError):
        notification_send(event="order_placed", recipient="a@example.com", context={"x": object()})


def test_notification_deliver_smtp_failure_is_retried_then_marked_failed(
    django_capture_on_commit_callbacks, monkeypatch
):
    import smtplib

    order = order_with_lines(quantities=(1,))
    calls = []

    def broken_send(self, fail_silently=False):
        calls.append(1)
        raise smtplib.SMTPServerDisconnected("down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", broken_send)
    with django_capture_on_commit_callbacks(execute=True):  # robust on_commit: the failure is only logged
        order_notify(order=order, event="delivered")
    log = NotificationLog.objects.get()
    assert log.status == NotificationLog.Status.PENDING  # handed back for the retry
    assert log.attempts == 1 and "SMTPServerDisconnected" in log.last_error

    # run the retries eagerly, without propagating: the last one gives up and marks the row failed
    monkeypatch.setitem(notification_deliver.app.conf, "task_eager_propagates", False)
    notification_deliver.apply(args=[log.pk])
    log.refresh_from_db()
    assert log.status == NotificationLog.Status.FAILED
    assert log.attempts == len(calls) == 1 + notification_deliver.max_retries + 1
    assert mail.outbox == []


def test_notifications_resend_pending_sends_emails_whose_enqueue_was_lost(django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    from commerce.notifications.tasks import notifications_resend_pending

    order = order_with_lines(quantities=(1,))
    with django_capture_on_commit_callbacks(execute=False):  # the broker was down: nothing enqueued
        order_notify(order=order, event="placed")
    NotificationLog.objects.update(created_at=timezone.now() - timedelta(minutes=20))
    assert notifications_resend_pending.delay().get() == 1
    assert len(mail.outbox) == 1
    assert notifications_resend_pending.delay().get() == 0  # sent rows are left alone
    assert len(mail.outbox) == 1
