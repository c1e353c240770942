"""Payment providers behind one small interface. Cash on delivery is the first one.

A provider implements two methods:

- `start(order=...) -> PaymentStart`: what payment status a new order starts with and what to tell
  the shopper. Online gateways do their `start` work here (create a payment intent, return a
  redirect URL); calls to a remote service belong after the order's transaction commits.
- `refund(order=..., amount=..., idempotency_key=...) -> RefundResult`: give `amount` (a Decimal in
  the order's currency, > 0, already checked against what is left to refund) back to the payer.
  It is called by `commerce.orders.refunds.order_refund` inside the refund's transaction while the
  order row is locked, so two refunds of one order never reach the gateway at once. A gateway must
  send `idempotency_key` (the credit note number) with its request, so a retry after a timeout
  cannot refund twice, and raise `PaymentDeclined` when the gateway refuses: the refund then rolls
  back and nothing is recorded. `RefundResult.manual` says the money goes back by hand (cash).

A card provider registers itself with `payment_provider_register(MyCardProvider())`; the tests show
one (`commerce/orders/tests/test_refunds.py`).
"""

from dataclasses import dataclass
from decimal import Decimal

from commerce.core.errors import ApplicationError

from .models import Order


@dataclass(frozen=True)
class PaymentStart:
    status: str
    instructions: str = ""
    redirect_url: str = ""


@dataclass(frozen=True)
class RefundResult:
    reference: str = ""  # the gateway's id of the refund, shown on the order page
    manual: bool = False  # nothing was sent to a gateway: staff pay the money back by hand


class PaymentDeclined(ApplicationError):
    http_status = 402
    code = "refund_declined"


class PaymentProvider:
    code: str = ""
    label: str = ""

    def start(self, *, order: Order) -> PaymentStart:
        raise NotImplementedError

    def refund(self, *, order: Order, amount: Decimal, idempotency_key: str) -> RefundResult:
        raise NotImplementedError


class CashOnDelivery(PaymentProvider):
    code = "cod"
    label = "Cash on delivery"

    def start(self, *, order: Order) -> PaymentStart:
        return PaymentStart(
            status=Order.PaymentStatus.UNPAID,
            instructions=f"Pay {order.total} {order.currency} to the courier when your order arrives.",
        )

    def refund(self, *, order: Order, amount: Decimal, idempotency_key: str) -> RefundResult:
        # Cash was handed to a courier: there is no gateway to call. The refund is recorded as
        # manual, and staff pay it back (bank transfer, cash at the counter) outside the shop.
        return RefundResult(reference=f"manual:{idempotency_key}", manual=True)


_PROVIDERS: dict[str, PaymentProvider] = {}


def payment_provider_register(provider: PaymentProvider) -> None:
    _PROVIDERS[provider.code] = provider


def payment_provider_get(*, code: str) -> PaymentProvider:
    provider = _PROVIDERS.get(code)
    if provider is None:
        raise ApplicationError(
            f"Unknown payment method {code!r}.",
            code="payment_method_unknown",
            details={"available": sorted(_PROVIDERS)},
        )
    return provider


def payment_provider_label(*, code: str) -> str:
    """The human name of a payment method ("Cash on delivery"), the code itself if unknown."""
    provider = _PROVIDERS.get(code)
    return provider.label if provider else code


def payment_providers() -> list[PaymentProvider]:
    return list(_PROVIDERS.values())


payment_provider_register(CashOnDelivery())
