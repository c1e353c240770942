"""Customer order endpoints and public tracking. Views hold no rules: selectors and services do.

Another customer's order answers 404 exactly like an unknown number, so order numbers cannot be
probed; tracking answers a wrong (number, phone) pair with the same 404 as an unknown number.
"""

import json

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from commerce.core.throttling import ClientAddressRateThrottle
from commerce.orders.returns import return_request_create
from commerce.orders.selectors import (
    order_get_for_customer,
    order_get_for_customer_documents,
    order_invoice_pdf_for_customer,
    order_track,
    orders_for_customer,
)
from commerce.orders.services import order_cancel_by_customer

from .order_serializers import (
    OrderDetailSerializer,
    OrderListSerializer,
    ReturnCreateSerializer,
    ReturnSerializer,
    TrackingRequestSerializer,
    TrackingSerializer,
)

NOT_FOUND = OpenApiResponse(description="No such order among the caller's orders")
UNAUTHENTICATED = OpenApiResponse(description="Log in (JWT bearer token or session) first")


class OrderTrackView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []  # public, no CSRF for session cookies: it only reads
    throttle_classes = [ClientAddressRateThrottle]  # the /track/ page shares this counter
    throttle_scope = "tracking"

    @extend_schema(
        operation_id="orders_track",
        request=TrackingRequestSerializer,
        responses={
            200: TrackingSerializer,
            400: OpenApiResponse(description="Missing fields"),
            404: OpenApiResponse(description="Unknown order number, or the phone does not match it"),
            429: OpenApiResponse(description="Too many tracking attempts from this address"),
        },
        summary="Track an order by its number and the phone given at checkout",
        tags=["orders"],
    )
    def post(self, request):
        data = TrackingRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order = order_track(order_number=data.validated_data["order_number"], phone=data.validated_data["phone"])
        return Response(TrackingSerializer(order).data)


class OrderListView(ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = OrderListSerializer

    def get_queryset(self):
        return orders_for_customer(user=self.request.user)

    @extend_schema(
        operation_id="orders_list",
        responses={200: OrderListSerializer(many=True), 401: UNAUTHENTICATED},
        summary="The logged-in customer's orders, newest first",
        tags=["orders"],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class OrderDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="orders_retrieve",
        responses={200: OrderDetailSerializer, 401: UNAUTHENTICATED, 404: NOT_FOUND},
        summary="One of the logged-in customer's orders, with address and timeline",
        tags=["orders"],
    )
    def get(self, request, number: str):
        return Response(OrderDetailSerializer(order_get_for_customer(user=request.user, number=number)).data)


class OrderCancelView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="orders_cancel",
        request=None,
        responses={
            200: OrderDetailSerializer,
            401: UNAUTHENTICATED,
            404: NOT_FOUND,
            409: OpenApiResponse(description="The order is no longer pending (code order_not_pending)"),
        },
        summary="Cancel one of the logged-in customer's orders while it is pending",
        tags=["orders"],
    )
    def post(self, request, number: str):
        order = order_get_for_customer(user=request.user, number=number)
        order_cancel_by_customer(order_id=order.pk, by=request.user)
        return Response(OrderDetailSerializer(order_get_for_customer(user=request.user, number=number)).data)


class OrderReturnsView(APIView):
    """The customer's return requests (RMA) for one of their own orders."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="orders_returns_list",
        responses={200: ReturnSerializer(many=True), 401: UNAUTHENTICATED, 404: NOT_FOUND},
        summary="The return requests of one of the logged-in customer's orders",
        tags=["orders"],
    )
    def get(self, request, number: str):
        order = order_get_for_customer_documents(user=request.user, number=number)
        return Response(ReturnSerializer(order.returns.all(), many=True).data)

    @extend_schema(
        operation_id="orders_returns_create",
        request=ReturnCreateSerializer,
        responses={
            201: ReturnSerializer,
            400: OpenApiResponse(description="Invalid body, or quantities that were not delivered or are already "
                                             "being returned (code invalid_return, details per line id)"),
            401: UNAUTHENTICATED,
            404: NOT_FOUND,
            409: OpenApiResponse(description="Nothing delivered yet (not_delivered) or the return window is over "
                                             "(return_window_closed)"),
            415: OpenApiResponse(description="The body must be JSON"),
        },
        summary="Ask to return delivered lines of one of the logged-in customer's orders",
        tags=["orders"],
    )
    def post(self, request, number: str):
        order = order_get_for_customer(user=request.user, number=number)
        body = ReturnCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return_request = return_request_create(
            order_id=order.pk, by=request.user, reason=body.validated_data["reason"],
            lines={line["line_id"]: line["quantity"] for line in body.validated_data["lines"]},
        )
        return Response(ReturnSerializer(return_request).data, status=201)


class PDFRenderer(BaseRenderer):
    """Lets a client send `Accept: application/pdf`; errors still go out as the usual JSON body."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        return json.dumps(data).encode()


class OrderInvoiceView(APIView):
    permission_classes = [IsAuthenticated]
    renderer_classes = [JSONRenderer, PDFRenderer]

    def handle_exception(self, exc):
        # an error is the API's JSON document even when the client asked for a PDF (as documented)
        response = super().handle_exception(exc)
        self.request.accepted_renderer, self.request.accepted_media_type = JSONRenderer(), JSONRenderer.media_type
        return response

    @extend_schema(
        operation_id="orders_invoice",
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            401: UNAUTHENTICATED,
            404: OpenApiResponse(description="No such order among the caller's orders, or no invoice issued yet "
                                             "(code invoice_not_issued)"),
        },
        summary="The invoice of one of the logged-in customer's orders, as a PDF",
        tags=["orders"],
    )
    def get(self, request, number: str):
        filename, pdf = order_invoice_pdf_for_customer(user=request.user, number=number)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
