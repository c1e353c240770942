"""Payment providers behind one small interface. Cash on delivery is the first one.

A provider says what payment status a new order starts with and what to tell the shopper. Online
gateways add `start` work (create a payment intent, return a redirect URL); calls to a remote service
belong after the order's transaction commits, never inside it.
"""

from dataclasses import dataclass

from commerce.core.errors import ApplicationError

from .models import Order


@dataclass(frozen=True)
class PaymentStart:
    status: str
    instructions: str = ""
    redirect_url: str = ""


class PaymentProvider:
    code: str = ""
    label: str = ""

    def start(self, *, order: Order) -> PaymentStart:
        raise NotImplementedError


class CashOnDelivery(PaymentProvider):
    code = "cod"
    label = "Cash on delivery"

    def start(self, *, order: Order) -> PaymentStart:
        return PaymentStart(
            status=Order.PaymentStatus.UNPAID,
            instructions=f"Pay {order.total} {order.currency} to the courier when your order arrives.",
        )


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


def payment_providers() -> list[PaymentProvider]:
    return list(_PROVIDERS.values())


payment_provider_register(CashOnDelivery())
