"""Delivery tasks. Thin: they take a NotificationLog id and call the services.

`notification_deliver` acknowledges its message only after it ran (`acks_late`), and a message whose
pool process died mid-run goes back to the queue (`reject_on_worker_lost`) instead of being lost; the
redelivered run takes over its own claim (see services.notification_claim). A worker killed whole
leaves its unacknowledged messages to the broker, which hands them out again after its visibility
timeout (settings: CELERY_BROKER_TRANSPORT_OPTIONS, minutes, not Kombu's default hour). The soft and
hard time limits below and EMAIL_TIMEOUT keep a hanging SMTP server from holding a worker; a run stopped by the hard limit leaves its row
`sending`, and `notifications_resend_pending` takes it back after the lease.
"""

import logging
import smtplib

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from .services import notification_claim, notification_deliver_now, notification_release, notifications_to_resend

logger = logging.getLogger(__name__)

MAX_RETRIES = 6
# Sends started, whatever ended them (SMTP errors, a process killed mid-send, resends): beyond this the
# row is marked failed, so that an email that kills its worker every time cannot loop forever.
MAX_ATTEMPTS = 12


@shared_task(
    bind=True,
    autoretry_for=(smtplib.SMTPException, OSError, SoftTimeLimitExceeded),
    retry_backoff=30,  # 30 s, 60 s, 120 s, 240 s, then the cap
    # Capped below the broker's visibility timeout: a retry waits in the worker, unacknowledged, for its
    # countdown; one held longer than the visibility timeout would be handed to a second worker.
    retry_backoff_max=5 * 60,
    retry_jitter=True,
    max_retries=MAX_RETRIES,
    acks_late=True,
    reject_on_worker_lost=True,
    # one email: EMAIL_TIMEOUT (20 s) bounds each SMTP step; these bound the whole run. Below the sending
    # lease (5 min), so the resend job never takes over a send that is still running.
    soft_time_limit=60,
    time_limit=90,
)
def notification_deliver(self, log_id: int) -> str:
    """Send one notification. Safe to run twice: only the run that claims the row sends."""
    log = notification_claim(log_id=log_id, claimant=self.request.id or "")
    if log is None:
        return "skipped"
    if log.attempts > MAX_ATTEMPTS:
        notification_release(log_id=log_id, error=f"gave up after {MAX_ATTEMPTS} attempts; {log.last_error}",
                             final=True)
        return "gave up"
    try:
        notification_deliver_now(log=log)
    except Exception as exc:
        final = self.request.retries >= self.max_retries or not isinstance(exc, self.autoretry_for)
        notification_release(log_id=log_id, error=f"{type(exc).__name__}: {exc}", final=final)
        raise
    return "sent"


@shared_task
def notifications_resend_pending() -> int:
    """Publish again the notifications whose delivery was lost (beat, every 2 minutes): pending rows
    whose task was never published (broker down at commit time) and rows left `sending` by a sender
    that died. The services' claim keeps any one of them from being sent twice."""
    ids = notifications_to_resend()
    for log_id in ids:
        notification_deliver.delay(log_id)
    if ids:
        logger.info("resent %d notifications whose delivery was lost", len(ids))
    return len(ids)
