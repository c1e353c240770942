from django.db import models


class NotificationLog(models.Model):
    """One row per notification, unique per `dedupe_key` so that no event is ever emailed twice.

    The row is written in the caller's transaction (a rolled-back order leaves no row and sends no
    email) and holds the JSON context the delivery task renders, so the task only needs the row id.
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
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.event} -> {self.recipient} ({self.status})"
