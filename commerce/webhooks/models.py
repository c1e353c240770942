import secrets
import uuid

from django.db import models

from .events import EVENT_CHOICES


def _new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


class WebhookEndpoint(models.Model):
    """A URL the shop POSTs signed JSON to when one of the chosen events happens."""

    name = models.CharField(max_length=100, help_text="Who receives it, e.g. “Warehouse ERP”")
    url = models.URLField(max_length=500, help_text="https:// address that accepts POST requests")
    events = models.JSONField(default=list, blank=True, help_text="The events sent to this endpoint")
    secret = models.CharField(
        max_length=100, default=_new_secret,
        help_text="Shared secret for the X-Cartwheel-Signature header (HMAC-SHA256). Keep it private.",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self):
        return self.name

    def wants(self, event: str) -> bool:
        return self.is_active and event in (self.events or [])

    @property
    def event_labels(self) -> str:
        labels = dict(EVENT_CHOICES)
        return ", ".join(labels.get(e, e) for e in self.events or [])


class WebhookDelivery(models.Model):
    """One event to one endpoint: written in the transaction that caused the event, delivered after.

    The row comes first and the HTTP request second, so a worker killed mid-send leaves a row that
    `webhooks_resend_stuck` picks up. `event_id` is stable across retries and manual redeliveries,
    so the receiver can drop duplicates.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.UUIDField(default=uuid.uuid4, db_index=True)
    event = models.CharField(max_length=50, choices=EVENT_CHOICES, db_index=True)
    payload = models.JSONField(help_text="The whole JSON body that is POSTed")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    response_code = models.PositiveIntegerField(null=True, blank=True)
    response_excerpt = models.TextField(blank=True)
    error = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    redelivery_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"

    def __str__(self):
        return f"{self.event} → {self.endpoint} ({self.status})"
