"""Pure discount arithmetic: cart lines + rules in, discounts out. No database, no clock.

Precedence (what a shopper gets):
1. Automatic promotions that take money off (percentage / fixed) do not stack with each other: the one
   giving the largest discount on this cart applies (ties: the older rule).
2. A coupon stacks on top of that automatic promotion. It is computed on what is left of each line
   after the automatic discount, so the two together can never exceed the subtotal.
3. Free shipping comes from any qualifying automatic free-shipping promotion or a free-shipping
   coupon; it has no money amount here (the shipping price is the checkout pricing's business).

Every rule's minimum subtotal is compared with the cart subtotal before any discount. A rule restricted
to categories (sub-categories included) or products only looks at matching lines; a rule with no
restriction looks at every line.

Rounding: one `quantize_money` per rule, on its total (percent of the eligible amount, capped by the
rule's maximum and by the eligible amount). That total is then split across the eligible lines in
whole cents, proportionally, with the left-over cents going to the largest remainders, so the line
discounts add up exactly to the rule's total and no line is discounted below zero.
"""

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from commerce.core.money import CENT, quantize_money
from commerce.promotions import errors

ZERO = Decimal("0.00")
HUNDRED = Decimal("100")
PERCENTAGE, FIXED, FREE_SHIPPING = "percentage", "fixed", "free_shipping"


@dataclass(frozen=True)
class DiscountLine:
    """A cart line as the discount rules see it; `amount` is the line total (unit price x quantity)."""

    key: Hashable
    product_id: int
    category_id: int | None
    amount: Decimal


@dataclass(frozen=True)
class Rule:
    """A coupon or automatic promotion, frozen. `category_ids` already include sub-categories."""

    id: int
    name: str
    kind: str
    value: Decimal
    code: str = ""
    min_subtotal: Decimal | None = None
    max_discount: Decimal | None = None
    category_ids: frozenset[int] = frozenset()
    product_ids: frozenset[int] = frozenset()
    # Coupons only: read from the locked row at checkout, enforced when the use is recorded.
    usage_limit: int | None = None
    per_customer_limit: int | None = None

    @property
    def is_restricted(self) -> bool:
        return bool(self.category_ids or self.product_ids)

    def matches(self, line: DiscountLine) -> bool:
        if not self.is_restricted:
            return True
        return line.product_id in self.product_ids or (
            line.category_id is not None and line.category_id in self.category_ids
        )


@dataclass(frozen=True)
class AppliedRule:
    rule: Rule
    amount: Decimal
    line_amounts: dict = field(default_factory=dict)

    @property
    def free_shipping(self) -> bool:
        return self.rule.kind == FREE_SHIPPING


@dataclass(frozen=True)
class DiscountOutcome:
    subtotal: Decimal
    discount: Decimal
    free_shipping: bool
    line_discounts: dict
    applied: tuple[AppliedRule, ...]
    coupon: AppliedRule | None = None

    @property
    def coupon_code(self) -> str:
        return self.coupon.rule.code if self.coupon else ""


def split_in_cents(total: Decimal, amounts: dict) -> dict:
    """Split `total` over `amounts` proportionally in whole cents, summing exactly to `total`."""
    base = sum(amounts.values(), ZERO)
    if total <= 0 or base <= 0:
        return dict.fromkeys(amounts, ZERO)
    shares, remainders = {}, []
    for index, (key, amount) in enumerate(amounts.items()):
        exact = total * amount / base
        floor = exact.quantize(CENT, rounding=ROUND_DOWN)
        shares[key] = floor
        remainders.append((exact - floor, -index, key))
    left_cents = int((total - sum(shares.values(), ZERO)) / CENT)
    # Only lines with a positive remainder get a cent, and floor < exact <= amount keeps them in bounds.
    for fraction, _, key in sorted(remainders, reverse=True)[:left_cents]:
        if fraction > 0:
            shares[key] += CENT
    return shares


def rule_apply(rule: Rule, remaining: dict, lines: Sequence[DiscountLine], subtotal: Decimal) -> AppliedRule | None:
    """The rule's discount on `remaining` (line key -> amount still payable), or None if it does not apply."""
    if rule.min_subtotal is not None and subtotal < rule.min_subtotal:
        return None
    eligible = {line.key: remaining[line.key] for line in lines if rule.matches(line)}
    if not eligible:
        return None
    if rule.kind == FREE_SHIPPING:
        return AppliedRule(rule=rule, amount=ZERO, line_amounts={})
    eligible_total = sum(eligible.values(), ZERO)
    raw = eligible_total * rule.value / HUNDRED if rule.kind == PERCENTAGE else rule.value
    if rule.max_discount is not None:
        raw = min(raw, rule.max_discount)
    amount = quantize_money(max(min(raw, eligible_total), ZERO))
    return AppliedRule(rule=rule, amount=amount, line_amounts=split_in_cents(amount, eligible))


def coupon_check_cart(coupon: Rule, lines: Sequence[DiscountLine], subtotal: Decimal) -> None:
    """Raise the reason a coupon cannot apply to these lines (minimum, nothing eligible)."""
    if coupon.min_subtotal is not None and subtotal < coupon.min_subtotal:
        raise errors.coupon_below_minimum(coupon.min_subtotal, subtotal)
    if not any(coupon.matches(line) for line in lines):
        raise errors.coupon_not_applicable()


def discounts_compute(
    *, lines: Sequence[DiscountLine], automatic: Sequence[Rule] = (), coupon: Rule | None = None
) -> DiscountOutcome:
    """Apply the best automatic promotion, automatic free shipping and the coupon, in that order."""
    subtotal = sum((line.amount for line in lines), ZERO)
    remaining = {line.key: line.amount for line in lines}
    applied: list[AppliedRule] = []

    money_offers = [
        result
        for rule in automatic
        if rule.kind != FREE_SHIPPING and (result := rule_apply(rule, remaining, lines, subtotal)) and result.amount > 0
    ]
    if money_offers:
        best = max(money_offers, key=lambda result: (result.amount, -result.rule.id))
        applied.append(best)
        for key, amount in best.line_amounts.items():
            remaining[key] -= amount
    shipping_offer = next(
        (
            result
            for rule in automatic
            if rule.kind == FREE_SHIPPING and (result := rule_apply(rule, remaining, lines, subtotal))
        ),
        None,
    )
    if shipping_offer:
        applied.append(shipping_offer)

    coupon_result = None
    if coupon is not None:
        coupon_check_cart(coupon, lines, subtotal)
        coupon_result = rule_apply(coupon, remaining, lines, subtotal)
        applied.append(coupon_result)

    line_discounts = {line.key: ZERO for line in lines}
    for result in applied:
        for key, amount in result.line_amounts.items():
            line_discounts[key] += amount
    return DiscountOutcome(
        subtotal=subtotal,
        discount=sum(line_discounts.values(), ZERO),
        free_shipping=any(result.free_shipping for result in applied),
        line_discounts=line_discounts,
        applied=tuple(applied),
        coupon=coupon_result,
    )
