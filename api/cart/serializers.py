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


class CartDiscountLineSerializer(serializers.Serializer):
    sku = serializers.CharField()
    discount = serializers.DecimalField(max_digits=12, decimal_places=2)


class CouponRefusalSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Why the kept coupon no longer applies, e.g. coupon_expired.")
    message = serializers.CharField()


class CartPricingSerializer(serializers.Serializer):
    coupon_code = serializers.CharField(allow_null=True, help_text="The coupon applied to the cart, if any.")
    coupon_error = CouponRefusalSerializer(
        allow_null=True, help_text="Set when the cart's coupon stopped applying; totals are then without it."
    )
    discount_lines = CartDiscountLineSerializer(many=True, help_text="Lines with a discount (coupon or promotion).")
    subtotal = serializers.DecimalField(max_digits=12, decimal_places=2)
    discount = serializers.DecimalField(max_digits=12, decimal_places=2)
    tax = serializers.DecimalField(max_digits=12, decimal_places=2)
    total = serializers.DecimalField(
        max_digits=12, decimal_places=2, help_text="Before shipping, which depends on the method chosen at checkout."
    )
    prices_include_tax = serializers.BooleanField()
    free_shipping = serializers.BooleanField()


class CartSerializer(serializers.Serializer):
    token = serializers.CharField(
        allow_null=True,
        help_text="Anonymous carts only: send it back in the X-Cart-Token header. Null for customers' carts.",
    )
    lines = CartLineSerializer(many=True)
    subtotal = serializers.DecimalField(max_digits=12, decimal_places=2)
    item_count = serializers.IntegerField()
    currency = serializers.CharField()
    pricing = CartPricingSerializer(help_text="Computed by the same pricing function as the checkout and its preview.")
