"""Shipping zones, methods and tax rates are managed in the Wagtail admin."""

from decimal import Decimal

import pytest

from commerce.accounts.models import User
from commerce.orders.models import ShippingMethod, ShippingZone, TaxRate

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(User.objects.create_superuser(email="boss@example.com", password="x"))
    return client


def test_shipping_admin_lists_methods_zones_and_rates(admin_client, standard):
    TaxRate.objects.create(name="Sales tax", country="US", rate=Decimal("0.0700"))
    assert "Standard" in admin_client.get("/admin/shipping/methods/").content.decode()
    assert "US" in admin_client.get("/admin/shipping/zones/").content.decode()
    assert "Sales tax" in admin_client.get("/admin/shipping/tax-rates/").content.decode()
    assert "Shipping methods" in admin_client.get("/admin/").content.decode()  # the menu group


def test_shipping_admin_creates_zone_normalising_country_codes(admin_client):
    response = admin_client.post("/admin/shipping/zones/add/", {"name": "Europe", "countries": "fr, de ,FR"})
    assert response.status_code == 302
    assert ShippingZone.objects.get().countries == "FR, DE"


def test_shipping_admin_rejects_bad_country_codes(admin_client):
    response = admin_client.post("/admin/shipping/zones/add/", {"name": "Bad", "countries": "France"})
    assert response.status_code == 200 and not ShippingZone.objects.exists()


def test_shipping_admin_creates_method_and_tax_rate(admin_client):
    zone = ShippingZone.objects.create(name="US", countries="US")
    response = admin_client.post("/admin/shipping/methods/add/", {
        "name": "Express", "code": "express", "zone": zone.pk, "price": "12.00", "free_over": "",
        "min_days": "1", "max_days": "2", "is_active": "on", "sort_order": "0",
    })
    assert response.status_code == 302, response.content.decode()[:500]
    assert ShippingMethod.objects.get().price == Decimal("12.00")
    response = admin_client.post("/admin/shipping/tax-rates/add/", {
        "name": "VAT", "country": "de", "rate": "0.1900", "prices_include_tax": "on", "applies_to_shipping": "on",
        "is_active": "on",
    })
    assert response.status_code == 302
    assert TaxRate.objects.get().country == "DE"


def test_shipping_admin_needs_permission(client, standard):
    client.force_login(User.objects.create_user(email="nobody@example.com", password="x", is_staff=True))
    assert client.get("/admin/shipping/methods/").status_code in (302, 403)


def test_price_check_admin_uses_price_compute(admin_client, standard):
    TaxRate.objects.create(name="VAT", country="US", rate=Decimal("0.2000"), prices_include_tax=True)
    page = admin_client.get("/admin/shipping/price-check/")
    assert page.status_code == 200 and "Price check" in page.content.decode()
    response = admin_client.post("/admin/shipping/price-check/", {
        "country": "us", "shipping_method": standard.pk, "unit_price": "30.00", "quantity": "2",
    })
    html = response.content.decode()
    # 60.00 + 5.00 shipping, VAT included: 65 * 0.2 / 1.2 = 10.83
    assert response.status_code == 200
    assert "$65.00" in html and "$10.83" in html and "included" in html
    response = admin_client.post("/admin/shipping/price-check/", {
        "country": "FR", "shipping_method": standard.pk, "unit_price": "30.00", "quantity": "1",
    })
    assert "does not ship to FR" in response.content.decode()


def test_price_check_admin_needs_shipping_permission(client):
    client.force_login(User.objects.create_user(email="plain@example.com", password="x", is_staff=True))
    assert client.get("/admin/shipping/price-check/").status_code in (302, 403)
