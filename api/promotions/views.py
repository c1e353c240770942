"""`/api/v1/cart/coupon/`: apply a coupon code to the current cart, or remove it.

The cart is found exactly as the cart API finds it (X-Cart-Token for anonymous carts, the login for
customers). Validation, the discount and storing the code are commerce.promotions.services' business;
checkout checks the stored code again and records its use.
"""

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from api.cart.views import cart_token_parameter, request_cart_or_404
from commerce.promotions.services import cart_coupon_apply, cart_coupon_remove

from .serializers import CartDiscountSerializer, CouponApplySerializer

COUPON_ERRORS = OpenApiResponse(
    description="Refused code: error.code is coupon_unknown, coupon_expired, coupon_not_yet_valid, "
    "coupon_below_minimum or coupon_not_applicable (400); coupon_exhausted or coupon_already_used (409)"
)


def discount_response(outcome) -> Response:
    applied = [
        {"name": a.rule.name, "code": a.rule.code, "kind": a.rule.kind, "amount": a.amount} for a in outcome.applied
    ]
    data = {
        "coupon_code": outcome.coupon_code,
        "subtotal": outcome.subtotal,
        "discount": outcome.discount,
        "subtotal_after_discount": outcome.subtotal - outcome.discount,
        "free_shipping": outcome.free_shipping,
        "promotions": applied,
        "currency": settings.SHOP_CURRENCY,
    }
    return Response(CartDiscountSerializer(data).data)


class CartCouponView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="cart_coupon_apply",
        parameters=[cart_token_parameter],
        request=CouponApplySerializer,
        responses={
            200: CartDiscountSerializer,
            400: COUPON_ERRORS,
            404: OpenApiResponse(description="No cart"),
            409: COUPON_ERRORS,
        },
        summary="Apply a coupon code to the cart",
        description="Checks the code against the cart now (the reason comes back in error.code) and keeps "
        "it on the cart; checkout checks it again and records its use.",
    )
    def post(self, request):
        serializer = CouponApplySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        outcome = cart_coupon_apply(cart=request_cart_or_404(request), code=serializer.validated_data["code"], user=request.user)
        return discount_response(outcome)

    @extend_schema(
        operation_id="cart_coupon_remove",
        parameters=[cart_token_parameter],
        request=None,
        responses={200: CartDiscountSerializer, 404: OpenApiResponse(description="No cart")},
        summary="Remove the coupon from the cart",
    )
    def delete(self, request):
        return discount_response(cart_coupon_remove(cart=request_cart_or_404(request)))
