"""Money helpers. Amounts are Decimal with two places; rounding happens only through quantize_money."""

from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from babel.numbers import format_currency
from django.conf import settings

CENT = Decimal("0.01")


def quantize_money(amount: Decimal | int | str) -> Decimal:
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def format_money(amount: Decimal, *, currency: str | None = None, locale: str | None = None) -> str:
    return _format(amount, currency or settings.SHOP_CURRENCY, locale or settings.SHOP_LOCALE)


# Babel parses the locale's pattern on every call (~50 us); an order email formats six to ten amounts
# inside the checkout transaction, and a shop's prices repeat. Equal Decimals (1.0, 1.00) format alike.
@lru_cache(maxsize=4096)
def _format(amount: Decimal, currency: str, locale: str) -> str:
    return format_currency(amount, currency, locale=locale)
