import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class BackInStockSubscription(models.Model):
    """A shopper waiting for an out-of-stock variant; emailed once when it is restocked."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Waiting"
        NOTIFIED = "notified", "Emailed"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"

    variant = models.ForeignKey("catalog.ProductVariant", on_delete=models.CASCADE, related_name="+")
    email = models.EmailField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+")
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False, help_text="for the unsubscribe link")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["variant", "email"], condition=Q(status="active"),
                                    name="marketing_one_waiting_subscription_per_email"),
        ]
        indexes = [models.Index(fields=["variant", "status"])]

    def __str__(self):
        return f"{self.email} waits for {self.variant_id}"


class CartContact(models.Model):
    """The email a guest typed at checkout, kept so an abandoned cart can be reminded."""

    cart = models.OneToOneField("cart.Cart", on_delete=models.CASCADE, related_name="+")
    email = models.EmailField()
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.email} ({self.cart_id})"


class CartReminder(models.Model):
    """The one reminder a cart gets: the unique cart makes a second one impossible."""

    cart = models.OneToOneField("cart.Cart", on_delete=models.CASCADE, related_name="+")
    email = models.EmailField()
    sent_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"reminder for cart {self.cart_id}"


class CartReminderOptOut(models.Model):
    """Addresses that asked for no cart reminders."""

    email = models.EmailField(unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.email
