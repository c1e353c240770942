from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from commerce.cart.models import Cart
from commerce.catalog.tests.factories import ProductVariantFactory
from commerce.marketing.models import CartReminder, CartReminderOptOut
from commerce.marketing.services import abandoned_carts_remind, cart_contact_remember
from commerce.orders.checkout import order_place
from commerce.orders.tests.conftest import cart_with, guest_address

pytestmark = pytest.mark.django_db


def idle(cart, hours=5):
    Cart.objects.filter(pk=cart.pk).update(updated_at=timezone.now() - timedelta(hours=hours))


@pytest.fixture
def variant(db):
    return ProductVariantFactory(stock_on_hand=10, price=Decimal("12.00"), product__live=True)


def test_idle_guest_cart_with_an_email_gets_one_reminder_that_restores_it(variant, client, mailoutbox, commit):
    cart = cart_with((variant, 2))
    cart_contact_remember(cart=cart, email="gus@example.com")
    idle(cart)
    with commit():
        assert abandoned_carts_remind() == 1
        assert abandoned_carts_remind() == 0  # one reminder only
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["gus@example.com"]
    body = mailoutbox[0].body
    restore = next(w for w in body.split() if "/cart/restore/" in w)
    response = client.get(restore.replace("http://testserver", ""), follow=True)
    assert response.status_code == 200 and variant.product.name.encode() in response.content
    assert client.session["cart_token"] == str(cart.token)


def test_a_cart_that_became_an_order_is_never_reminded(variant, standard, mailoutbox, commit):
    cart = cart_with((variant, 1))
    cart_contact_remember(cart=cart, email="gus@example.com")
    order_place(cart=cart, shipping_method_code="standard", email="gus@example.com", phone="+12025550143",
                address=guest_address())
    idle(cart, hours=10)
    with commit():
        assert abandoned_carts_remind() == 0
    assert not any(m.subject == "You left something in your cart" for m in mailoutbox)
    assert not CartReminder.objects.exists()


def test_fresh_carts_unknown_emails_and_empty_carts_wait(variant, commit, mailoutbox):
    fresh = cart_with((variant, 1))
    cart_contact_remember(cart=fresh, email="fresh@example.com")  # not idle yet
    anonymous = cart_with((variant, 1))
    idle(anonymous)  # no email known
    empty = Cart.objects.create()
    cart_contact_remember(cart=empty, email="empty@example.com")
    idle(empty)
    with commit():
        assert abandoned_carts_remind() == 0


def test_customer_carts_use_the_account_email_and_opt_out_is_honoured(variant, django_user_model, client,
                                                                       mailoutbox, commit):
    user = django_user_model.objects.create_user(email="cara@example.com", password="pw-123456-x",
                                                 first_name="Cara")
    cart = cart_with((variant, 1), user=user)
    idle(cart)
    with commit():
        assert abandoned_carts_remind() == 1
    assert mailoutbox[0].to == ["cara@example.com"] and "Hello Cara" in mailoutbox[0].body
    stop = next(w for w in mailoutbox[0].body.split() if "/cart/reminders/stop/" in w).replace("http://testserver", "")
    assert client.post(stop).status_code == 200
    assert CartReminderOptOut.objects.filter(email="cara@example.com").exists()

    other = cart_with((ProductVariantFactory(stock_on_hand=3), 1))
    cart_contact_remember(cart=other, email="cara@example.com")
    idle(other)
    with commit():
        assert abandoned_carts_remind() == 0


def test_api_records_the_guest_email(variant):
    from rest_framework.test import APIClient

    cart = cart_with((variant, 1))
    api = APIClient()
    response = api.put("/api/v1/cart/email/", {"email": "api@example.com"}, format="json",
                       HTTP_X_CART_TOKEN=str(cart.token))
    assert response.status_code == 204
    response = api.put("/api/v1/cart/email/", {"email": "nope"}, format="json", HTTP_X_CART_TOKEN=str(cart.token))
    assert response.status_code == 400
    idle(cart)
    assert abandoned_carts_remind() == 1


def test_bad_restore_link_is_a_404(client):
    assert client.get("/cart/restore/not-a-token/").status_code == 404


def test_site_checkout_keeps_the_guest_email_for_a_reminder(variant, client):
    from commerce.cart.signals import SESSION_CART_KEY
    from commerce.marketing.models import CartContact

    cart = cart_with((variant, 1))
    session = client.session
    session[SESSION_CART_KEY] = str(cart.token)
    session.save()
    client.post("/checkout/", {"action": "update", "email": "typed@example.com"})
    assert CartContact.objects.get(cart=cart).email == "typed@example.com"
