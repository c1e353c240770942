"""/api/v1/back-in-stock/ and /api/v1/cart/email/: the marketing parts of the headless API."""

from django.db import transaction
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from api.cart.views import cart_token_parameter, request_cart_or_404
from commerce.core.throttling import AtomicScopedRateThrottle
from commerce.marketing.services import back_in_stock_subscribe, back_in_stock_unsubscribe, cart_contact_remember

ERROR = OpenApiResponse(description='{"error": {"code", "message", "details"}}')


class BackInStockRequestSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=64)
    email = serializers.EmailField(required=False, allow_blank=True,
                                   help_text="Required for guests; a customer's account email is the default")


class BackInStockSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    sku = serializers.CharField(source="variant.sku")
    email = serializers.EmailField()
    status = serializers.CharField()
    created_at = serializers.DateTimeField()


class BackInStockUnsubscribeSerializer(serializers.Serializer):
    token = serializers.UUIDField(help_text="from the unsubscribe link in the email")


class CartEmailSerializer(serializers.Serializer):
    email = serializers.EmailField()


class BackInStockView(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [AtomicScopedRateThrottle]
    throttle_scope = "back_in_stock"

    @extend_schema(
        operation_id="back_in_stock_subscribe",
        request=BackInStockRequestSerializer,
        responses={
            201: BackInStockSerializer,
            400: OpenApiResponse(description="invalid_email, or a missing/invalid field (validation_error)"),
            404: OpenApiResponse(description="variant_not_found: no active variant of a live product has this SKU"),
            409: OpenApiResponse(description="in_stock: the variant can be ordered now"),
            429: OpenApiResponse(description="throttled (scope back_in_stock)"),
        },
        summary="Get one email when an out-of-stock variant is back",
        description="Idempotent: subscribing the same email to the same variant again returns the same "
        "subscription. One email is sent when the variant is restocked, with an unsubscribe link.",
    )
    def post(self, request):
        serializer = BackInStockRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        subscription = back_in_stock_subscribe(user=request.user, **serializer.validated_data)
        return Response(BackInStockSerializer(subscription).data, status=status.HTTP_201_CREATED)


class BackInStockUnsubscribeView(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [AtomicScopedRateThrottle]
    throttle_scope = "back_in_stock"

    @extend_schema(
        operation_id="back_in_stock_unsubscribe",
        request=BackInStockUnsubscribeSerializer,
        responses={204: None, 400: ERROR, 404: OpenApiResponse(description="subscription_not_found"),
                   429: OpenApiResponse(description="throttled")},
        summary="Cancel a back-in-stock subscription with the token from its email",
    )
    def post(self, request):
        serializer = BackInStockUnsubscribeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        back_in_stock_unsubscribe(token=str(serializer.validated_data["token"]))
        return Response(status=status.HTTP_204_NO_CONTENT)


class CartEmailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="cart_email_set",
        parameters=[cart_token_parameter],
        request=CartEmailSerializer,
        responses={204: None, 400: ERROR, 404: OpenApiResponse(description="No cart")},
        summary="Tell the shop the guest's email once it is entered at checkout",
        description="Lets the shop send one abandoned-cart reminder with a restore link if the cart is "
        "left; the reminder's email has an opt-out link.",
    )
    def put(self, request):
        serializer = CartEmailSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            cart = request_cart_or_404(request)
            cart_contact_remember(cart=cart, email=serializer.validated_data["email"])
        return Response(status=status.HTTP_204_NO_CONTENT)
