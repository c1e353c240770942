import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class Cart(models.Model):
    wagtail_reference_index_ignore = True  # carts never show in the admin's "usage" counts

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CONVERTED = "converted", "Converted to an order"
        MERGED = "merged", "Merged into a customer's cart"
        ABANDONED = "abandoned", "Abandoned"

    # The secret that identifies an anonymous cart (X-Cart-Token header, or the site session).
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="carts"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    coupon_code = models.CharField(max_length=50, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(status="open"), name="cart_one_open_cart_per_user"
            )
        ]
        indexes = [models.Index(fields=["status", "updated_at"])]

    def __str__(self):
        return f"Cart {self.pk} ({self.status})"


class CartLine(models.Model):
    wagtail_reference_index_ignore = True  # carts never show in the admin's "usage" counts

    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey("catalog.ProductVariant", on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "variant"], name="cart_line_one_per_variant"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="cart_line_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.quantity} x {self.variant_id}"
