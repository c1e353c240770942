"""The account pages of the rendered site."""

import re

import pytest
from django.core import mail
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken
from rest_framework_simplejwt.tokens import RefreshToken

from commerce.accounts.models import Address, User
from commerce.accounts.tests.factories import AddressFactory, UserFactory
from commerce.orders.tests.factories import OrderFactory, order_with_lines

pytestmark = pytest.mark.django_db

ADDRESS_FORM = {
    "full_name": "Grace Hopper",
    "phone": "+1 415 555 0199",
    "line1": "1 Infinite Loop",
    "line2": "",
    "city": "Cupertino",
    "region": "CA",
    "postal_code": "95014",
    "country": "us",
}


@pytest.fixture
def site_user(client, customer):
    client.force_login(customer)
    return customer


def test_login_page_renders_form_with_labels(client):
    response = client.get("/account/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'method="post"' in html and "csrfmiddlewaretoken" in html
    assert '<label for="id_username">Email address' in html
    assert '<label for="id_password">' in html


def test_login_with_email_redirects_to_account(client, customer, password):
    response = client.post("/account/login/", {"username": customer.email.upper(), "password": password})
    assert response.status_code == 302
    assert response["Location"] == "/account/"
    assert client.get("/account/").context["user"] == customer


def test_login_wrong_password_shows_error(client, customer):
    response = client.post("/account/login/", {"username": customer.email, "password": "wrong"})
    assert response.status_code == 200
    assert "correct email address and password" in response.content.decode()


def test_login_page_throttled_after_5_attempts(client, customer, password):
    codes = [
        client.post("/account/login/", {"username": customer.email, "password": "wrong"}).status_code for _ in range(6)
    ]
    assert codes == [200] * 5 + [429]
    blocked = client.post("/account/login/", {"username": customer.email, "password": password})
    assert blocked.status_code == 429
    assert "Too many login attempts" in blocked.content.decode()
    assert "_auth_user_id" not in client.session


def test_account_pages_require_login(client):
    for url in ["/account/", "/account/addresses/", "/account/orders/", "/account/password/change/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/account/login/?next=")


def test_register_creates_account_and_logs_in(client):
    response = client.post(
        "/account/register/",
        {
            "email": "New@Example.com",
            "first_name": "New",
            "last_name": "Shopper",
            "phone": "+1 415 555 0123",
            "password1": "Correct-Horse-Battery-9",
            "password2": "Correct-Horse-Battery-9",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="new@example.com")
    assert str(user.phone) == "+14155550123"
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"password2": "different-Password-1"}, "password2"),
        ({"password1": "123", "password2": "123"}, "password1"),
        ({"phone": "12"}, "phone"),
    ],
)
def test_register_invalid_shows_field_error(client, overrides, field):
    data = {
        "email": "x@example.com",
        "password1": "Correct-Horse-Battery-9",
        "password2": "Correct-Horse-Battery-9",
        **overrides,
    }
    response = client.post("/account/register/", data)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not User.objects.filter(email="x@example.com").exists()


def test_register_duplicate_email_shows_error(client, customer):
    response = client.post(
        "/account/register/",
        {"email": customer.email, "password1": "Correct-Horse-Battery-9", "password2": "Correct-Horse-Battery-9"},
    )
    assert response.status_code == 200
    assert "already exists" in response.context["form"].errors["email"][0]


def test_logout_is_post_only(client, site_user):
    assert client.get("/account/logout/").status_code == 405
    response = client.post("/account/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_overview_shows_details_and_updates_profile(client, site_user):
    AddressFactory(user=site_user, is_default=True, city="Lisbon")
    response = client.get("/account/")
    assert site_user.email in response.content.decode()
    assert "Lisbon" in response.content.decode()
    response = client.post("/account/", {"first_name": "Grace", "last_name": "Hopper", "phone": "+442079460958"})
    assert response.status_code == 302
    site_user.refresh_from_db()
    assert site_user.first_name == "Grace"
    assert not site_user.is_staff


def test_password_reset_site_flow(client, customer, django_capture_on_commit_callbacks):
    app_token = RefreshToken.for_user(customer)  # the customer is also logged in to the app
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/account/password/reset/", {"email": customer.email})
    assert response.status_code == 302 and response["Location"] == "/account/password/reset/sent/"
    link = re.search(r"http://testserver(/account/password/reset/\S+/\S+/)", mail.outbox[0].body).group(1)
    # Django's confirm view swaps the token for a session marker, then shows the form
    form_url = client.get(link)["Location"]
    assert client.get(form_url).context["validlink"] is True
    response = client.post(form_url, {"new_password1": "Brand-New-Secret-42", "new_password2": "Brand-New-Secret-42"})
    assert response.status_code == 302 and response["Location"] == "/account/password/reset/done/"
    customer.refresh_from_db()
    assert customer.check_password("Brand-New-Secret-42")
    assert BlacklistedToken.objects.filter(token__jti=app_token["jti"]).exists()
    # used once: the same link is now invalid
    assert client.get(link).context["validlink"] is False


def test_password_reset_site_unknown_email_same_page(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/account/password/reset/", {"email": "nobody@example.com"})
    assert response["Location"] == "/account/password/reset/sent/"
    assert mail.outbox == []


def test_password_change_page_keeps_session_and_revokes_app_tokens(client, site_user, password):
    app_token = RefreshToken.for_user(site_user)
    response = client.post(
        "/account/password/change/",
        {"old_password": password, "new_password1": "Brand-New-Secret-42", "new_password2": "Brand-New-Secret-42"},
    )
    assert response.status_code == 302
    assert BlacklistedToken.objects.filter(token__jti=app_token["jti"]).exists()
    assert client.get("/account/").status_code == 200


def test_address_pages_add_edit_default_delete(client, site_user):
    assert client.post("/account/addresses/add/", ADDRESS_FORM).status_code == 302
    first = Address.objects.get(user=site_user)
    assert first.is_default and first.country == "US" and str(first.phone) == "+14155550199"

    client.post("/account/addresses/add/", {**ADDRESS_FORM, "city": "Boston"})
    second = Address.objects.get(user=site_user, city="Boston")
    assert not second.is_default

    page = client.get("/account/addresses/").content.decode()
    assert "Cupertino" in page and "Boston" in page and "Make default" in page

    assert client.post(f"/account/addresses/{second.pk}/default/").status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.is_default and not first.is_default

    response = client.post(f"/account/addresses/{first.pk}/edit/", {**ADDRESS_FORM, "city": "Palo Alto"})
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.city == "Palo Alto"

    assert client.get(f"/account/addresses/{second.pk}/delete/").status_code == 200
    assert client.post(f"/account/addresses/{second.pk}/delete/").status_code == 302
    first.refresh_from_db()
    assert first.is_default
    assert Address.objects.filter(user=site_user).count() == 1


def test_address_form_invalid_phone_and_country_show_errors(client, site_user):
    response = client.post("/account/addresses/add/", {**ADDRESS_FORM, "phone": "123", "country": "ZZ"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "phone" in errors
    response = client.post("/account/addresses/add/", {**ADDRESS_FORM, "country": "ZZ"})
    assert "country" in response.context["form"].errors
    assert not Address.objects.exists()


def test_address_pages_of_another_user_404(client, site_user):
    other = AddressFactory(user=UserFactory(), is_default=True)
    for url in [f"/account/addresses/{other.pk}/edit/", f"/account/addresses/{other.pk}/delete/"]:
        assert client.get(url).status_code == 404
        assert client.post(url, ADDRESS_FORM).status_code == 404
    assert client.post(f"/account/addresses/{other.pk}/default/").status_code == 404
    assert Address.objects.filter(pk=other.pk, city="San Francisco").exists()


def test_make_default_is_post_only(client, site_user):
    address = AddressFactory(user=site_user)
    assert client.get(f"/account/addresses/{address.pk}/default/").status_code == 405


def test_my_orders_list_and_detail_own_only(client, site_user):
    mine = order_with_lines(user=site_user, quantities=(1, 2))
    OrderFactory.create_batch(3, user=site_user)
    theirs = OrderFactory(user=UserFactory())
    page = client.get("/account/orders/").content.decode()
    assert mine.number in page and theirs.number not in page

    detail = client.get(f"/account/orders/{mine.number}/")
    assert detail.status_code == 200
    html = detail.content.decode()
    assert mine.lines.first().sku in html
    assert "$35.00" in html
    assert client.get(f"/account/orders/{theirs.number}/").status_code == 404


def test_my_orders_list_queries_constant(client, site_user, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    OrderFactory.create_batch(2, user=site_user)
    client.get("/account/orders/")  # warm per-site caches (site settings) shared by every page
    with CaptureQueriesContext(connection) as few:
        client.get("/account/orders/")
    OrderFactory.create_batch(15, user=site_user)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/account/orders/")


@pytest.mark.parametrize("via", ["login", "register"])
def test_guest_cart_kept_after_login_or_register(client, customer, password, via):
    from commerce.cart.selectors import cart_get_for_user
    from commerce.catalog.tests.factories import ProductVariantFactory

    variant = ProductVariantFactory(stock_on_hand=5)
    client.post("/cart/add/", {"sku": variant.sku, "quantity": 2})
    if via == "login":
        client.post("/account/login/", {"username": customer.email, "password": password})
        user = customer
    else:
        client.post(
            "/account/register/",
            {
                "email": "guest@example.com",
                "password1": "Correct-Horse-Battery-9",
                "password2": "Correct-Horse-Battery-9",
            },
        )
        user = User.objects.get(email="guest@example.com")
    cart = cart_get_for_user(user=user)
    assert [(line.variant_id, line.quantity) for line in cart.lines.all()] == [(variant.pk, 2)]


def test_register_and_reset_pages_share_the_api_throttles(client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "register": "1/hour",
            "password_reset": "1/hour",
        },
    }
    form = {"password1": "Correct-Horse-Battery-9", "password2": "Correct-Horse-Battery-9"}
    assert client.post("/account/register/", {**form, "email": "one@example.com"}).status_code == 302
    client.post("/account/logout/")
    blocked = client.post("/account/register/", {**form, "email": "two@example.com"})
    assert blocked.status_code == 429
    assert not User.objects.filter(email="two@example.com").exists()

    assert client.post("/account/password/reset/", {"email": "one@example.com"}).status_code == 302
    # the API endpoint counts against the same window
    api = client.post("/api/v1/auth/password/reset/", {"email": "one@example.com"}, content_type="application/json")
    assert api.status_code == 429
    assert client.post("/account/password/reset/", {"email": "one@example.com"}).status_code == 429


def test_pending_order_can_be_cancelled_from_its_page_and_releases_stock(client, site_user):
    order = order_with_lines(user=site_user, quantities=(2,))
    variant = order.lines.first().variant
    html = client.get(f"/account/orders/{order.number}/").content.decode()
    assert "Cancel this order" in html
    response = client.post(f"/account/orders/{order.number}/cancel/", follow=True)
    order.refresh_from_db()
    variant.refresh_from_db()
    assert order.status == "cancelled" and variant.stock_allocated == 0
    assert f"Order {order.number} is cancelled." in response.content.decode()
    assert "Cancel this order" not in response.content.decode()


def test_confirmed_order_shows_no_cancel_and_someone_elses_is_404(client, site_user):
    from commerce.orders.services import order_confirm

    order = order_with_lines(user=site_user)
    order_confirm(order_id=order.pk)
    assert "Cancel this order" not in client.get(f"/account/orders/{order.number}/").content.decode()
    client.post(f"/account/orders/{order.number}/cancel/")
    order.refresh_from_db()
    assert order.status == "confirmed"  # the service refuses: the order is not pending
    theirs = order_with_lines(user=UserFactory())
    assert client.post(f"/account/orders/{theirs.number}/cancel/").status_code == 404


def test_reorder_puts_the_lines_back_in_the_cart(client, site_user):
    order = order_with_lines(user=site_user, quantities=(1, 2))
    response = client.post(f"/account/orders/{order.number}/reorder/", follow=True)
    html = response.content.decode()
    assert "3 items from order" in html
    for line in order.lines.all():
        assert line.sku in html
