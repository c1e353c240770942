import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from modelcluster.fields import ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.models import DraftStateMixin, RevisionMixin


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


class Campaign(DraftStateMixin, RevisionMixin, ClusterableModel):
    """Pages, banners and coupons that go live together and end together.

    The campaign itself is scheduled with Wagtail's Publishing panel (go-live and expiry). When it is
    published, now or at its go-live time by `publish_scheduled`, every item's latest revision is
    published with it; when it expires or is unpublished, every item is unpublished
    (commerce/marketing/campaigns.py).
    """

    name = models.CharField(max_length=120)
    description = models.TextField(blank=True, help_text="Notes for the team; not shown to shoppers")
    pages = ParentalManyToManyField("wagtailcore.Page", blank=True, related_name="+")
    banners = ParentalManyToManyField("cms_pages.Banner", blank=True, related_name="+")
    coupons = ParentalManyToManyField("promotions.Coupon", blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.name

    def items(self) -> list:
        """Everything the campaign publishes: pages (as their specific type), banners and coupons."""
        return [*(p.specific for p in self.pages.all()), *self.banners.all(), *self.coupons.all()]
