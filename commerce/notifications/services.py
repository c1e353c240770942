"""Notifications: templates and delivery only. Callers hand over an event name and a JSON context.

`notification_send` records the notification in the caller's transaction and enqueues its delivery
only after that transaction commits, so a rolled-back order sends nothing. The unique `dedupe_key`
makes a second call for the same event a no-op.

Delivery, as near to exactly once as SMTP allows:
- a row is sent only by whoever claims it (`notification_claim`, one conditional UPDATE), and a claim
  is a lease: `NOTIFICATION_SENDING_LEASE_SECONDS` after it started, a row still `sending` belongs to a
  sender that died (its process killed, its task hard-time-limited) and the resend job takes it back;
- a redelivery of the very task message whose run died (Celery's `acks_late` +
  `task_reject_on_worker_lost`, or the broker's visibility timeout after a whole worker died) takes
  its own claim over at once, without waiting for the lease: the claim records the task id;
- the Message-ID is chosen once, with the row, and set on every attempt: when a sender died after the
  server accepted the message, the resend is the same message to every mail system that deduplicates.
"""

import json
import logging
import uuid
from datetime import timedelta
from email.utils import make_msgid, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from commerce.core.after_commit import on_commit_fail_open

from .attachments import notification_attachments
from .models import NotificationLog

logger = logging.getLogger(__name__)


def sending_lease() -> timedelta:
    """A claim older than this is taken to belong to a sender that died mid-send."""
    return timedelta(seconds=settings.NOTIFICATION_SENDING_LEASE_SECONDS)


def new_message_id() -> str:
    """A Message-ID in the sender's domain (RFC 5322), without asking DNS for this host's name."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    return make_msgid(domain=domain)


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
        log = NotificationLog.objects.create(
            dedupe_key=key, event=event, recipient=recipient, context=context, message_id=new_message_id()
        )
    else:
        try:
            # savepoint: a duplicate key must not break the caller's transaction
            with transaction.atomic():
                log = NotificationLog.objects.create(
                    dedupe_key=key, event=event, recipient=recipient, context=context, message_id=new_message_id()
                )
        except IntegrityError:
            logger.info("notification %s already recorded; not sending it again", key)
            return None

    from .tasks import notification_deliver  # the task module imports this one

    # Fails open: a broker outage must not turn the caller's committed write into an error page; the
    # row stays pending and notifications_resend_pending publishes it once the broker is back.
    on_commit_fail_open(lambda: notification_deliver.delay(log.pk), what=f"publish notification {key}")
    return log


def notification_claim(*, log_id: int, claimant: str = "") -> NotificationLog | None:
    """Atomically take a notification for sending; None if it is sent or someone else holds it.

    A single conditional UPDATE, so two workers running the same task cannot both claim it. Claimable:
    pending or failed rows, rows whose claim is older than the lease, and rows claimed by `claimant`
    itself (the task id): a task message redelivered because the process running it died. Two runs of
    one message never overlap: the broker redelivers only after the worker is gone or after its
    visibility timeout, which is longer than the task's hard time limit.
    """
    now = timezone.now()
    claimable = Q(status__in=[NotificationLog.Status.PENDING, NotificationLog.Status.FAILED]) | Q(
        status=NotificationLog.Status.SENDING, claimed_at__lt=now - sending_lease()
    )
    if claimant:
        claimable |= Q(status=NotificationLog.Status.SENDING, claimed_by=claimant)
    claimed = NotificationLog.objects.filter(claimable, pk=log_id).update(
        status=NotificationLog.Status.SENDING, claimed_at=now, claimed_by=claimant, attempts=F("attempts") + 1
    )
    if not claimed:
        return None
    return NotificationLog.objects.get(pk=log_id)


def notification_render(*, event: str, context: dict) -> tuple[str, str, str]:
    """(subject, text, html): from the published email-template snippet for `event` if there is one,
    else from templates/emails/<event>_subject.txt, <event>.txt and <event>.html."""
    from commerce.emails.services import email_template_render  # the emails app's models load late

    edited = email_template_render(event=event, context=context)
    if edited is not None:
        return edited
    subject = render_to_string(f"emails/{event}_subject.txt", context)
    subject = " ".join(subject.split())  # headers must be one line
    text = render_to_string(f"emails/{event}.txt", context)
    html = render_to_string(f"emails/{event}.html", context)
    return subject, text, html


def notification_deliver_now(*, log: NotificationLog) -> None:
    """Render and send a claimed notification with its stable Message-ID, then mark it sent."""
    if not log.message_id:  # a row from before Message-IDs were stored: fix one for every later attempt
        NotificationLog.objects.filter(pk=log.pk, message_id="").update(message_id=new_message_id())
        log.message_id = NotificationLog.objects.values_list("message_id", flat=True).get(pk=log.pk)
    subject, text, html = notification_render(event=log.event, context=log.context)
    # e.g. the contact form: "Reply" answers the visitor, not the shop's own sending address
    reply_to = [log.context["reply_to"]] if log.context.get("reply_to") else None
    message = EmailMultiAlternatives(
        subject=subject, body=text, to=[log.recipient], reply_to=reply_to, headers={"Message-ID": log.message_id}
    )
    message.attach_alternative(html, "text/html")
    for attachment in notification_attachments(event=log.event, context=log.context):
        message.attach(attachment.filename, attachment.content, attachment.mimetype)
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
        claimed_by="",  # claimed_at stays: when the last attempt started (the resend job reads it)
        last_error=error[:2000],
    )


def notifications_to_resend(*, limit: int = 500) -> list[int]:
    """Ids of rows whose delivery was lost: pending past the grace period (their task was never
    published, or was lost with the broker's data) and not attempted within the lease (a failed attempt
    has its retry scheduled, at most 5 minutes later), or `sending` past the lease (their sender died).

    Sending one of them again while its task still exists costs nothing: only one run claims it."""
    now = timezone.now()
    leased_since = now - sending_lease()
    lost = Q(
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=leased_since),
        status=NotificationLog.Status.PENDING,
        created_at__lt=now - timedelta(seconds=settings.NOTIFICATION_PENDING_GRACE_SECONDS),
    ) | Q(status=NotificationLog.Status.SENDING, claimed_at__lt=leased_since)
    return list(NotificationLog.objects.filter(lost).order_by("pk").values_list("pk", flat=True)[:limit])
