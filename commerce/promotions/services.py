"""Coupon and promotion rules: validate a code against a cart, compute the discount, redeem and release.

Checkout calls, inside its transaction:
    outcome = cart_discounts_compute(lines=..., coupon_code=..., customer=..., lock_coupon=True)
    ... create the order ...
    coupon_usage_record(coupon_id=outcome.coupon.rule.id, order=order, discount=outcome.coupon.amount)
`lock_coupon` takes the coupon row (SELECT ... FOR UPDATE) and counts its uses under that lock, so a
usage limit holds however many checkouts run at once (`coupon_redeem` does lock, check and record in
one call for other callers). Cancelling an order calls `coupon_release` (wired to the orders app's
`order_status_changed` signal in receivers.py).
Precedence and rounding are documented in `commerce.promotions.pricing`.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from commerce.cart.models import Cart, CartLine
from commerce.core.money import quantize_money

from . import errors
from .models import Coupon, CouponUsage, normalize_code
from .pricing import DiscountLine, DiscountOutcome, Rule, coupon_check_cart, discounts_compute
from .selectors import automatic_promotions_in_force, coupon_get_by_code, coupon_usage_counts, rules_freeze


@dataclass(frozen=True)
class CustomerRef:
    """Who uses a coupon: a user, or a guest known by email. Both may be unknown before checkout."""

    user_id: int | None = None
    email: str = ""

    @property
    def is_known(self) -> bool:
        return bool(self.user_id or self.email)


def _coupon_check_in_force(coupon: Coupon | None, *, now) -> Coupon:
    if coupon is None or not coupon.live or not coupon.is_active:
        raise errors.coupon_unknown()
    if coupon.starts_at and now < coupon.starts_at:
        raise errors.coupon_not_yet_valid(coupon.starts_at)
    if coupon.ends_at and now >= coupon.ends_at:
        raise errors.coupon_expired(coupon.ends_at)
    return coupon


def _coupon_check_usage(coupon: Coupon, *, customer: CustomerRef) -> None:
    if coupon.usage_limit is None and (coupon.per_customer_limit is None or not customer.is_known):
        return
    total, mine = coupon_usage_counts(coupon_id=coupon.pk, user_id=customer.user_id, email=customer.email)
    if coupon.usage_limit is not None and total >= coupon.usage_limit:
        raise errors.coupon_exhausted()
    if coupon.per_customer_limit is not None and customer.is_known and mine >= coupon.per_customer_limit:
        raise errors.coupon_already_used()


def cart_discounts_compute(
    *,
    lines: Sequence[DiscountLine],
    coupon_code: str = "",
    customer: CustomerRef | None = None,
    check_usage: bool = True,
    lock_coupon: bool = False,
    now=None,
) -> DiscountOutcome:
    """Automatic promotions plus the coupon (if any) on these lines; raises CouponError for a bad code.

    `lock_coupon` (checkout, inside its transaction) takes the coupon row FOR UPDATE before counting
    its uses, so the counts stay true until the transaction ends; `coupon_usage_record` then records
    the use. Queries: 1 for automatic promotions, 1 for the coupon, 1 for every rule's restrictions
    and the category tree (none without rules), 1 for the usage counts when checked.
    """
    now = now or timezone.now()
    customer = customer or CustomerRef()
    if lock_coupon and not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_coupon needs the checkout transaction")
    coupon = None
    if normalize_code(coupon_code):
        coupon = _coupon_check_in_force(coupon_get_by_code(code=coupon_code, lock=lock_coupon), now=now)
    automatic = automatic_promotions_in_force(now=now)
    frozen = rules_freeze(coupons=[coupon] if coupon else [], automatic=automatic)
    coupon_rule: Rule | None = frozen.pop() if coupon else None
    if coupon_rule is not None:
        # Cheap cart checks first; the usage count (a query) only for a coupon that fits the cart.
        coupon_check_cart(coupon_rule, lines, sum((line.amount for line in lines), Decimal("0")))
        if check_usage or lock_coupon:
            _coupon_check_usage(coupon, customer=customer)
    return discounts_compute(lines=lines, automatic=frozen, coupon=coupon_rule)


def coupon_validate(
    *, code: str, lines: Sequence[DiscountLine], customer: CustomerRef | None = None, now=None
) -> DiscountOutcome:
    """Check a code against a cart snapshot: the outcome it would give, or a CouponError with the reason."""
    if not normalize_code(code):
        raise errors.coupon_unknown()
    return cart_discounts_compute(lines=lines, coupon_code=code, customer=customer, now=now)


def coupon_redeem(*, code: str, order, discount: Decimal = Decimal("0.00"), now=None) -> CouponUsage:
    """Record one use of `code` by `order`, inside the checkout's transaction, under a row lock.

    The lock serialises every checkout using this coupon: the count read after it sees all committed
    uses, so `usage_limit` and `per_customer_limit` hold under concurrency. Raising rolls the whole
    checkout back, so a refused coupon leaves no order and no stock allocated.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("coupon_redeem must run inside the checkout transaction")
    coupon = _coupon_check_in_force(coupon_get_by_code(code=code, lock=True), now=now or timezone.now())
    _coupon_check_usage(coupon, customer=CustomerRef(user_id=order.user_id, email=order.email))
    return coupon_usage_record(coupon_id=coupon.pk, order=order, discount=discount)


def coupon_usage_record(*, coupon_id: int, order, discount: Decimal) -> CouponUsage:
    """Insert the use. Only after the coupon was locked and checked in this same transaction
    (`coupon_redeem`, or `cart_discounts_compute(lock_coupon=True)` as checkout does)."""
    return CouponUsage.objects.create(
        coupon_id=coupon_id,
        order=order,
        user_id=order.user_id,
        email=order.email.strip().lower(),
        discount=quantize_money(discount),
    )


def coupon_release(*, order) -> int:
    """Give back the coupon use of a cancelled order. Returns how many uses were released (0 or 1)."""
    deleted, _ = CouponUsage.objects.filter(order=order).delete()
    return deleted


# --- the cart's coupon --------------------------------------------------------------------------


def cart_discount_lines(*, cart: Cart) -> list[DiscountLine]:
    """The cart's lines as discount rules see them, at current prices (one query)."""
    return [
        DiscountLine(
            key=line.pk,
            product_id=line.variant.product_id,
            category_id=line.variant.product.category_id,
            amount=quantize_money(line.variant.effective_price * line.quantity),
        )
        for line in CartLine.objects.filter(cart=cart).select_related("variant__product").order_by("id")
    ]


def cart_coupon_apply(*, cart: Cart, code: str, user=None) -> DiscountOutcome:
    """Validate `code` against the cart and keep it on the cart; the checkout rechecks it."""
    lines = cart_discount_lines(cart=cart)
    customer = CustomerRef(user_id=user.pk, email=user.email) if user is not None and user.is_authenticated else None
    outcome = coupon_validate(code=code, lines=lines, customer=customer)
    cart.coupon_code = outcome.coupon_code
    cart.save(update_fields=["coupon_code", "updated_at"])
    return outcome


def cart_coupon_remove(*, cart: Cart) -> DiscountOutcome:
    cart.coupon_code = ""
    cart.save(update_fields=["coupon_code", "updated_at"])
    return cart_discounts_compute(lines=cart_discount_lines(cart=cart))
