from decimal import Decimal as D

import pytest

from commerce.orders.models import ShippingMethod, ShippingZone, TaxRate
from commerce.orders.pricing import Discount, PricingLine, ShippingUnavailable, price_compute

pytestmark = pytest.mark.django_db


@pytest.fixture
def standard():
    zone = ShippingZone.objects.create(name="North America", countries="US, CA")
    return ShippingMethod.objects.create(name="Standard", code="standard", zone=zone, price=D("5.00"), free_over=D("100.00"))


def lines(*pairs):
    return [PricingLine(key=i, unit_price=D(price), quantity=qty) for i, (price, qty) in enumerate(pairs, 1)]


def test_price_compute_subtotal_shipping_total_without_tax(standard):
    result = price_compute(lines=lines(("19.99", 2), ("5.00", 1)), shipping_method=standard, country="US")
    assert result.subtotal == D("44.98")
    assert result.shipping == D("5.00")
    assert result.tax == D("0.00")
    assert result.total == D("49.98")
    assert [line.line_total for line in result.lines] == [D("39.98"), D("5.00")]


def test_price_compute_free_shipping_at_threshold(standard):
    result = price_compute(lines=lines(("50.00", 2)), shipping_method=standard, country="US")
    assert result.shipping == D("0.00") and result.free_shipping_applied
    assert result.total == D("100.00")


def test_price_compute_threshold_uses_discounted_subtotal(standard):
    result = price_compute(
        lines=lines(("50.00", 2)), shipping_method=standard, country="US", discount=Discount(order_amount=D("10"))
    )
    assert result.discount == D("10.00")
    assert result.shipping == D("5.00")
    assert result.total == D("95.00")


def test_price_compute_discount_never_exceeds_subtotal(standard):
    result = price_compute(
        lines=lines(("8.00", 1)), shipping_method=standard, country="US",
        discount=Discount(code="BIG", line_amounts={1: D("3.333")}, order_amount=D("50")),
    )
    assert result.discount == D("8.00")
    assert result.lines[0].discount == D("3.33")
    assert result.total == D("5.00")
    assert result.coupon_code == "BIG"


def test_price_compute_free_shipping_discount(standard):
    result = price_compute(
        lines=lines(("10.00", 1)), shipping_method=standard, country="US", discount=Discount(free_shipping=True)
    )
    assert result.shipping == D("0.00") and result.total == D("10.00")


def test_price_compute_exclusive_tax_added_on_goods_and_shipping(standard):
    TaxRate.objects.create(name="US", country="US", rate=D("0.0825"))
    result = price_compute(lines=lines(("10.00", 3)), shipping_method=standard, country="us")
    # (30.00 + 5.00) * 0.0825 = 2.8875 -> 2.89
    assert result.tax == D("2.89")
    assert result.total == D("37.89")
    assert not result.prices_include_tax


def test_price_compute_inclusive_tax_extracted_total_unchanged(standard):
    TaxRate.objects.create(name="VAT", country="", rate=D("0.2000"), prices_include_tax=True, applies_to_shipping=False)
    result = price_compute(lines=lines(("12.00", 1)), shipping_method=standard, country="CA")
    # 12.00 * 0.2 / 1.2 = 2.00
    assert result.tax == D("2.00")
    assert result.total == D("17.00")
    assert result.prices_include_tax


def test_price_compute_country_rate_wins_over_default(standard):
    TaxRate.objects.create(name="Default", country="", rate=D("0.1000"))
    TaxRate.objects.create(name="Canada", country="CA", rate=D("0.0500"), applies_to_shipping=False)
    TaxRate.objects.create(name="Old", country="CA", rate=D("0.5000"), is_active=False)
    result = price_compute(lines=lines(("20.00", 1)), shipping_method=standard, country="CA")
    assert result.tax == D("1.00")


def test_price_compute_zone_must_cover_country(standard):
    with pytest.raises(ShippingUnavailable) as exc:
        price_compute(lines=lines(("10.00", 1)), shipping_method=standard, country="FR")
    assert exc.value.http_status == 400


def test_price_compute_inactive_method_refused(standard):
    standard.is_active = False
    with pytest.raises(ShippingUnavailable):
        price_compute(lines=lines(("10.00", 1)), shipping_method=standard, country="US")


def test_price_compute_method_without_zone_ships_everywhere():
    method = ShippingMethod.objects.create(name="World", code="world", price=D("20.00"))
    assert price_compute(lines=lines(("1.00", 1)), shipping_method=method, country="JP").total == D("21.00")


def test_price_compute_without_method_previews_goods_only():
    result = price_compute(lines=lines(("1.10", 3)), shipping_method=None, country="US")
    assert result.shipping == D("0.00") and result.total == D("3.30")
