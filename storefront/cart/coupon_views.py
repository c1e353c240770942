"""The cart page's coupon form on the rendered site (POST only, works without JavaScript)."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from commerce.core.money import format_money
from commerce.promotions.errors import CouponError
from commerce.promotions.services import cart_coupon_apply, cart_coupon_remove
from storefront.cart.views import session_cart


class CouponForm(forms.Form):
    code = forms.CharField(label="Coupon code", max_length=50)


@require_POST
def cart_coupon_apply_view(request):
    cart = session_cart(request, create=False)
    form = CouponForm(request.POST)
    if cart is None or not form.is_valid():
        messages.error(request, "Enter a coupon code for the items in your cart.")
        return redirect("cart:detail")
    try:
        outcome = cart_coupon_apply(cart=cart, code=form.cleaned_data["code"], user=request.user)
    except CouponError as exc:
        messages.error(request, exc.message)
    else:
        saving = f"you save {format_money(outcome.coupon.amount)}" if outcome.coupon.amount else "free shipping"
        messages.success(request, f"Coupon {outcome.coupon_code} applied: {saving}.")
    return redirect("cart:detail")


@require_POST
def cart_coupon_remove_view(request):
    cart = session_cart(request, create=False)
    if cart is not None:
        cart_coupon_remove(cart=cart)
        messages.success(request, "Coupon removed.")
    return redirect("cart:detail")
