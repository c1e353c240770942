"""Webhook delivery tasks: thin wrappers over the services."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from .models import WebhookDelivery
from .services import WebhookDeliveryFailed, webhook_claim, webhook_deliver_now, webhook_release


def retry_countdown(retries: int) -> int:
    """Exponential backoff: 30 s, 60 s, 120 s ... capped at one hour."""
    return min(30 * 2**retries, 3600)


@shared_task(bind=True, acks_late=True)
def webhook_deliver(self, delivery_id: int) -> str:
    """Deliver one webhook; on failure retry with backoff until WEBHOOKS_MAX_ATTEMPTS, then mark it failed."""
    delivery = webhook_claim(delivery_id=delivery_id)
    if delivery is None:
        return "skipped"
    try:
        webhook_deliver_now(delivery=delivery)
    except WebhookDeliveryFailed as exc:
        final = delivery.attempts >= settings.WEBHOOKS_MAX_ATTEMPTS
        webhook_release(delivery_id=delivery_id, final=final)
        if final:
            return "failed"
        if self.request.is_eager:
            # eager mode (no broker, `make run`): retrying in-process would block the request for the
            # whole backoff; the row stays pending and webhooks_resend_stuck tries it again.
            return "pending"
        raise self.retry(exc=exc, countdown=retry_countdown(delivery.attempts - 1), max_retries=None)
    status = WebhookDelivery.objects.values_list("status", flat=True).get(pk=delivery_id)
    return status


@shared_task
def webhooks_resend_stuck(*, older_than_minutes: int = 15) -> int:
    """Re-enqueue deliveries left pending (broker down at commit, worker killed mid-send)."""
    cutoff = timezone.now() - timedelta(minutes=older_than_minutes)
    ids = list(
        WebhookDelivery.objects.filter(status__in=[WebhookDelivery.Status.PENDING, WebhookDelivery.Status.SENDING],
                                       created_at__lt=cutoff)
        .order_by("pk").values_list("pk", flat=True)[:500]
    )
    for pk in ids:
        webhook_deliver.delay(pk)
    return len(ids)
