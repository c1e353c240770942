"""Cart endpoints. Anonymous carts travel in the X-Cart-Token header; customers' carts by login.

The views hold no rules: commerce.cart.services decides which cart a request may touch and what may
be added; a token that is not the caller's answers 404 like an unknown one.
"""

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from commerce.cart.selectors import cart_view
from commerce.cart.services import (
    CartNotFound,
    cart_add_for_request,
    cart_line_remove,
    cart_line_set_quantity,
    cart_resolve,
)
from commerce.core.errors import NotFoundError
from commerce.orders.checkout import checkout_preview
from commerce.promotions.errors import CouponError

from .serializers import CartItemAddSerializer, CartItemUpdateSerializer, CartSerializer

CART_TOKEN_HEADER = "X-Cart-Token"

cart_token_parameter = OpenApiParameter(
    CART_TOKEN_HEADER,
    type=str,
    location=OpenApiParameter.HEADER,
    required=False,
    description="Token of an anonymous cart (returned when the cart is created). With a logged-in "
    "customer, an anonymous cart's token merges that cart into the customer's.",
)
ERRORS = {
    400: OpenApiResponse(description="Invalid input"),
    404: OpenApiResponse(description="Unknown cart token or cart line"),
    409: OpenApiResponse(description="Not enough stock; details name the quantity available"),
}


def request_cart_token(request) -> str | None:
    return request.headers.get(CART_TOKEN_HEADER) or None


def request_cart(request, *, create: bool):
    return cart_resolve(user=request.user, token=request_cart_token(request), create=create)


def request_cart_or_404(request):
    """The request's existing cart; an unknown or foreign token is the same 404 as no cart at all."""
    cart = request_cart(request, create=False)
    if cart is None:
        raise CartNotFound()
    return cart


def cart_pricing(cart, *, user=None) -> dict:
    """The cart's coupon, discounts and totals from checkout's own pricing (checkout_preview), before
    shipping is chosen. A kept coupon that stopped applying is left out and its refusal reported."""
    coupon_error = None
    try:
        snapshot, prices = checkout_preview(cart=cart, user=user)
    except CouponError as error:
        coupon_error = {"code": error.code, "message": str(error.message)}
        snapshot, prices = checkout_preview(cart=cart, user=user, use_cart_coupon=False)
    skus = {line.variant_id: line.sku for line in snapshot.lines}
    return {
        "coupon_code": prices.coupon_code or None,
        "coupon_error": coupon_error,
        "discount_lines": [
            {"sku": skus.get(line.key, ""), "discount": line.discount} for line in prices.lines if line.discount
        ],
        "subtotal": prices.subtotal,
        "discount": prices.discount,
        "tax": prices.tax,
        "total": prices.total,
        "prices_include_tax": prices.prices_include_tax,
        "free_shipping": prices.free_shipping_applied,
    }


def cart_response(cart, *, user=None, http_status=status.HTTP_200_OK) -> Response:
    view = cart_view(cart=cart)
    data = CartSerializer(
        {
            "token": view.token,
            "lines": view.lines,
            "subtotal": view.subtotal,
            "item_count": view.item_count,
            "currency": settings.SHOP_CURRENCY,
            "pricing": cart_pricing(cart, user=user),
        }
    ).data
    headers = {CART_TOKEN_HEADER: view.token} if view.token else None
    return Response(data, status=http_status, headers=headers)


class CartView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="cart_retrieve",
        parameters=[cart_token_parameter],
        responses={200: CartSerializer, 404: ERRORS[404]},
        summary="The current cart (empty when there is none yet)",
    )
    def get(self, request):
        return cart_response(request_cart(request, create=False), user=request.user)


class CartItemsView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="cart_items_create",
        parameters=[cart_token_parameter],
        request=CartItemAddSerializer,
        responses={201: CartSerializer, **ERRORS},
        summary="Add a SKU to the cart; creates an anonymous cart (and its token) when none is sent",
    )
    def post(self, request):
        serializer = CartItemAddSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cart = cart_add_for_request(
            user=request.user, token=request_cart_token(request), **serializer.validated_data
        )
        return cart_response(cart, user=request.user, http_status=status.HTTP_201_CREATED)


class CartItemDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="cart_items_partial_update",
        parameters=[cart_token_parameter],
        request=CartItemUpdateSerializer,
        responses={200: CartSerializer, **ERRORS},
        summary="Change a line's quantity (0 removes it)",
    )
    def patch(self, request, line_id: int):
        serializer = CartItemUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cart = request_cart_or_404(request)
        quantity = serializer.validated_data.get("quantity")
        if quantity is None:
            response = cart_response(cart, user=request.user)
            if not any(line["id"] == line_id for line in response.data["lines"]):
                raise NotFoundError("This cart has no such line.", code="cart_line_not_found")
            return response
        cart_line_set_quantity(cart=cart, line_id=line_id, quantity=quantity)
        return cart_response(cart, user=request.user)

    @extend_schema(
        operation_id="cart_items_destroy",
        parameters=[cart_token_parameter],
        responses={200: CartSerializer, 404: ERRORS[404]},
        summary="Remove a line",
    )
    def delete(self, request, line_id: int):
        cart = request_cart_or_404(request)
        cart_line_remove(cart=cart, line_id=line_id)
        return cart_response(cart, user=request.user)
