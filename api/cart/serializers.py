"""Cart API shapes. Money goes out as decimal strings."""

from rest_framework import serializers

from api.fields import StrictIntegerField


class CartItemAddSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=64)
    quantity = StrictIntegerField(min_value=1, max_value=1000, default=1)


class CartItemUpdateSerializer(serializers.Serializer):
    # optional, as PATCH bodies are: `{}` changes nothing and answers the cart (404 for an unknown line)
    quantity = StrictIntegerField(
        min_value=0, max_value=1000, required=False, help_text="0 removes the line; absent leaves it as it is"
    )


class CartLineSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    sku = serializers.CharField()
    product_name = serializers.CharField()
    product_slug = serializers.CharField()
    attributes = serializers.DictField(child=serializers.CharField())
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2)
    quantity = serializers.IntegerField()
    line_total = serializers.DecimalField(max_digits=12, decimal_places=2)
    available = serializers.IntegerField(help_text="Units that can be bought right now")


class CartSerializer(serializers.Serializer):
    token = serializers.CharField(
        allow_null=True,
        help_text="Anonymous carts only: send it back in the X-Cart-Token header. Null for customers' carts.",
    )
    lines = CartLineSerializer(many=True)
    subtotal = serializers.DecimalField(max_digits=12, decimal_places=2)
    item_count = serializers.IntegerField()
    currency = serializers.CharField()
