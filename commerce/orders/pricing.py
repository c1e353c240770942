"""The one pricing function: subtotal, discount, shipping, tax and total.

`price_compute` serves the cart preview, the checkout (API and site) and the admin, so a price shown is
the price charged. It is pure arithmetic over what the caller passes in, plus the tax rate lookup
(skipped when the caller passes `tax_rate`; a per-process copy, see pricing_tables.py).

Rules, in order:
1. line total = quantize(unit price x quantity); subtotal = sum of line totals (already quantized).
2. discount = quantized per-line amounts (each at most its line total) + quantized order-level amount,
   at most the subtotal. It comes from a `Discount` built by the promotions app (coupons); pricing
   only applies it.
3. shipping = the method's price, or 0 when the discount grants free shipping or the *discounted*
   subtotal reaches the method's `free_over`. The method must be active and its zone must cover the
   destination country (a method without a zone ships everywhere).
4. tax, from the active TaxRate of the country, else the default rate (empty country), else none.
   The taxable base is discounted subtotal (+ shipping when the rate applies to shipping).
   - prices include tax: tax = quantize(base x rate / (1 + rate)) is extracted, total unchanged;
   - prices exclude tax: tax = quantize(base x rate) is added to the total.
5. total = discounted subtotal + shipping (+ tax when exclusive).

Rounding: quantize_money (half up, cents) once per line total, once per discount amount and once for
the tax; sums of quantized amounts need no further rounding.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings

from commerce.core.errors import ApplicationError
from commerce.core.money import quantize_money

from .models import ShippingMethod, TaxRate
from .pricing_tables import pricing_tables

ZERO = Decimal("0.00")


class ShippingUnavailable(ApplicationError):
    code = "shipping_method_unavailable"


class ShippingAddressRequired(ApplicationError):
    """A price with shipping, or an order, asked for with no destination to ship to."""

    code = "shipping_address_required"


@dataclass(frozen=True)
class PricingLine:
    """One priced line as the caller knows it: a key (the variant id) with unit price and quantity."""

    key: int
    unit_price: Decimal
    quantity: int


@dataclass(frozen=True)
class Discount:
    """The seam for coupons and promotions: what to take off, decided elsewhere.

    `line_amounts` maps a PricingLine key to the amount off that line; `order_amount` is taken off the
    order as a whole; `free_shipping` waives the shipping price. Amounts are positive.
    """

    code: str = ""
    line_amounts: Mapping[int, Decimal] = field(default_factory=dict)
    order_amount: Decimal = ZERO
    free_shipping: bool = False


@dataclass(frozen=True)
class PricedLine:
    key: int
    unit_price: Decimal
    quantity: int
    line_total: Decimal
    discount: Decimal


@dataclass(frozen=True)
class PriceBreakdown:
    lines: tuple[PricedLine, ...]
    subtotal: Decimal
    discount: Decimal
    shipping: Decimal
    tax: Decimal
    total: Decimal
    prices_include_tax: bool
    currency: str
    coupon_code: str = ""
    free_shipping_applied: bool = False


def tax_rate_for_country(*, country: str) -> TaxRate | None:
    """The active rate of `country`, else the active default rate (empty country), else None.

    Read from the per-process copy of the rates (pricing_tables.py): no query while nothing changed.
    """
    return pricing_tables().tax_rate_for(country)


def shipping_method_check(*, shipping_method: ShippingMethod, country: str) -> None:
    """Refuse an inactive method or one whose zone does not cover `country` (400), and a method with
    no destination at all (400 shipping_address_required: there is nothing to check the zone against)."""
    if not country.strip():
        raise ShippingAddressRequired(
            "A shipping address (or its country) is required to price shipping.",
            details={"shipping_address": ["required"]},
        )
    if not shipping_method.is_active:
        raise ShippingUnavailable(f"The shipping method {shipping_method.name!r} is not available.")
    zone = shipping_method.zone
    if zone is not None and not country:
        raise ShippingAddressRequired(
            "A destination is required to price shipping: send a country or a shipping address.",
            details={"shipping_address": ["required"]},
        )
    if zone is not None and not zone.covers(country):
        raise ShippingUnavailable(
            f"{shipping_method.name} does not ship to {country.upper()}.", details={"country": country.upper()}
        )


def shipping_methods_available(*, country: str) -> list[ShippingMethod]:
    """Active methods that ship to `country` (all active methods when no country is given)."""
    methods = ShippingMethod.objects.filter(is_active=True).select_related("zone").order_by("sort_order", "price", "pk")
    return [m for m in methods if not country or m.zone is None or m.zone.covers(country)]


_UNSET = object()


def price_compute(
    *,
    lines: Sequence[PricingLine],
    shipping_method: ShippingMethod | None,
    country: str,
    discount: Discount | None = None,
    tax_rate: TaxRate | None | object = _UNSET,
) -> PriceBreakdown:
    """Price `lines` shipped by `shipping_method` to `country` (see the module docstring for the rules).

    `shipping_method` may be None for a preview before the shopper picks one (shipping is then 0).
    Raises ShippingUnavailable when the method cannot ship to the country.
    """
    discount = discount or Discount()
    priced = []
    for line in lines:
        line_total = quantize_money(line.unit_price * line.quantity)
        line_discount = min(quantize_money(discount.line_amounts.get(line.key, ZERO)), line_total)
        priced.append(PricedLine(line.key, line.unit_price, line.quantity, line_total, max(line_discount, ZERO)))
    subtotal = sum((p.line_total for p in priced), ZERO)
    discount_total = sum((p.discount for p in priced), ZERO) + max(quantize_money(discount.order_amount), ZERO)
    discount_total = min(discount_total, subtotal)
    discounted = subtotal - discount_total

    shipping = ZERO
    free_shipping = False
    if shipping_method is not None:
        shipping_method_check(shipping_method=shipping_method, country=country)
        free_over = shipping_method.free_over
        free_shipping = discount.free_shipping or (free_over is not None and discounted >= free_over)
        shipping = ZERO if free_shipping or not priced else shipping_method.price

    rate = tax_rate_for_country(country=country) if tax_rate is _UNSET else tax_rate
    tax = ZERO
    include = bool(rate and rate.prices_include_tax)
    if rate is not None and rate.rate:
        base = discounted + (shipping if rate.applies_to_shipping else ZERO)
        tax = quantize_money(base * rate.rate / (1 + rate.rate) if include else base * rate.rate)
    total = discounted + shipping + (ZERO if include else tax)

    return PriceBreakdown(
        lines=tuple(priced),
        subtotal=subtotal,
        discount=discount_total,
        shipping=shipping,
        tax=tax,
        total=total,
        prices_include_tax=include,
        currency=settings.SHOP_CURRENCY,
        coupon_code=discount.code,
        free_shipping_applied=bool(shipping_method is not None and priced and free_shipping),
    )
