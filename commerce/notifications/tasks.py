"""Delivery tasks. Thin: they take a NotificationLog id and call the services."""

import logging
import smtplib
from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from .models import NotificationLog
from .services import notification_claim, notification_deliver_now, notification_release

logger = logging.getLogger(__name__)

MAX_RETRIES = 6


@shared_task(
    bind=True,
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=30,  # 30 s, 60 s, 120 s ... capped below
    retry_backoff_max=30 * 60,
    retry_jitter=True,
    max_retries=MAX_RETRIES,
    acks_late=True,
)
def notification_deliver(self, log_id: int) -> str:
    """Send one notification. Safe to run twice: only the run that claims the row sends."""
    log = notification_claim(log_id=log_id)
    if log is None:
        return "skipped"
    try:
        notification_deliver_now(log=log)
    except Exception as exc:
        final = self.request.retries >= self.max_retries or not isinstance(exc, self.autoretry_for)
        notification_release(log_id=log_id, error=f"{type(exc).__name__}: {exc}", final=final)
        raise
    return "sent"


@shared_task
def notifications_resend_pending(*, older_than_minutes: int = 15) -> int:
    """Re-enqueue notifications whose enqueue was lost (broker down at commit time)."""
    cutoff = timezone.now() - timedelta(minutes=older_than_minutes)
    ids = list(
        NotificationLog.objects.filter(status=NotificationLog.Status.PENDING, created_at__lt=cutoff)
        .values_list("pk", flat=True)[:500]
    )
    for log_id in ids:
        notification_deliver.delay(log_id)
    return len(ids)
