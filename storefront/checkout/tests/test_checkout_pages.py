"""The site's checkout and confirmation pages."""

from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client

from commerce.accounts.models import Address, User
from commerce.cart.models import Cart
from commerce.orders.models import Order

pytestmark = pytest.mark.django_db

GUEST_FORM = {
    "email": "guest@example.com", "phone": "+12025550143", "full_name": "Gus Guest", "line1": "1 Main Street",
    "city": "Springfield", "postal_code": "12345", "country": "us", "shipping_method": "standard",
    "payment_method": "cod", "action": "place",
}


@pytest.fixture
def filled_client(client, standard, variant):
    client.post("/cart/add/", {"sku": variant.sku, "quantity": 2})
    return client


def test_checkout_page_empty_cart_redirects_to_cart(client, standard):
    response = client.get("/checkout/")
    assert response.status_code == 302 and response["Location"] == "/cart/"


def test_checkout_page_shows_summary_from_pricing(filled_client):
    html = filled_client.get("/checkout/").content.decode()
    assert "Order summary" in html
    assert "$25.00" in html and "$30.00" in html  # subtotal and total with $5 shipping to the US


def test_checkout_page_guest_places_order_and_sees_confirmation(filled_client, variant,
                                                               django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = filled_client.post("/checkout/", GUEST_FORM)
    order = Order.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/checkout/confirmation/{order.number}/"
    page = filled_client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert order.number in html and "Cash on delivery" in html and "$30.00" in html
    assert order.total == Decimal("30.00") and order.ship_country == "US"
    assert Cart.objects.get().status == Cart.Status.CONVERTED
    assert len(mail.outbox) == 1
    # the cart is empty afterwards
    assert "Your cart is empty" in filled_client.get("/cart/").content.decode()


def test_checkout_page_missing_fields_show_form_errors_and_write_nothing(filled_client):
    response = filled_client.post("/checkout/", {**GUEST_FORM, "phone": "123", "line1": ""})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not Order.objects.exists()


def test_checkout_page_stock_error_is_a_form_error(filled_client, variant):
    variant.stock_on_hand = 1
    variant.save()
    response = filled_client.post("/checkout/", GUEST_FORM)
    assert response.status_code == 200
    assert "Not enough stock" in response.content.decode()
    assert not Order.objects.exists()


def test_checkout_page_update_summary_does_not_place(filled_client):
    response = filled_client.post("/checkout/", {**GUEST_FORM, "action": "update"})
    assert response.status_code == 200 and not Order.objects.exists()


def test_checkout_page_customer_uses_saved_address(client, standard, variant):
    user = User.objects.create_user(email="cara@example.com", password="x")
    address = Address.objects.create(user=user, full_name="Cara", phone="+12025550188", line1="2 Elm",
                                     city="Boston", country="US", is_default=True)
    client.force_login(user)
    client.post("/cart/add/", {"sku": variant.sku, "quantity": 1})
    page = client.get("/checkout/").content.decode()
    assert "2 Elm" in page
    response = client.post("/checkout/", {"saved_address": str(address.pk), "email": "cara@example.com",
                                          "shipping_method": "standard", "payment_method": "cod",
                                          "action": "place"})
    assert response.status_code == 302, response.content.decode()[:2000]
    order = Order.objects.get()
    assert order.user == user and order.ship_city == "Boston" and str(order.phone) == "+12025550188"


def test_checkout_confirmation_hidden_from_other_sessions(filled_client, customer):
    filled_client.post("/checkout/", GUEST_FORM)
    url = f"/checkout/confirmation/{Order.objects.get().number}/"
    assert Client().get(url).status_code == 404
    other = Client()
    other.force_login(customer)
    assert other.get(url).status_code == 404
    assert Client().get("/checkout/confirmation/CW-NOPE2345/").status_code == 404


def test_checkout_confirmation_visible_to_owner_from_another_session(client, standard, variant, customer):
    client.force_login(customer)
    client.post("/cart/add/", {"sku": variant.sku, "quantity": 1})
    client.post("/checkout/", {**GUEST_FORM, "email": customer.email})
    order = Order.objects.get(user=customer)
    elsewhere = Client()
    elsewhere.force_login(customer)
    assert elsewhere.get(f"/checkout/confirmation/{order.number}/").status_code == 200


def test_checkout_country_is_an_iso_select_and_address_fields_have_autocomplete(filled_client):
    html = filled_client.get("/checkout/").content.decode()
    assert '<select name="country"' in html and '<option value="FR">France</option>' in html
    for token in ('autocomplete="email"', 'autocomplete="tel"', 'autocomplete="shipping name"',
                  'autocomplete="shipping address-line1"', 'autocomplete="shipping postal-code"',
                  'autocomplete="shipping country"'):
        assert token in html


def test_checkout_offers_only_methods_that_ship_to_the_country_and_never_swaps_silently(filled_client):
    from commerce.orders.models import ShippingMethod, ShippingZone

    europe = ShippingZone.objects.create(name="Europe", countries="FR,DE")
    ShippingMethod.objects.create(code="eu", name="Europe post", zone=europe, price=Decimal("9.00"),
                                  min_days=3, max_days=6, is_active=True)
    us_page = filled_client.get("/checkout/").content.decode()
    assert "Europe post" not in us_page and "$5.00" in us_page  # prices carry the currency
    update = filled_client.post("/checkout/", {**GUEST_FORM, "country": "FR", "action": "update"})
    html = update.content.decode()
    assert "Europe post — $9.00" in html and 'value="standard"' not in html
    placed = filled_client.post("/checkout/", {**GUEST_FORM, "country": "FR"})
    assert placed.status_code == 200 and not Order.objects.exists()
    assert "does not ship to this country" in placed.content.decode()


def test_checkout_error_summary_links_to_fields_described_by_their_errors(filled_client):
    html = filled_client.post("/checkout/", {**GUEST_FORM, "email": "nope", "line1": ""}).content.decode()
    assert 'class="error-summary" role="alert"' in html
    assert 'href="#id_email"' in html and 'href="#id_line1"' in html
    assert 'aria-describedby="id_email-error"' in html and 'id="id_email-error"' in html
    assert 'aria-invalid="true"' in html
