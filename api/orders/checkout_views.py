"""Checkout endpoints: price preview, placing the order (idempotent), and shipping methods.

Thin views: serializers validate the shape, commerce.orders.checkout decides everything else.
"""

from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from api.cart.views import cart_token_parameter, request_cart_token
from commerce.accounts.selectors import address_list
from commerce.cart.services import cart_resolve
from commerce.core.throttling import AtomicScopedRateThrottle
from commerce.orders.checkout import (
    ShippingAddress,
    checkout_idempotent,
    checkout_preview,
    idempotency_scope,
    order_place,
    request_fingerprint,
)
from commerce.orders.pricing import shipping_methods_available

from .checkout_serializers import (
    CheckoutPreviewRequestSerializer,
    CheckoutPreviewSerializer,
    CheckoutRequestSerializer,
    CountryField,
    PlacedOrderSerializer,
    ShippingMethodSerializer,
    placed_order_body,
)

IDEMPOTENCY_HEADER = "Idempotency-Key"

idempotency_parameter = OpenApiParameter(
    IDEMPOTENCY_HEADER,
    type=str,
    location=OpenApiParameter.HEADER,
    required=False,
    description="Any unique string (a UUID) per intended order: a retry with the same key and body "
    "replays the first answer; the same key with another body gets 422.",
)


def _preview_country(request, data) -> str:
    """The destination: `country`, else the checkout body's address, else the customer's saved address."""
    if data["country"]:
        return data["country"]
    if "shipping_address" in data:
        return data["shipping_address"]["country"]
    if "address_id" in data and request.user.is_authenticated:
        address = address_list(user=request.user).filter(pk=data["address_id"]).only("country").first()
        if address is None:
            raise NotFound("Unknown address.")
        return address.country
    return ""


class CheckoutPreviewView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="checkout_preview",
        parameters=[cart_token_parameter],
        request=CheckoutPreviewRequestSerializer,
        responses={
            200: CheckoutPreviewSerializer,
            400: OpenApiResponse(description="Unknown shipping method, or it does not ship to the country"),
            404: OpenApiResponse(description="Unknown cart token"),
        },
        summary="What the current cart would cost with a shipping method and destination",
    )
    def post(self, request):
        serializer = CheckoutPreviewRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with transaction.atomic():  # resolving may merge an anonymous cart into the customer's
            cart = cart_resolve(user=request.user, token=request_cart_token(request), create=False)
        snapshot, prices = checkout_preview(
            cart=cart, shipping_method_code=data["shipping_method"], country=_preview_country(request, data),
            coupon_code=data["coupon_code"], user=request.user,
        )
        priced = {p.key: p for p in prices.lines}
        body = {
            "lines": [
                {
                    "sku": ln.sku, "product_name": ln.product_name, "quantity": ln.quantity,
                    "unit_price": ln.unit_price, "line_total": priced[ln.variant_id].line_total,
                    "discount": priced[ln.variant_id].discount,
                }
                for ln in snapshot.lines
            ],
            "currency": prices.currency, "subtotal": prices.subtotal, "discount": prices.discount,
            "shipping": prices.shipping, "tax": prices.tax, "total": prices.total,
            "prices_include_tax": prices.prices_include_tax, "free_shipping_applied": prices.free_shipping_applied,
            "coupon_code": prices.coupon_code,
        }
        return Response(CheckoutPreviewSerializer(body).data)


class CheckoutView(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [AtomicScopedRateThrottle]
    throttle_scope = "checkout"

    @extend_schema(
        operation_id="checkout_create",
        parameters=[cart_token_parameter, idempotency_parameter],
        request=CheckoutRequestSerializer,
        responses={
            201: PlacedOrderSerializer,
            400: OpenApiResponse(description="Empty cart, unknown shipping method, missing guest details"),
            404: OpenApiResponse(description="Unknown cart token"),
            409: OpenApiResponse(description="Insufficient stock: details list every short line"),
            422: OpenApiResponse(description="Idempotency-Key reused with a different body"),
            429: OpenApiResponse(description="Throttled"),
        },
        summary="Place an order from the current cart (cash on delivery)",
    )
    def post(self, request):
        serializer = CheckoutRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
        if len(key) > 255:
            raise serializers.ValidationError({IDEMPOTENCY_HEADER: "At most 255 characters."})

        def render(order):
            return status.HTTP_201_CREATED, placed_order_body(order)

        if not key:
            http_status, body = render(self._place(request, serializer.validated_data))
            return Response(body, status=http_status)

        def place_in_idempotent_transaction(before_allocate):
            # an error here ends checkout_idempotent's atomic block, so order_place needs no savepoint
            return self._place(request, serializer.validated_data, before_allocate=before_allocate, savepoint=False)

        answer = checkout_idempotent(
            key=key,
            scope=idempotency_scope(user=request.user, cart_token=request_cart_token(request)),
            fingerprint=request_fingerprint(request.data),
            place=place_in_idempotent_transaction,
            render=render,
        )
        headers = {"Idempotent-Replayed": "true"} if answer.replayed else None
        return Response(answer.body, status=answer.status, headers=headers)

    @staticmethod
    def _place(request, data, *, before_allocate=None, savepoint=True):
        cart = cart_resolve(user=request.user, token=request_cart_token(request), create=False)
        address = data.get("shipping_address")
        return order_place(
            cart=cart,
            user=request.user,
            shipping_method_code=data["shipping_method"],
            payment_method=data["payment_method"],
            email=data.get("email", ""),
            # `is None`, not truthiness: a PhoneNumber's len() formats (and validates) it once more
            phone=str(data["phone"]) if data.get("phone") is not None else "",
            address=ShippingAddress(**address) if address else None,
            address_id=data.get("address_id"),
            coupon_code=data["coupon_code"],
            customer_note=data["note"],
            before_allocate=before_allocate,
            savepoint=savepoint,
        )


class ShippingMethodQuerySerializer(serializers.Serializer):
    country = CountryField(required=False, allow_blank=True, default="")


class ShippingMethodListView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="shipping_methods_list",
        parameters=[ShippingMethodQuerySerializer],
        responses={200: ShippingMethodSerializer(many=True)},
        summary="Active shipping methods, only those shipping to ?country= when given",
    )
    def get(self, request):
        query = ShippingMethodQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        methods = shipping_methods_available(country=query.validated_data["country"])
        return Response(ShippingMethodSerializer(methods, many=True).data)
