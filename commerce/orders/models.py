from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from phonenumber_field.modelfields import PhoneNumberField

MONEY = {"max_digits": 12, "decimal_places": 2}
ZERO = Decimal("0.00")


class ShippingZone(models.Model):
    name = models.CharField(max_length=100)
    countries = models.CharField(
        max_length=500, blank=True, help_text="ISO country codes separated by commas; empty means everywhere"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def country_codes(self) -> set[str]:
        return {c.strip().upper() for c in self.countries.split(",") if c.strip()}

    def covers(self, country: str) -> bool:
        codes = self.country_codes()
        return not codes or country.upper() in codes


class ShippingMethod(models.Model):
    name = models.CharField(max_length=100)
    code = models.SlugField(max_length=50, unique=True)
    zone = models.ForeignKey(ShippingZone, null=True, blank=True, on_delete=models.PROTECT, related_name="methods")
    price = models.DecimalField(**MONEY)
    free_over = models.DecimalField(
        **MONEY, null=True, blank=True, help_text="Free when the discounted subtotal reaches this amount"
    )
    min_days = models.PositiveSmallIntegerField(default=2)
    max_days = models.PositiveSmallIntegerField(default=5)
    is_active = models.BooleanField(default=True)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "price"]
        constraints = [models.CheckConstraint(condition=Q(price__gte=0), name="orders_shipping_price_not_negative")]

    def __str__(self):
        return self.name


class TaxRate(models.Model):
    name = models.CharField(max_length=100)
    country = models.CharField(max_length=2, blank=True, help_text="ISO code; empty is the default rate")
    rate = models.DecimalField(max_digits=5, decimal_places=4, help_text="0.2000 for 20%")
    prices_include_tax = models.BooleanField(default=False, help_text="Shop prices already contain this tax")
    applies_to_shipping = models.BooleanField(default=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["country", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(rate__gte=0) & Q(rate__lt=1), name="orders_taxrate_between_0_and_1")
        ]

    def __str__(self):
        return f"{self.name} ({self.rate:%})"


class Order(models.Model):
    # Wagtail's reference index (admin "usage" counts) has no use for orders, and updating it on
    # every save costs a checkout ~5 queries and several ms of CPU.
    wagtail_reference_index_ignore = True

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        CONFIRMED = "confirmed", "Confirmed"
        PROCESSING = "processing", "Processing"
        PARTIALLY_SHIPPED = "partially_shipped", "Partially shipped"
        SHIPPED = "shipped", "Shipped"
        DELIVERED = "delivered", "Delivered"
        CANCELLED = "cancelled", "Cancelled"
        RETURNED = "returned", "Returned"

    class PaymentStatus(models.TextChoices):
        UNPAID = "unpaid", "Unpaid"
        PAID = "paid", "Paid"
        PARTIALLY_REFUNDED = "partially_refunded", "Partially refunded"
        REFUNDED = "refunded", "Refunded"

    number = models.CharField(max_length=20, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="orders"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True)
    email = models.EmailField()
    phone = PhoneNumberField()
    # Address snapshot: later edits of the customer's address book do not change past orders.
    ship_full_name = models.CharField(max_length=200)
    ship_line1 = models.CharField(max_length=255)
    ship_line2 = models.CharField(max_length=255, blank=True)
    ship_city = models.CharField(max_length=120)
    ship_region = models.CharField(max_length=120, blank=True)
    ship_postal_code = models.CharField(max_length=20, blank=True)
    ship_country = models.CharField(max_length=2)
    shipping_method = models.ForeignKey(
        ShippingMethod, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    shipping_method_name = models.CharField(max_length=100)
    payment_method = models.CharField(max_length=30, default="cod")
    payment_status = models.CharField(
        max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.UNPAID, db_index=True
    )
    currency = models.CharField(max_length=3)
    subtotal = models.DecimalField(**MONEY)
    discount = models.DecimalField(**MONEY, default=ZERO)
    shipping = models.DecimalField(**MONEY, default=ZERO)
    tax = models.DecimalField(**MONEY, default=ZERO)
    total = models.DecimalField(**MONEY)
    # sum of the refunds' amounts, kept on the order so the cap check is one locked row
    amount_refunded = models.DecimalField(**MONEY, default=ZERO)
    prices_include_tax = models.BooleanField(default=False)
    coupon_code = models.CharField(max_length=50, blank=True)
    courier = models.CharField(max_length=100, blank=True)
    tracking_number = models.CharField(max_length=100, blank=True)
    customer_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["phone"]),
            models.Index(fields=["email"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(total__gte=0), name="orders_total_not_negative"),
            models.CheckConstraint(condition=Q(discount__gte=0), name="orders_discount_not_negative"),
            models.CheckConstraint(
                condition=Q(amount_refunded__gte=0) & Q(amount_refunded__lte=models.F("total")),
                name="orders_refunded_within_total",
            ),
        ]
        permissions = [
            ("change_order_status", "Can move orders through their workflow"),
            ("add_order_note", "Can add notes to an order's timeline"),
            ("refund_order", "Can refund orders"),
            ("manage_returns", "Can approve, receive and reject returns"),
            ("view_revenue", "Can see revenue and sales figures"),
        ]

    def __str__(self):
        return self.number


class OrderLine(models.Model):
    wagtail_reference_index_ignore = True  # see Order

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(
        "catalog.ProductVariant", null=True, blank=True, on_delete=models.SET_NULL, related_name="order_lines"
    )
    product = models.ForeignKey(
        "catalog.Product", null=True, blank=True, on_delete=models.SET_NULL, related_name="order_lines"
    )
    # Snapshots taken at checkout
    product_name = models.CharField(max_length=200)
    sku = models.CharField(max_length=64)
    attributes = models.JSONField(default=dict, blank=True, help_text='{"Size": "M", "Color": "Blue"}')
    unit_price = models.DecimalField(**MONEY)
    quantity = models.PositiveIntegerField()
    line_total = models.DecimalField(**MONEY)
    discount = models.DecimalField(**MONEY, default=ZERO)

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="orders_line_quantity_positive")]

    def __str__(self):
        return f"{self.quantity} x {self.sku}"


class OrderStatusLog(models.Model):
    wagtail_reference_index_ignore = True  # see Order

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="status_log")
    from_status = models.CharField(max_length=20, choices=Order.Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Order.Status.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.order}: {self.from_status or '-'} -> {self.to_status}"


class CheckoutIdempotencyKey(models.Model):
    """The first answer to a checkout POST with an Idempotency-Key, replayed for retries."""

    wagtail_reference_index_ignore = True  # see Order

    key = models.CharField(max_length=255)
    # who sent it: "user:<id>" or "cart:<token>", so one client cannot replay another's key
    scope = models.CharField(max_length=100)
    request_fingerprint = models.CharField(max_length=64)
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="orders_idempotency_key_once")]

    def __str__(self):
        return f"{self.scope}/{self.key}"


class Fulfilment(models.Model):
    """One parcel: some or all of an order's units, with its courier and tracking number."""

    wagtail_reference_index_ignore = True  # see Order

    class Status(models.TextChoices):
        SHIPPED = "shipped", "Shipped"
        DELIVERED = "delivered", "Delivered"

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="fulfilments")
    number = models.CharField(max_length=30, unique=True)  # <order number>-F<n>
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SHIPPED)
    courier = models.CharField(max_length=100)
    tracking_number = models.CharField(max_length=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    shipped_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["shipped_at", "id"]

    def __str__(self):
        return self.number

    @property
    def units(self) -> int:
        return sum(line.quantity for line in self.lines.all())


class FulfilmentLine(models.Model):
    wagtail_reference_index_ignore = True

    fulfilment = models.ForeignKey(Fulfilment, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="fulfilment_lines")
    quantity = models.PositiveIntegerField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="orders_fulfilment_line_quantity_positive"),
            models.UniqueConstraint(fields=["fulfilment", "order_line"], name="orders_fulfilment_line_once"),
        ]

    def __str__(self):
        return f"{self.quantity} x line {self.order_line_id}"


class ReturnRequest(models.Model):
    """A customer's request to send delivered units back (RMA), and what staff did with it."""

    wagtail_reference_index_ignore = True

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        RECEIVED = "received", "Received"
        REFUNDED = "refunded", "Refunded"

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="returns")
    number = models.CharField(max_length=30, unique=True)  # <order number>-R<n>
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.REQUESTED, db_index=True)
    reason = models.TextField()
    staff_note = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.number


class ReturnLine(models.Model):
    wagtail_reference_index_ignore = True

    return_request = models.ForeignKey(ReturnRequest, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="return_lines")
    quantity = models.PositiveIntegerField()
    restocked_quantity = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="orders_return_line_quantity_positive"),
            models.CheckConstraint(
                condition=Q(restocked_quantity__lte=models.F("quantity")), name="orders_return_line_restock_within"
            ),
            models.UniqueConstraint(fields=["return_request", "order_line"], name="orders_return_line_once"),
        ]

    def __str__(self):
        return f"{self.quantity} x line {self.order_line_id}"


class Refund(models.Model):
    """Money given back through the order's payment provider; its credit note number is gapless."""

    wagtail_reference_index_ignore = True

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="refunds")
    return_request = models.ForeignKey(
        ReturnRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="refunds"
    )
    credit_note_number = models.CharField(max_length=30, unique=True)
    amount = models.DecimalField(**MONEY)
    shipping_amount = models.DecimalField(**MONEY, default=ZERO)
    reason = models.CharField(max_length=255)
    restock = models.BooleanField(default=False)
    provider = models.CharField(max_length=30)
    provider_reference = models.CharField(max_length=255, blank=True)
    manual = models.BooleanField(default=False, help_text="Paid back by hand (cash on delivery), not by a gateway")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="orders_refund_amount_positive")]

    def __str__(self):
        return self.credit_note_number


class RefundLine(models.Model):
    wagtail_reference_index_ignore = True

    refund = models.ForeignKey(Refund, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="refund_lines")
    quantity = models.PositiveIntegerField()
    amount = models.DecimalField(**MONEY)
    restocked = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="orders_refund_line_quantity_positive")]

    def __str__(self):
        return f"{self.quantity} x line {self.order_line_id}"


class DocumentCounter(models.Model):
    """The last number issued in a gapless series (invoices, credit notes), taken FOR UPDATE."""

    wagtail_reference_index_ignore = True

    series = models.CharField(max_length=30, primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.series}: {self.last_number}"


class Invoice(models.Model):
    wagtail_reference_index_ignore = True

    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="invoice")
    series = models.CharField(max_length=30)
    sequence = models.PositiveIntegerField()
    number = models.CharField(max_length=40, unique=True)
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["series", "sequence"]
        constraints = [models.UniqueConstraint(fields=["series", "sequence"], name="orders_invoice_sequence_once")]

    def __str__(self):
        return self.number
