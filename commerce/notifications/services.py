"""Notifications: templates and delivery only. Callers hand over an event name and a JSON context.

`notification_send` records the notification in the caller's transaction and enqueues its delivery
only after that transaction commits, so a rolled-back order sends nothing. The unique `dedupe_key`
makes a second call for the same event a no-op.
"""

import json
import logging
import uuid
from datetime import timedelta

from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from .models import NotificationLog

logger = logging.getLogger(__name__)

# A claim older than this is taken to belong to a worker that died mid-send.
STALE_CLAIM = timedelta(minutes=10)


def notification_send(
    *, event: str, recipient: str, context: dict, dedupe_key: str | None = None, key_is_new: bool = False
) -> NotificationLog | None:
    """Record an email for `event` to `recipient` and deliver it after commit.

    Returns the new log row, or None when a notification with this `dedupe_key` already exists.
    Raises TypeError if `context` is not JSON-serialisable (it travels through the database).

    `key_is_new`: the caller guarantees no row can hold `dedupe_key` yet (it names a row created in
    the caller's own transaction, e.g. a just-placed order), so the savepoint that lets a duplicate
    pass quietly is skipped (two statements less on the checkout path); a duplicate would then raise
    IntegrityError and roll the caller back.
    """
    json.dumps(context)  # fail here, in the caller, rather than in the worker
    key = dedupe_key or f"{event}:{uuid.uuid4().hex}"
    if key_is_new:
        log = NotificationLog.objects.create(dedupe_key=key, event=event, recipient=recipient, context=context)
    else:
        try:
            # savepoint: a duplicate key must not break the caller's transaction
            with transaction.atomic():
                log = NotificationLog.objects.create(
                    dedupe_key=key, event=event, recipient=recipient, context=context
                )
        except IntegrityError:
            logger.info("notification %s already recorded; not sending it again", key)
            return None

    from .tasks import notification_deliver  # the task module imports this one

    # robust: a broker outage must not turn the caller's committed write into an error page;
    # the row stays pending and is picked up by notifications_resend_pending.
    transaction.on_commit(lambda: notification_deliver.delay(log.pk), robust=True)
    return log


def notification_claim(*, log_id: int) -> NotificationLog | None:
    """Atomically take a notification for sending; None if it is sent or someone else holds it.

    A single conditional UPDATE, so two workers running the same task cannot both claim it.
    """
    now = timezone.now()
    claimable = Q(status__in=[NotificationLog.Status.PENDING, NotificationLog.Status.FAILED]) | Q(
        status=NotificationLog.Status.SENDING, claimed_at__lt=now - STALE_CLAIM
    )
    claimed = NotificationLog.objects.filter(claimable, pk=log_id).update(
        status=NotificationLog.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return None
    return NotificationLog.objects.get(pk=log_id)


def notification_render(*, event: str, context: dict) -> tuple[str, str, str]:
    """(subject, text, html) from templates/emails/<event>_subject.txt, <event>.txt and <event>.html."""
    subject = render_to_string(f"emails/{event}_subject.txt", context)
    subject = " ".join(subject.split())  # headers must be one line
    text = render_to_string(f"emails/{event}.txt", context)
    html = render_to_string(f"emails/{event}.html", context)
    return subject, text, html


def notification_deliver_now(*, log: NotificationLog) -> None:
    """Render and send a claimed notification, then mark it sent."""
    subject, text, html = notification_render(event=log.event, context=log.context)
    # e.g. the contact form: "Reply" answers the visitor, not the shop's own sending address
    reply_to = [log.context["reply_to"]] if log.context.get("reply_to") else None
    message = EmailMultiAlternatives(subject=subject, body=text, to=[log.recipient], reply_to=reply_to)
    message.attach_alternative(html, "text/html")
    message.send()
    # The context is dropped once sent: it may hold a password-reset link or a home address, and
    # the log only needs to remember that the event was emailed.
    NotificationLog.objects.filter(pk=log.pk).update(
        status=NotificationLog.Status.SENT, sent_at=timezone.now(), last_error="", context={}
    )


def notification_release(*, log_id: int, error: str, final: bool) -> None:
    """Give a failed claim back: pending for the next retry, failed when retries are exhausted."""
    NotificationLog.objects.filter(pk=log_id, status=NotificationLog.Status.SENDING).update(
        status=NotificationLog.Status.FAILED if final else NotificationLog.Status.PENDING,
        claimed_at=None,
        last_error=error[:2000],
    )
