"""The cart pages of the rendered site, without JavaScript."""

from decimal import Decimal

import pytest
from django.test import Client

from commerce.cart.models import Cart, CartLine
from commerce.cart.tasks import carts_purge_stale
from commerce.catalog.tests.factories import ProductVariantFactory

pytestmark = pytest.mark.django_db


def test_cart_add_creates_session_cart_and_redirects_back_with_message(client, variant):
    product_url = f"/shop/product/{variant.product.slug}/"
    response = client.post("/cart/add/", {"sku": variant.sku, "quantity": 2}, HTTP_REFERER=product_url)
    assert response.status_code == 302 and response["Location"] == product_url
    cart = Cart.objects.get()
    assert client.session["cart_token"] == str(cart.token)
    page = client.get("/cart/")
    assert page.status_code == 200
    assert "Added 2 × TEE-M-RED" in page.content.decode()
    html = page.content.decode()
    assert variant.sku in html and "$30.00" in html
    assert cart.lines.get().quantity == 2


def test_cart_add_beyond_stock_shows_message_and_adds_nothing(client, variant):
    response = client.post("/cart/add/", {"sku": variant.sku, "quantity": 9}, follow=True)
    assert "Only 5 of TEE-M-RED available" in response.content.decode()
    assert not CartLine.objects.exists()


def test_cart_add_ignores_foreign_redirect_target(client, variant):
    response = client.post("/cart/add/", {"sku": variant.sku, "quantity": 1, "next": "https://evil.example/"})
    assert response["Location"] == "/cart/"


def test_cart_page_updates_and_removes_lines(client, variant):
    client.post("/cart/add/", {"sku": variant.sku, "quantity": 1})
    line = CartLine.objects.get()
    client.post(f"/cart/lines/{line.pk}/", {"quantity": 3})
    line.refresh_from_db()
    assert line.quantity == 3
    response = client.post(f"/cart/lines/{line.pk}/", {"quantity": 8}, follow=True)
    assert "Only 5" in response.content.decode()
    client.post(f"/cart/lines/{line.pk}/remove/")
    assert not CartLine.objects.exists()
    assert "Your cart is empty" in client.get("/cart/").content.decode()


def test_cart_page_cannot_touch_another_sessions_line(client, variant):
    client.post("/cart/add/", {"sku": variant.sku, "quantity": 1})
    line = CartLine.objects.get()
    stranger = Client()
    stranger.post(f"/cart/lines/{line.pk}/", {"quantity": 4})
    stranger.post(f"/cart/lines/{line.pk}/remove/")
    line.refresh_from_db()
    assert line.quantity == 1


def test_cart_site_login_merges_session_cart(client, customer, variant):
    client.post("/cart/add/", {"sku": variant.sku, "quantity": 2})
    client.force_login(customer)  # fires user_logged_in like the login form does
    cart = Cart.objects.get(user=customer, status=Cart.Status.OPEN)
    assert cart.lines.get().quantity == 2
    assert "cart_token" not in client.session
    assert variant.sku in client.get("/cart/").content.decode()


def test_carts_purge_stale_deletes_old_anonymous_and_closed_carts_only(customer, settings):
    from datetime import timedelta

    from django.utils import timezone

    old = timezone.now() - timedelta(days=settings.SHOP_STALE_CART_DAYS + 1)
    stale_anonymous = Cart.objects.create()
    stale_customer_open = Cart.objects.create(user=customer)
    stale_converted = Cart.objects.create(user=customer, status=Cart.Status.CONVERTED)
    fresh_anonymous = Cart.objects.create()
    CartLine.objects.create(cart=stale_anonymous, variant=ProductVariantFactory(), quantity=1)
    Cart.objects.filter(pk__in=[stale_anonymous.pk, stale_customer_open.pk, stale_converted.pk]).update(updated_at=old)

    assert carts_purge_stale.delay().get() == 2

    assert set(Cart.objects.values_list("pk", flat=True)) == {stale_customer_open.pk, fresh_anonymous.pk}
    assert not CartLine.objects.exists()


def test_cart_page_checkout_is_primary_and_line_controls_name_their_product(client, variant):
    from commerce.orders.models import ShippingMethod

    ShippingMethod.objects.create(name="Standard", code="standard", price=Decimal("5.00"), free_over=Decimal("100.00"))
    client.post("/cart/add/", {"sku": variant.sku, "quantity": 1})
    html = client.get("/cart/").content.decode()
    name = variant.product.name
    assert 'class="button button-primary button-large checkout-button"' in html and ">Check out<" in html
    assert f'Update<span class="visually-hidden"> quantity of {name}</span>' in html
    assert f'Remove<span class="visually-hidden"> {name}</span>' in html
    assert "more for free shipping" in html and "<progress" in html
    assert 'class="cart-count">1<' in html  # the header's cart count
