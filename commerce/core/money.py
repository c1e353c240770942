"""Money helpers. Amounts are Decimal with two places; rounding happens only through quantize_money."""

from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_currency
from django.conf import settings

CENT = Decimal("0.01")


def quantize_money(amount: Decimal | int | str) -> Decimal:
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def format_money(amount: Decimal, *, currency: str | None = None, locale: str | None = None) -> str:
    return format_currency(
        amount, currency or settings.SHOP_CURRENCY, locale=locale or settings.SHOP_LOCALE
    )
