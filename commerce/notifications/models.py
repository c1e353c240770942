from django.db import models


class NotificationLog(models.Model):
    """One row per notification, unique per `dedupe_key` so that no event is ever emailed twice.

    The row is written in the caller's transaction (a rolled-back order leaves no row and sends no
    email) and holds the JSON context the delivery task renders, so the task only needs the row id.

    Delivery is at least once, made as near to exactly once as SMTP allows: a sender that dies after
    the server accepted the message but before the row says `sent` leaves it to be sent again, and
    every attempt carries the same `message_id`, so a resend is recognisably the same message.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    dedupe_key = models.CharField(max_length=200, unique=True, help_text='e.g. "order:42:shipped"')
    event = models.CharField(max_length=100, db_index=True, help_text="template name under templates/emails/")
    recipient = models.EmailField()
    context = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    message_id = models.CharField(
        max_length=255, blank=True, help_text="Message-ID header, the same on every attempt"
    )
    attempts = models.PositiveIntegerField(default=0, help_text="sends started (a resend counts again)")
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True, help_text="when the current (or last) attempt started")
    claimed_by = models.CharField(
        max_length=255, blank=True, help_text="the Celery task id of the current attempt"
    )
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.event} -> {self.recipient} ({self.status})"
