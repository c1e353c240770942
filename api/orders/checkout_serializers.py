"""Checkout API shapes: the request, the price preview and the placed order. Money as decimal strings."""

import re

from django.core.validators import RegexValidator
from drf_spectacular.utils import extend_schema_field
from phonenumber_field.serializerfields import PhoneNumberField
from rest_framework import serializers

from api.fields import StrictIntegerField
from commerce.orders.payments import payment_provider_get

from .order_serializers import OrderAddressSerializer

_COUNTRY = re.compile(r"^[A-Z]{2}$")


class CountryField(serializers.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 2)
        kwargs.setdefault("help_text", "ISO 3166-1 alpha-2 code, e.g. US")
        super().__init__(**kwargs)
        # documents the format in the schema (the check itself is in to_internal_value); a blank
        # value, where allowed, is documented by drf-spectacular as its own alternative
        self.validators.append(RegexValidator(r"^[A-Za-z]{2}$"))

    def to_internal_value(self, data):
        value = super().to_internal_value(data).upper()
        if value and not _COUNTRY.match(value):
            raise serializers.ValidationError("Use a two-letter ISO country code.")
        return value


class AddressInputSerializer(serializers.Serializer):
    full_name = serializers.CharField(max_length=200)
    line1 = serializers.CharField(max_length=255)
    line2 = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    city = serializers.CharField(max_length=120)
    region = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    postal_code = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    country = CountryField()


class CheckoutRequestSerializer(serializers.Serializer):
    email = serializers.EmailField(required=False, help_text="Required for guests; customers default to their account's")
    phone = PhoneNumberField(required=False, help_text="Required for guests, e.g. +12025550143")
    shipping_address = AddressInputSerializer(required=False, help_text="Guests, or customers with a new address")
    address_id = StrictIntegerField(required=False, help_text="Customers: one of their saved addresses")
    shipping_method = serializers.CharField(max_length=50, help_text="Code from /api/v1/shipping-methods/")
    payment_method = serializers.CharField(max_length=30, default="cod")
    coupon_code = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")

    def validate(self, attrs):
        if "address_id" in attrs and "shipping_address" in attrs:
            raise serializers.ValidationError("Send either address_id or shipping_address, not both.")
        return attrs


class AddressCountrySerializer(serializers.Serializer):
    country = CountryField()


class CheckoutPreviewRequestSerializer(serializers.Serializer):
    """The preview takes the checkout body as it is (a frontend can send the same JSON to both);
    only the destination country, shipping method and coupon matter for the price."""

    shipping_method = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    country = CountryField(required=False, allow_blank=True, default="")
    shipping_address = AddressCountrySerializer(
        required=False, help_text="As in the checkout body: its country is the destination when `country` is empty"
    )
    address_id = StrictIntegerField(
        required=False, help_text="Customers: a saved address whose country is the destination"
    )
    coupon_code = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")


class PreviewLineSerializer(serializers.Serializer):
    sku = serializers.CharField()
    product_name = serializers.CharField()
    quantity = serializers.IntegerField()
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2)
    line_total = serializers.DecimalField(max_digits=12, decimal_places=2)
    discount = serializers.DecimalField(max_digits=12, decimal_places=2)


class CheckoutPreviewSerializer(serializers.Serializer):
    lines = PreviewLineSerializer(many=True)
    currency = serializers.CharField()
    subtotal = serializers.DecimalField(max_digits=12, decimal_places=2)
    discount = serializers.DecimalField(max_digits=12, decimal_places=2)
    shipping = serializers.DecimalField(max_digits=12, decimal_places=2)
    tax = serializers.DecimalField(max_digits=12, decimal_places=2)
    total = serializers.DecimalField(max_digits=12, decimal_places=2)
    prices_include_tax = serializers.BooleanField()
    free_shipping_applied = serializers.BooleanField()
    coupon_code = serializers.CharField()


class ShippingMethodSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    price = serializers.DecimalField(max_digits=12, decimal_places=2)
    free_over = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    min_days = serializers.IntegerField()
    max_days = serializers.IntegerField()


class PlacedOrderLineSerializer(serializers.Serializer):
    product_name = serializers.CharField()
    sku = serializers.CharField()
    attributes = serializers.DictField(child=serializers.CharField())
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2)
    quantity = serializers.IntegerField()
    line_total = serializers.DecimalField(max_digits=12, decimal_places=2)
    discount = serializers.DecimalField(max_digits=12, decimal_places=2)


class PaymentSerializer(serializers.Serializer):
    method = serializers.CharField()
    label = serializers.CharField()
    status = serializers.CharField()
    instructions = serializers.CharField()


def _money(amount) -> str:
    return f"{amount:.2f}"


def placed_order_body(order) -> dict:
    """The 201 body of POST /api/v1/checkout/, built directly: the same shape as PlacedOrderSerializer
    (which documents it and is checked against it by a test), without instantiating ~60 DRF fields on
    the hottest write path."""
    provider = payment_provider_get(code=order.payment_method)
    created_at = order.created_at.isoformat()
    if created_at.endswith("+00:00"):
        created_at = created_at[:-6] + "Z"  # DRF's DateTimeField renders UTC this way
    return {
        "number": order.number,
        "status": order.status,
        "created_at": created_at,
        "email": order.email,
        "phone": str(order.phone),
        "lines": [
            {
                "product_name": line.product_name, "sku": line.sku,
                "attributes": {str(k): str(v) for k, v in (line.attributes or {}).items()},
                "unit_price": _money(line.unit_price), "quantity": line.quantity,
                "line_total": _money(line.line_total), "discount": _money(line.discount),
            }
            for line in order.lines.all()
        ],
        "currency": order.currency,
        "subtotal": _money(order.subtotal),
        "discount": _money(order.discount),
        "shipping": _money(order.shipping),
        "tax": _money(order.tax),
        "total": _money(order.total),
        "prices_include_tax": order.prices_include_tax,
        "coupon_code": order.coupon_code,
        "shipping_method": order.shipping_method_name,
        "shipping_address": {
            "full_name": order.ship_full_name, "line1": order.ship_line1, "line2": order.ship_line2,
            "city": order.ship_city, "region": order.ship_region, "postal_code": order.ship_postal_code,
            "country": order.ship_country,
        },
        "payment": {
            "method": provider.code, "label": provider.label, "status": order.payment_status,
            "instructions": provider.start(order=order).instructions,
        },
    }


class PlacedOrderSerializer(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.CharField()
    created_at = serializers.DateTimeField()
    email = serializers.EmailField()
    phone = serializers.CharField()
    lines = PlacedOrderLineSerializer(many=True, source="lines.all")
    currency = serializers.CharField()
    subtotal = serializers.DecimalField(max_digits=12, decimal_places=2)
    discount = serializers.DecimalField(max_digits=12, decimal_places=2)
    shipping = serializers.DecimalField(max_digits=12, decimal_places=2)
    tax = serializers.DecimalField(max_digits=12, decimal_places=2)
    total = serializers.DecimalField(max_digits=12, decimal_places=2)
    prices_include_tax = serializers.BooleanField()
    coupon_code = serializers.CharField()
    shipping_method = serializers.CharField(source="shipping_method_name")
    shipping_address = OrderAddressSerializer(source="*")
    payment = serializers.SerializerMethodField()

    @extend_schema_field(PaymentSerializer)
    def get_payment(self, order) -> dict:
        provider = payment_provider_get(code=order.payment_method)
        return PaymentSerializer(
            {
                "method": provider.code,
                "label": provider.label,
                "status": order.payment_status,
                "instructions": provider.start(order=order).instructions,
            }
        ).data
