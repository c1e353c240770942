"""Coupons (rules behind a code) and automatic promotions (rules without one), and coupon usage.

Both kinds of rule share their fields through `PromotionRule` and are Wagtail snippets with drafts,
revisions and scheduled publishing: a rule counts only while it is live (published), active and
inside its validity window. Category and product restrictions are `ParentalManyToManyField`s so
that they ride on revisions (a scheduled campaign publishes its restrictions with it).

How rules combine is documented in `commerce.promotions.pricing`.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from modelcluster.fields import ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.models import DraftStateMixin, RevisionMixin

MONEY = {"max_digits": 12, "decimal_places": 2}


class PromotionRule(DraftStateMixin, RevisionMixin, ClusterableModel):
    class Kind(models.TextChoices):
        PERCENTAGE = "percentage", "Percentage off"
        FIXED = "fixed", "Fixed amount off"
        FREE_SHIPPING = "free_shipping", "Free shipping"

    name = models.CharField(max_length=120, help_text="Shown to shoppers next to the discount")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PERCENTAGE)
    value = models.DecimalField(
        **MONEY,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Percent (10 = 10%) or amount in the shop currency; ignored for free shipping",
    )
    min_subtotal = models.DecimalField(
        **MONEY, null=True, blank=True, help_text="The cart subtotal (before discounts) must reach this"
    )
    max_discount = models.DecimalField(
        **MONEY, null=True, blank=True, help_text="Cap on the amount this rule takes off"
    )
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    categories = ParentalManyToManyField(
        "catalog.Category",
        blank=True,
        related_name="+",
        help_text="Only products in these categories (or their sub-categories); empty with no products means all",
    )
    products = ParentalManyToManyField("catalog.Product", blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        if self.kind == self.Kind.PERCENTAGE and self.value is not None and self.value > 100:
            raise ValidationError({"value": "A percentage cannot exceed 100."})
        if self.kind != self.Kind.FREE_SHIPPING and not self.value:
            raise ValidationError({"value": "Set how much this rule takes off."})
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "The end must come after the start."})


class Coupon(PromotionRule):
    code = models.CharField(max_length=50, help_text="Shoppers type it in any case; stored in capitals")
    usage_limit = models.PositiveIntegerField(
        null=True, blank=True, help_text="Total uses across all customers; empty for unlimited"
    )
    per_customer_limit = models.PositiveIntegerField(
        null=True, blank=True, default=1, help_text="Uses per customer (guests counted by email); empty for unlimited"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(Upper("code"), name="promotions_coupon_code_unique_ci"),
            models.CheckConstraint(condition=Q(value__gte=0), name="promotions_coupon_value_not_negative"),
        ]

    def __str__(self):
        return self.code

    def save(self, *args, **kwargs):
        self.code = normalize_code(self.code)
        super().save(*args, **kwargs)


class AutomaticPromotion(PromotionRule):
    """A rule that applies without a code, e.g. "10% off Shoes" or "free shipping over 50"."""

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(value__gte=0), name="promotions_auto_value_not_negative"),
        ]

    def __str__(self):
        return self.name


class CouponUsage(models.Model):
    """One use of a coupon by one order; deleted when that order is cancelled (the use comes back)."""

    coupon = models.ForeignKey(Coupon, on_delete=models.PROTECT, related_name="usages")
    order = models.OneToOneField("orders.Order", on_delete=models.CASCADE, related_name="coupon_usage")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Lower-cased: guests are counted by email for the per-customer limit.
    email = models.EmailField()
    discount = models.DecimalField(**MONEY, default=Decimal("0.00"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["coupon", "email"]), models.Index(fields=["coupon", "user"])]

    def __str__(self):
        return f"{self.coupon} on {self.order_id}"


def normalize_code(code: str) -> str:
    return (code or "").strip().upper()
