"""Order API shapes: the customer's orders and public tracking. Money as decimal strings."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from commerce.orders.models import Fulfilment, Order, OrderLine
from commerce.orders.selectors import order_timeline


class OrderLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderLine
        fields = ["id", "product_name", "sku", "attributes", "unit_price", "quantity", "line_total"]
        read_only_fields = fields


class TimelineEntrySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Order.Status.choices)
    status_label = serializers.CharField()
    at = serializers.DateTimeField()


def timeline_data(order) -> list:
    return TimelineEntrySerializer(order_timeline(order=order), many=True).data


class OrderListSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    lines = OrderLineSerializer(many=True, read_only=True)

    class Meta:
        model = Order
        fields = ["number", "status", "status_label", "created_at", "currency", "total", "payment_status", "lines"]
        read_only_fields = fields


class OrderAddressSerializer(serializers.Serializer):
    """The address snapshot on the order, shown to its owner only."""

    full_name = serializers.CharField(source="ship_full_name")
    line1 = serializers.CharField(source="ship_line1")
    line2 = serializers.CharField(source="ship_line2")
    city = serializers.CharField(source="ship_city")
    region = serializers.CharField(source="ship_region")
    postal_code = serializers.CharField(source="ship_postal_code")
    country = serializers.CharField(source="ship_country")


class ReturnLineSerializer(serializers.Serializer):
    line_id = serializers.IntegerField(source="order_line_id")
    sku = serializers.CharField(source="order_line.sku")
    product_name = serializers.CharField(source="order_line.product_name")
    quantity = serializers.IntegerField()


class ReturnSerializer(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    reason = serializers.CharField()
    staff_note = serializers.CharField()
    created_at = serializers.DateTimeField()
    lines = ReturnLineSerializer(many=True)


class OperationLineSerializer(serializers.Serializer):
    """Units of one order line inside a parcel, refund or return."""

    line_id = serializers.IntegerField(source="order_line_id", help_text="`id` of the order line")
    quantity = serializers.IntegerField()


class ParcelSerializer(serializers.Serializer):
    number = serializers.CharField(help_text="<order number>-F<n>")
    status = serializers.ChoiceField(choices=Fulfilment.Status.choices)
    courier = serializers.CharField()
    tracking_number = serializers.CharField()
    shipped_at = serializers.DateTimeField()
    delivered_at = serializers.DateTimeField(allow_null=True)
    lines = OperationLineSerializer(many=True)


class OrderRefundSerializer(serializers.Serializer):
    credit_note_number = serializers.CharField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="Lines plus shipping refunded")
    shipping_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    lines = OperationLineSerializer(many=True)


class OrderInvoiceSummarySerializer(serializers.Serializer):
    number = serializers.CharField()
    issued_at = serializers.DateTimeField()


class OrderDetailSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    lines = OrderLineSerializer(many=True, read_only=True)
    shipping_address = OrderAddressSerializer(source="*", read_only=True)
    timeline = serializers.SerializerMethodField()
    can_cancel = serializers.SerializerMethodField()
    parcels = ParcelSerializer(source="fulfilments", many=True, read_only=True,
                               help_text="What has shipped, parcel by parcel (partial fulfilment)")
    refunds = OrderRefundSerializer(many=True, read_only=True)
    returns = ReturnSerializer(many=True, read_only=True)
    invoice = serializers.SerializerMethodField(
        help_text="The issued invoice (its PDF is at /api/v1/orders/{number}/invoice/), or null before it is issued"
    )

    class Meta:
        model = Order
        fields = [
            "number", "status", "status_label", "created_at", "email", "phone", "shipping_address",
            "shipping_method_name", "payment_method", "payment_status", "currency", "subtotal", "discount",
            "shipping", "tax", "total", "prices_include_tax", "coupon_code", "courier", "tracking_number",
            "lines", "timeline", "can_cancel", "parcels", "refunds", "returns", "invoice",
        ]
        read_only_fields = fields

    @extend_schema_field(TimelineEntrySerializer(many=True))
    def get_timeline(self, order):
        return timeline_data(order)

    def get_can_cancel(self, order) -> bool:
        return order.status == Order.Status.PENDING

    @extend_schema_field(OrderInvoiceSummarySerializer(allow_null=True))
    def get_invoice(self, order):
        invoice = getattr(order, "invoice", None)
        return OrderInvoiceSummarySerializer(invoice).data if invoice is not None else None


class TrackingRequestSerializer(serializers.Serializer):
    order_number = serializers.CharField(max_length=20, trim_whitespace=True)
    phone = serializers.CharField(max_length=32, help_text="The phone number given at checkout, in any common format")


class TrackingSerializer(serializers.ModelSerializer):
    """What anyone holding the number and phone may see: no address, email or phone."""

    order_number = serializers.CharField(source="number", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    placed_at = serializers.DateTimeField(source="created_at", read_only=True)
    lines = OrderLineSerializer(many=True, read_only=True)
    timeline = serializers.SerializerMethodField()

    class Meta:
        model = Order
        fields = [
            "order_number", "status", "status_label", "placed_at", "shipping_method_name", "courier",
            "tracking_number", "currency", "total", "lines", "timeline",
        ]
        read_only_fields = fields

    @extend_schema_field(TimelineEntrySerializer(many=True))
    def get_timeline(self, order):
        return timeline_data(order)


class ReturnLineRequestSerializer(serializers.Serializer):
    line_id = serializers.IntegerField(min_value=1, help_text="`id` of a line of this order")
    quantity = serializers.IntegerField(min_value=1, max_value=10_000)


class ReturnCreateSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)
    lines = ReturnLineRequestSerializer(many=True, allow_empty=False, max_length=200)

    def validate_lines(self, lines):
        seen = set()
        for line in lines:
            if line["line_id"] in seen:
                raise serializers.ValidationError("Each line may appear once.")
            seen.add(line["line_id"])
        return lines
