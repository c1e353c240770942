"""A small live shop for the contract tests: what the fuzzer and the generated client talk to.

The server is pytest-django's `live_server` (a real HTTP server in a thread of the test process) on the
test database, so the rows made here are what it serves. Throttle rates are raised for these tests:
the contract of a 429 is documented and checked elsewhere, and a fuzzer throttled after ten requests
would test nothing but the throttle.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from rest_framework_simplejwt.tokens import RefreshToken

from commerce.accounts.models import Address, User
from commerce.cart.models import Cart, CartLine
from commerce.catalog.tests.factories import CategoryFactory, ProductFactory, ProductVariantFactory
from commerce.orders.models import ShippingMethod, ShippingZone
from commerce.orders.tests.factories import order_with_lines
from commerce.promotions.tests.factories import CouponFactory

CUSTOMER_EMAIL = "fuzz.customer@example.com"
CUSTOMER_PASSWORD = "contract-Pw-4821"
GUEST_PHONE = "+12025550143"


@dataclass
class ContractShop:
    product_slug: str
    sku: str
    coupon_code: str
    customer: User
    customer_jwt: str
    order_number: str


@pytest.fixture
def unthrottled(settings):
    rates = dict(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"])
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": dict.fromkeys(rates, "100000/min"),
    }


@pytest.fixture
def contract_shop(transactional_db, unthrottled) -> ContractShop:
    tops = CategoryFactory(name="Tops", slug="tops")
    tee = ProductFactory(name="Contract Tee", slug="contract-tee", category=tops, base_price=Decimal("20.00"))
    variant = ProductVariantFactory(product=tee, sku="TEE-M", stock_on_hand=10_000, price=Decimal("25.00"))
    for n in range(3):  # a second page at page_size=2
        ProductVariantFactory(
            product=ProductFactory(name=f"Other {n}", slug=f"other-{n}", category=tops), stock_on_hand=50
        )
    zone = ShippingZone.objects.create(name="US", countries="US")
    ShippingMethod.objects.create(
        name="Standard", code="standard", zone=zone, price=Decimal("5.00"), free_over=Decimal("100.00")
    )
    coupon = CouponFactory(code="SAVE10")

    customer = User.objects.create_user(email=CUSTOMER_EMAIL, password=CUSTOMER_PASSWORD)
    Address.objects.create(
        user=customer, full_name="Cara Customer", phone="+12025550188", line1="2 Elm Street", city="Boston",
        postal_code="02108", country="US",
    )
    cart = Cart.objects.create(user=customer)
    CartLine.objects.create(cart=cart, variant=variant, quantity=1)
    order = order_with_lines(user=customer, email=CUSTOMER_EMAIL)
    access = RefreshToken.for_user(customer).access_token
    access.set_exp(lifetime=timedelta(hours=1))  # outlives the fuzzer's run
    return ContractShop(
        product_slug=tee.slug, sku=variant.sku, coupon_code=coupon.code, customer=customer,
        customer_jwt=str(access), order_number=order.number,
    )
