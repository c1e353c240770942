"""`{% cart_coupon_form cart %}`: the cart page's coupon block (the code applied, what it takes off,
or why it no longer applies, and the apply / remove forms)."""

from django import template

from commerce.promotions.errors import CouponError
from commerce.promotions.services import cart_discount_lines, cart_discounts_compute

register = template.Library()


@register.inclusion_tag("promotions/_cart_coupon.html", takes_context=True)
def cart_coupon_form(context, cart):
    outcome, problem = None, ""
    if cart is not None and cart.pk:
        try:
            outcome = cart_discounts_compute(lines=cart_discount_lines(cart=cart), coupon_code=cart.coupon_code)
        except CouponError as exc:
            problem = exc.message  # e.g. expired since it was applied: checkout will refuse it too
    return {
        "csrf_token": context.get("csrf_token"),
        "coupon_code": cart.coupon_code if cart is not None else "",
        "outcome": outcome,
        "problem": problem,
        "subtotal_after": outcome.subtotal - outcome.discount if outcome else None,
    }
