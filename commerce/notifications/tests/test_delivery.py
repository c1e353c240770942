"""Delivery as near to exactly once as SMTP allows: stable Message-ID, claims, leases, the resend job,
and the email log in the admin."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from commerce.notifications.models import NotificationLog
from commerce.notifications.services import notification_claim, notification_send
from commerce.notifications.tasks import notification_deliver, notifications_resend_pending

pytestmark = pytest.mark.django_db

CONTEXT = {"page_title": "Contact", "subject": "Hi", "fields": [], "submission_id": 1,
           "submitted_at": "2026-12-01T12:00:00+00:00"}


def _recorded(django_capture_on_commit_callbacks, recipient="ann@example.com") -> NotificationLog:
    with django_capture_on_commit_callbacks(execute=False):  # recorded; its task not (yet) published
        return notification_send(event="contact", recipient=recipient, context=CONTEXT)


def test_notification_gets_one_message_id_and_the_email_carries_it(django_capture_on_commit_callbacks):
    log = _recorded(django_capture_on_commit_callbacks)
    assert log.message_id.startswith("<") and log.message_id.endswith("@example.com>")
    notification_deliver.apply(args=[log.pk])
    assert mail.outbox[0].message()["Message-ID"] == log.message_id
    log.refresh_from_db()
    assert log.status == NotificationLog.Status.SENT and log.claimed_by  # the task that sent it


def test_claim_refuses_a_row_another_task_is_sending_within_the_lease(django_capture_on_commit_callbacks):
    log = _recorded(django_capture_on_commit_callbacks)
    assert notification_claim(log_id=log.pk, claimant="task-a") is not None
    assert notification_claim(log_id=log.pk, claimant="task-b") is None
    assert notification_claim(log_id=log.pk) is None


def test_claim_taken_over_by_the_redelivered_task_whose_run_died(django_capture_on_commit_callbacks):
    log = _recorded(django_capture_on_commit_callbacks)
    notification_claim(log_id=log.pk, claimant="task-a")  # ... and the process running it was killed
    again = notification_claim(log_id=log.pk, claimant="task-a")  # the same message, redelivered
    assert again is not None and again.attempts == 2 and again.message_id == log.message_id


def test_resend_job_recovers_a_row_stuck_sending_past_its_lease_with_the_same_message_id(
    django_capture_on_commit_callbacks, settings
):
    log = _recorded(django_capture_on_commit_callbacks)
    notification_claim(log_id=log.pk, claimant="task-that-died")
    assert notifications_resend_pending.delay().get() == 0  # within the lease: maybe still sending
    NotificationLog.objects.filter(pk=log.pk).update(
        claimed_at=timezone.now() - timedelta(seconds=settings.NOTIFICATION_SENDING_LEASE_SECONDS + 1)
    )
    assert notifications_resend_pending.delay().get() == 1
    log.refresh_from_db()
    assert log.status == NotificationLog.Status.SENT and log.attempts == 2
    assert [m.message()["Message-ID"] for m in mail.outbox] == [log.message_id]
    assert notifications_resend_pending.delay().get() == 0


def test_resend_job_leaves_a_recently_failed_row_to_its_scheduled_retry(django_capture_on_commit_callbacks, settings):
    log = _recorded(django_capture_on_commit_callbacks)
    NotificationLog.objects.filter(pk=log.pk).update(
        created_at=timezone.now() - timedelta(hours=1), attempts=1, claimed_at=timezone.now(), last_error="timeout"
    )
    assert notifications_resend_pending.delay().get() == 0
    NotificationLog.objects.filter(pk=log.pk).update(claimed_at=timezone.now() - timedelta(hours=1))
    assert notifications_resend_pending.delay().get() == 1


def test_a_row_from_before_message_ids_gets_one_kept_for_every_attempt(django_capture_on_commit_callbacks):
    log = _recorded(django_capture_on_commit_callbacks)
    NotificationLog.objects.filter(pk=log.pk).update(message_id="")
    notification_deliver.apply(args=[log.pk])
    log.refresh_from_db()
    assert log.message_id and mail.outbox[0].message()["Message-ID"] == log.message_id


def test_email_log_report_shows_attempts_last_error_and_message_id(admin_client, django_capture_on_commit_callbacks):
    log = _recorded(django_capture_on_commit_callbacks, recipient="bob@example.com")
    NotificationLog.objects.filter(pk=log.pk).update(attempts=3, last_error="SMTPServerDisconnected: down")
    response = admin_client.get(reverse("shop_reports:notifications"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "bob@example.com" in html and "SMTPServerDisconnected: down" in html
    assert log.message_id.strip("<>") in html
    filtered = admin_client.get(reverse("shop_reports:notifications"), {"status": "sent"}).content.decode()
    assert "bob@example.com" not in filtered
    csv = admin_client.get(reverse("shop_reports:notifications"), {"export": "csv"})
    assert b"Message-ID" in b"".join(csv.streaming_content)


def test_an_email_whose_sends_keep_dying_is_given_up_after_max_attempts(django_capture_on_commit_callbacks):
    from commerce.notifications.tasks import MAX_ATTEMPTS

    log = _recorded(django_capture_on_commit_callbacks)
    NotificationLog.objects.filter(pk=log.pk).update(attempts=MAX_ATTEMPTS, last_error="WorkerLostError")
    assert notification_deliver.apply(args=[log.pk]).get() == "gave up"
    log.refresh_from_db()
    assert log.status == NotificationLog.Status.FAILED and "gave up" in log.last_error and mail.outbox == []
