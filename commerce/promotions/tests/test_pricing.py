"""Property tests of the discount arithmetic (no database): bounds, exact cents, one rounding."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from commerce.core.money import quantize_money
from commerce.promotions.pricing import (
    FIXED,
    FREE_SHIPPING,
    PERCENTAGE,
    DiscountLine,
    Rule,
    discounts_compute,
    split_in_cents,
)

CENTS = Decimal("0.01")
money = st.decimals(min_value=Decimal("0.00"), max_value=Decimal("5000.00"), places=2)
maybe_money = st.none() | st.decimals(min_value=Decimal("0.00"), max_value=Decimal("500.00"), places=2)


@st.composite
def lines_strategy(draw):
    count = draw(st.integers(min_value=1, max_value=6))
    return [
        DiscountLine(
            key=i,
            product_id=draw(st.integers(min_value=1, max_value=4)),
            category_id=draw(st.sampled_from([None, 10, 11, 12])),
            amount=draw(money),
        )
        for i in range(count)
    ]


@st.composite
def rule_strategy(draw, rule_id=1, code=""):
    kind = draw(st.sampled_from([PERCENTAGE, FIXED, FREE_SHIPPING]))
    value = (
        draw(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("100.00"), places=2))
        if kind == PERCENTAGE
        else draw(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9000.00"), places=2))
    )
    return Rule(
        id=rule_id,
        name=f"rule {rule_id}",
        kind=kind,
        value=value,
        code=code,
        max_discount=draw(maybe_money),
        category_ids=frozenset(draw(st.sets(st.sampled_from([10, 11]), max_size=1))),
        product_ids=frozenset(draw(st.sets(st.integers(min_value=1, max_value=4), max_size=2))),
    )


@settings(max_examples=200, deadline=None)
@given(
    lines=lines_strategy(),
    automatic=st.lists(st.integers(min_value=1, max_value=3), max_size=3).flatmap(
        lambda ids: st.tuples(*[rule_strategy(rule_id=i) for i in ids])
    ),
    coupon=st.none() | rule_strategy(rule_id=99, code="SAVE"),
)
def test_discounts_compute_never_exceeds_subtotal_and_adds_up(lines, automatic, coupon):
    eligible_coupon = coupon if coupon is None or any(coupon.matches(line) for line in lines) else None
    outcome = discounts_compute(lines=lines, automatic=automatic, coupon=eligible_coupon)

    assert Decimal("0") <= outcome.discount <= outcome.subtotal
    assert outcome.subtotal - outcome.discount >= 0
    # Exact cents everywhere: nothing left to round further down the line.
    assert outcome.discount == outcome.discount.quantize(CENTS)
    for line in lines:
        line_discount = outcome.line_discounts[line.key]
        assert Decimal("0") <= line_discount <= line.amount
        assert line_discount == line_discount.quantize(CENTS)
    assert sum(outcome.line_discounts.values(), Decimal("0")) == outcome.discount
    assert sum((applied.amount for applied in outcome.applied), Decimal("0")) == outcome.discount
    # At most one automatic money discount applies (they do not stack with each other).
    assert sum(1 for a in outcome.applied if not a.rule.code and a.rule.kind != FREE_SHIPPING) <= 1


@settings(max_examples=200, deadline=None)
@given(
    amounts=st.lists(money, min_size=1, max_size=8),
    percent=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("100"), places=2),
)
def test_discounts_compute_percentage_rounds_once_on_the_total(amounts, percent):
    lines = [DiscountLine(key=i, product_id=1, category_id=None, amount=a) for i, a in enumerate(amounts)]
    rule = Rule(id=1, name="pct", kind=PERCENTAGE, value=percent, code="PCT")

    outcome = discounts_compute(lines=lines, coupon=rule)

    subtotal = sum(amounts, Decimal("0"))
    # One quantize on the total, not a sum of per-line roundings.
    assert outcome.discount == quantize_money(subtotal * percent / 100)


@settings(max_examples=100, deadline=None)
@given(total=money, amounts=st.lists(money, min_size=1, max_size=8))
def test_split_in_cents_is_exact_and_bounded(total, amounts):
    weights = dict(enumerate(amounts))
    total = min(total, sum(amounts, Decimal("0")))

    shares = split_in_cents(total, weights)

    if sum(amounts, Decimal("0")) > 0:
        assert sum(shares.values(), Decimal("0")) == total
    for key, share in shares.items():
        assert Decimal("0") <= share <= weights[key]


def test_discounts_compute_best_automatic_then_coupon_on_the_rest():
    lines = [
        DiscountLine(key="a", product_id=1, category_id=10, amount=Decimal("100.00")),
        DiscountLine(key="b", product_id=2, category_id=11, amount=Decimal("50.00")),
    ]
    small = Rule(id=1, name="5 off", kind=FIXED, value=Decimal("5.00"))
    big = Rule(id=2, name="20% shoes", kind=PERCENTAGE, value=Decimal("20"), category_ids=frozenset({10}))
    coupon = Rule(id=3, name="10%", kind=PERCENTAGE, value=Decimal("10"), code="TEN")

    outcome = discounts_compute(lines=lines, automatic=[small, big], coupon=coupon)

    # 20% of 100 = 20 wins over 5; the coupon takes 10% of what is left: (80 + 50) * 10% = 13
    assert [a.rule.name for a in outcome.applied] == ["20% shoes", "10%"]
    assert outcome.discount == Decimal("33.00")
    assert outcome.line_discounts == {"a": Decimal("28.00"), "b": Decimal("5.00")}


def test_discounts_compute_caps_by_max_discount_and_eligible_amount():
    lines = [DiscountLine(key=1, product_id=1, category_id=None, amount=Decimal("30.00"))]
    capped = Rule(id=1, name="50%", kind=PERCENTAGE, value=Decimal("50"), max_discount=Decimal("10.00"), code="C")
    huge = Rule(id=2, name="fixed", kind=FIXED, value=Decimal("500.00"), code="F")

    assert discounts_compute(lines=lines, coupon=capped).discount == Decimal("10.00")
    assert discounts_compute(lines=lines, coupon=huge).discount == Decimal("30.00")


def test_discounts_compute_free_shipping_over_threshold():
    lines = [DiscountLine(key=1, product_id=1, category_id=None, amount=Decimal("40.00"))]
    over_50 = Rule(
        id=1, name="Free shipping over 50", kind=FREE_SHIPPING, value=Decimal("0"), min_subtotal=Decimal("50")
    )

    assert discounts_compute(lines=lines, automatic=[over_50]).free_shipping is False
    lines.append(DiscountLine(key=2, product_id=2, category_id=None, amount=Decimal("10.00")))
    outcome = discounts_compute(lines=lines, automatic=[over_50])
    assert outcome.free_shipping is True
    assert outcome.discount == Decimal("0.00")
