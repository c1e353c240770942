"""The per-process copy of shipping methods and tax rates: no queries while unchanged, fresh after an edit."""

from decimal import Decimal

import pytest
from django.core.cache import cache

from commerce.orders.checkout import shipping_method_by_code
from commerce.orders.models import ShippingMethod, TaxRate
from commerce.orders.pricing import PricingLine, price_compute, tax_rate_for_country
from commerce.orders.pricing_tables import VERSION_KEY, pricing_tables

pytestmark = pytest.mark.django_db

LINE = [PricingLine(key=1, unit_price=Decimal("10.00"), quantity=1)]


def test_pricing_tables_answer_without_queries_while_unchanged(standard, django_assert_num_queries):
    TaxRate.objects.create(name="US", country="US", rate=Decimal("0.1000"))
    pricing_tables()
    with django_assert_num_queries(0):
        assert shipping_method_by_code(code="standard").pk == standard.pk
        assert tax_rate_for_country(country="us").rate == Decimal("0.1000")


def test_pricing_tables_price_follows_an_edited_rate_and_method(standard):
    rate = TaxRate.objects.create(name="US", country="US", rate=Decimal("0.1000"))
    assert price_compute(lines=LINE, shipping_method=shipping_method_by_code(code="standard"), country="US").tax == \
        Decimal("1.50")
    rate.rate = Decimal("0.2000")
    rate.save()
    standard.price = Decimal("7.00")
    standard.save()
    prices = price_compute(lines=LINE, shipping_method=shipping_method_by_code(code="standard"), country="US")
    assert (prices.shipping, prices.tax) == (Decimal("7.00"), Decimal("3.40"))


def test_pricing_tables_deleted_method_and_deactivated_rate_are_gone(standard):
    rate = TaxRate.objects.create(name="US", country="US", rate=Decimal("0.1000"))
    pricing_tables()
    rate.is_active = False
    rate.save()
    ShippingMethod.objects.filter(pk=standard.pk).delete()  # a queryset delete still sends post_delete
    assert tax_rate_for_country(country="US") is None
    assert "standard" not in pricing_tables().methods_by_code


def test_pricing_tables_reload_when_another_process_bumps_the_version(standard):
    pricing_tables()
    # another worker's edit: the row changes and only the shared version tells this process
    ShippingMethod.objects.filter(pk=standard.pk).update(price=Decimal("9.00"))
    assert shipping_method_by_code(code="standard").price == Decimal("5.00")  # no signal, no bump: the copy
    cache.set(VERSION_KEY, "another-process-bumped-it", None)
    assert shipping_method_by_code(code="standard").price == Decimal("9.00")
