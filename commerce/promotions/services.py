"""Coupon and promotion rules: validate a code against a cart, compute the discount, redeem and release.

Checkout calls, inside its transaction:
    outcome = cart_discounts_compute(lines=..., coupon_code=..., customer=..., lock_coupon=True)
    ... create the order ...
    coupon_usage_record(coupon=outcome.coupon.rule, order=order, discount=outcome.coupon.amount)
`lock_coupon` takes the coupon row (SELECT ... FOR UPDATE) and holds it to the end of the transaction;
`coupon_usage_record` then inserts the use only if the total and per-customer counts, read by that
same statement after the lock was taken, are under the limits. Every checkout using a coupon queues
on its row, so a limit holds however many run at once. `coupon_redeem` does lock + record in one call
for other callers. The orders app's status service calls `coupon_release` when an order is cancelled
(inside its transaction), which gives the use back. The dependency runs one way: orders call
promotions; promotions never import orders.

Precedence and rounding are documented in `commerce.promotions.pricing`.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from commerce.cart.models import Cart, CartLine
from commerce.core.audit import AuditAction, audit_log
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


def _limits_check(
    *, coupon_id: int, usage_limit: int | None, per_customer_limit: int | None, customer: CustomerRef
) -> None:
    """Raise exhausted / already used from the current counts (one query, none without limits)."""
    if usage_limit is None and (per_customer_limit is None or not customer.is_known):
        return
    total, mine = coupon_usage_counts(coupon_id=coupon_id, user_id=customer.user_id, email=customer.email)
    if usage_limit is not None and total >= usage_limit:
        raise errors.coupon_exhausted()
    if per_customer_limit is not None and customer.is_known and mine >= per_customer_limit:
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

    With `lock_coupon` (checkout, inside its transaction) the coupon row is taken FOR UPDATE and the
    usage limits are left to `coupon_usage_record`, which checks them under that lock. Otherwise
    `check_usage` counts the uses now (a preview: advisory, nothing is held).
    Queries: 1 for automatic promotions, 1 for the coupon, 1 for every rule's restrictions and the
    category tree together (none without rules), 1 for the usage counts when checked.
    """
    now = now or timezone.now()
    customer = customer or CustomerRef()
    if lock_coupon and not connection.in_atomic_block:
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
        if check_usage and not lock_coupon:
            _limits_check(
                coupon_id=coupon.pk,
                usage_limit=coupon.usage_limit,
                per_customer_limit=coupon.per_customer_limit,
                customer=customer,
            )
    return discounts_compute(lines=lines, automatic=frozen, coupon=coupon_rule)


def coupon_validate(
    *, code: str, lines: Sequence[DiscountLine], customer: CustomerRef | None = None, now=None
) -> DiscountOutcome:
    """Check a code against a cart snapshot: the outcome it would give, or a CouponError with the reason."""
    if not normalize_code(code):
        raise errors.coupon_unknown()
    return cart_discounts_compute(lines=lines, coupon_code=code, customer=customer, now=now)


def coupon_usage_record(*, coupon: Rule, order, discount: Decimal) -> None:
    """Insert `order`'s use of `coupon` if its limits allow, else raise exhausted / already used.

    Call only with the coupon row locked by this transaction (`cart_discounts_compute(lock_coupon=True)`
    or `coupon_redeem`). One INSERT ... SELECT ... WHERE <counts under the limits>: a statement that
    starts after the lock was granted sees every use committed before it, so no count goes stale.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("coupon_usage_record must run inside the checkout transaction")
    email = order.email.strip().lower()
    # Only the table name (from the model) is formatted in; every value is a query parameter.
    table = connection.ops.quote_name(CouponUsage._meta.db_table)
    conditions, params = [], []
    if coupon.usage_limit is not None:
        conditions.append(f"(SELECT COUNT(*) FROM {table} WHERE coupon_id = %s) < %s")  # noqa: S608
        params += [coupon.id, coupon.usage_limit]
    if coupon.per_customer_limit is not None:
        conditions.append(f"(SELECT COUNT(*) FROM {table} WHERE coupon_id = %s AND (email = %s OR user_id = %s)) < %s")  # noqa: S608
        params += [coupon.id, email, order.user_id, coupon.per_customer_limit]
    ops = connection.ops
    values = [
        coupon.id,
        order.pk,
        order.user_id,
        email,
        ops.adapt_decimalfield_value(quantize_money(discount), 12, 2),
        ops.adapt_datetimefield_value(timezone.now()),
    ]
    sql = (
        f"INSERT INTO {table} (coupon_id, order_id, user_id, email, discount, created_at) "
        f"SELECT %s, %s, %s, %s, %s, %s WHERE {' AND '.join(conditions) or '1 = 1'}"  # noqa: S608
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values + params)
        recorded = cursor.rowcount == 1
    if recorded:
        # an unsaved stand-in carries the pk and name the log needs, without reading the coupon again
        audit_log(instance=Coupon(pk=coupon.id, name=coupon.name, code=coupon.code or ""),
                  action=AuditAction.COUPON_USE, user=order.user if order.user_id else None,
                  data={"order": order.number, "discount": quantize_money(discount)})
    if not recorded:
        # Rare path: one more query to name the reason.
        _limits_check(
            coupon_id=coupon.id,
            usage_limit=coupon.usage_limit,
            per_customer_limit=coupon.per_customer_limit,
            customer=CustomerRef(user_id=order.user_id, email=email),
        )
        raise errors.coupon_exhausted()  # unreachable under the lock; never record silently


def coupon_redeem(*, code: str, order, discount: Decimal = Decimal("0.00"), now=None) -> None:
    """Lock the coupon, check it is in force and record `order`'s use (see coupon_usage_record).

    Raising rolls the caller's transaction back, so a refused coupon leaves no order behind.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("coupon_redeem must run inside the checkout transaction")
    coupon = _coupon_check_in_force(coupon_get_by_code(code=code, lock=True), now=now or timezone.now())
    rule = Rule(
        id=coupon.pk,
        name=coupon.name,
        kind=coupon.kind,
        value=coupon.value,
        code=coupon.code,
        usage_limit=coupon.usage_limit,
        per_customer_limit=coupon.per_customer_limit,
    )
    coupon_usage_record(coupon=rule, order=order, discount=discount)


@transaction.atomic
def coupon_release(*, order, by=None, reason: str = "order cancelled") -> int:
    """Give back the coupon use of a cancelled order. Returns how many uses were released (0 or 1)."""
    usages = list(CouponUsage.objects.filter(order=order).select_related("coupon"))
    if not usages:
        return 0
    CouponUsage.objects.filter(pk__in=[u.pk for u in usages]).delete()
    for usage in usages:
        audit_log(instance=usage.coupon, action=AuditAction.COUPON_RELEASE, user=by,
                  data={"order": order.number, "reason": reason})
    return len(usages)


# --- the cart's coupon --------------------------------------------------------------------------


def cart_discount_lines(*, cart: Cart) -> list[DiscountLine]:
    """The cart's lines as discount rules see them, at current prices (one query)."""
    return [
        DiscountLine(
            key=line.variant_id,
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
