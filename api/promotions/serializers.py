"""Cart coupon API shapes. Money goes out as decimal strings."""

from rest_framework import serializers


class CouponApplySerializer(serializers.Serializer):
    code = serializers.CharField(max_length=50, trim_whitespace=True, help_text="Any letter case")


class AppliedPromotionSerializer(serializers.Serializer):
    name = serializers.CharField()
    code = serializers.CharField(allow_blank=True, help_text="Empty for automatic promotions")
    kind = serializers.ChoiceField(choices=["percentage", "fixed", "free_shipping"])
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)


class CartDiscountSerializer(serializers.Serializer):
    coupon_code = serializers.CharField(allow_blank=True, help_text="The code kept on the cart (capitals)")
    subtotal = serializers.DecimalField(max_digits=12, decimal_places=2)
    discount = serializers.DecimalField(max_digits=12, decimal_places=2)
    subtotal_after_discount = serializers.DecimalField(max_digits=12, decimal_places=2)
    free_shipping = serializers.BooleanField()
    promotions = AppliedPromotionSerializer(many=True)
    currency = serializers.CharField()
