"""Registration, profile (mass assignment), addresses and password reset over the API."""

import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from rest_framework.test import APIClient

from commerce.accounts.models import Address, User

from .factories import AddressFactory, UserFactory

REGISTER = "/api/v1/auth/register/"
ME = "/api/v1/auth/me/"
ADDRESSES = "/api/v1/auth/addresses/"
RESET = "/api/v1/auth/password/reset/"
RESET_CONFIRM = "/api/v1/auth/password/reset/confirm/"

pytestmark = pytest.mark.django_db

ADDRESS = {
    "full_name": "Grace Hopper",
    "phone": "(415) 555-0199",
    "line1": "1 Infinite Loop",
    "city": "Cupertino",
    "region": "CA",
    "postal_code": "95014",
    "country": "us",
}


def test_register_creates_customer_with_normalised_email_and_phone(api_client):
    response = api_client.post(
        REGISTER,
        {"email": "New.Shopper@Example.COM", "password": "Correct-Horse-Battery-9", "phone": "415 555 0123"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["email"] == "new.shopper@example.com"
    assert body["phone"] == "+14155550123"
    user = User.objects.get(email="new.shopper@example.com")
    assert not user.is_staff and not user.is_superuser
    assert "password" not in body


def test_register_duplicate_email_400(api_client, customer):
    response = api_client.post(
        REGISTER, {"email": customer.email.upper(), "password": "Correct-Horse-Battery-9"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["details"]["email"]
    assert User.objects.count() == 1


def test_register_weak_password_400(api_client):
    response = api_client.post(REGISTER, {"email": "weak@example.com", "password": "12345678"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["details"]["password"]
    assert not User.objects.filter(email="weak@example.com").exists()


def test_register_bad_phone_400(api_client):
    response = api_client.post(
        REGISTER,
        {"email": "phone@example.com", "password": "Correct-Horse-Battery-9", "phone": "12"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["details"]["phone"]
    assert not User.objects.filter(email="phone@example.com").exists()


def test_register_ignores_staff_flags(api_client):
    response = api_client.post(
        REGISTER,
        {"email": "sneaky@example.com", "password": "Correct-Horse-Battery-9", "is_staff": True, "is_superuser": True},
        format="json",
    )
    assert response.status_code == 201
    user = User.objects.get(email="sneaky@example.com")
    assert not user.is_staff and not user.is_superuser


def test_me_requires_authentication(api_client):
    assert api_client.get(ME).status_code == 401


def test_me_patch_updates_profile_and_normalises_phone(logged_in_api, customer):
    response = logged_in_api.patch(ME, {"first_name": "Grace", "phone": "+44 20 7946 0958"}, format="json")
    assert response.status_code == 200
    assert response.json()["phone"] == "+442079460958"
    customer.refresh_from_db()
    assert customer.first_name == "Grace"


def test_me_patch_mass_assignment_changes_nothing(logged_in_api, customer):
    changed_at = customer.password_changed_at
    group = Group.objects.create(name="Shop managers (test)")
    response = logged_in_api.patch(
        ME,
        {
            "email": "owner@example.com",
            "is_staff": True,
            "is_superuser": True,
            "is_active": False,
            "groups": [group.pk],
            "user_permissions": [1],
            "password": "plain",
            "password_changed_at": "2000-01-01T00:00:00Z",
            "date_joined": "2000-01-01T00:00:00Z",
        },
        format="json",
    )
    assert response.status_code == 200
    customer.refresh_from_db()
    assert customer.email.startswith("customer")
    assert not customer.is_staff and not customer.is_superuser and customer.is_active
    assert not customer.groups.exists() and not customer.user_permissions.exists()
    assert customer.password_changed_at == changed_at
    assert customer.date_joined.year > 2000
    assert not customer.check_password("plain")


def test_address_create_first_becomes_default_with_e164_phone(logged_in_api, customer):
    response = logged_in_api.post(ADDRESSES, ADDRESS, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["is_default"] is True
    assert body["phone"] == "+14155550199"
    assert body["country"] == "US"


@pytest.mark.parametrize(
    ("field", "value"), [("phone", "not a phone"), ("country", "XX"), ("line1", ""), ("country", "USA")]
)
def test_address_create_invalid_field_400_and_nothing_written(logged_in_api, field, value):
    response = logged_in_api.post(ADDRESSES, {**ADDRESS, field: value}, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["details"]
    assert not Address.objects.exists()


def test_address_set_new_default_unsets_old(logged_in_api, customer):
    first = AddressFactory(user=customer, is_default=True)
    second = AddressFactory(user=customer)
    response = logged_in_api.patch(f"{ADDRESSES}{second.pk}/", {"is_default": True}, format="json")
    assert response.status_code == 200
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.is_default and not first.is_default
    assert Address.objects.filter(user=customer, is_default=True).count() == 1


def test_address_create_with_default_unsets_old(logged_in_api, customer):
    first = AddressFactory(user=customer, is_default=True)
    response = logged_in_api.post(ADDRESSES, {**ADDRESS, "is_default": True}, format="json")
    assert response.status_code == 201
    first.refresh_from_db()
    assert not first.is_default
    assert Address.objects.get(pk=response.json()["id"]).is_default


def test_address_default_unique_in_database(customer):
    from django.db import IntegrityError, transaction

    AddressFactory(user=customer, is_default=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        AddressFactory(user=customer, is_default=True)


def test_address_delete_default_promotes_another(logged_in_api, customer):
    keep = AddressFactory(user=customer)
    default = AddressFactory(user=customer, is_default=True)
    assert logged_in_api.delete(f"{ADDRESSES}{default.pk}/").status_code == 204
    keep.refresh_from_db()
    assert keep.is_default


def test_address_other_users_address_404(logged_in_api):
    other = AddressFactory(user=UserFactory(), is_default=True)
    url = f"{ADDRESSES}{other.pk}/"
    assert logged_in_api.get(url).status_code == 404
    assert logged_in_api.patch(url, {"city": "Hacked"}, format="json").status_code == 404
    assert logged_in_api.delete(url).status_code == 404
    other.refresh_from_db()
    assert other.city == "San Francisco"
    assert logged_in_api.get(ADDRESSES).json() == []


def test_address_list_own_only_default_first_constant_queries(logged_in_api, customer, django_assert_max_num_queries):
    AddressFactory.create_batch(3, user=customer)
    AddressFactory(user=customer, is_default=True)
    AddressFactory(user=UserFactory())
    with django_assert_max_num_queries(3):
        body = logged_in_api.get(ADDRESSES).json()
    assert len(body) == 4
    assert body[0]["is_default"] is True
    AddressFactory.create_batch(10, user=customer)
    with django_assert_max_num_queries(3):
        assert len(logged_in_api.get(ADDRESSES).json()) == 14


def test_address_user_field_cannot_be_reassigned(logged_in_api, customer):
    other = UserFactory()
    response = logged_in_api.post(ADDRESSES, {**ADDRESS, "user": other.pk}, format="json")
    assert response.status_code == 201
    assert Address.objects.get(pk=response.json()["id"]).user == customer


def test_addresses_require_authentication(api_client):
    assert api_client.get(ADDRESSES).status_code == 401


def _reset_link_parts(message):
    uid = re.search(r"uid: (\S+)", message.body).group(1)
    token = re.search(r"token: (\S+)", message.body).group(1)
    return uid, token


def test_password_reset_flow_end_to_end(customer, password, api_client, django_capture_on_commit_callbacks):
    old_pair = api_client.post(
        "/api/v1/auth/token/", {"email": customer.email, "password": password}, format="json"
    ).json()
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(RESET, {"email": customer.email.upper()}, format="json")
    assert response.status_code == 202
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [customer.email]
    assert "Reset your Cartwheel password" in message.subject
    uid, token = _reset_link_parts(message)
    assert f"/account/password/reset/{uid}/{token}/" in message.body

    response = api_client.post(
        RESET_CONFIRM, {"uid": uid, "token": token, "new_password": "Brand-New-Secret-42"}, format="json"
    )
    assert response.status_code == 200
    customer.refresh_from_db()
    assert customer.check_password("Brand-New-Secret-42")
    # the link is single-use, and tokens from before the reset are refused
    again = api_client.post(
        RESET_CONFIRM, {"uid": uid, "token": token, "new_password": "Yet-Another-Secret-7"}, format="json"
    )
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "invalid_reset_link"
    assert api_client.post("/api/v1/auth/token/refresh/", {"refresh": old_pair["refresh"]}).status_code == 401


def test_password_reset_unknown_email_same_answer_no_mail(api_client, customer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        known = api_client.post(RESET, {"email": customer.email}, format="json")
        unknown = api_client.post(RESET, {"email": "nobody@example.com"}, format="json")
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    assert [m.to for m in mail.outbox] == [[customer.email]]


def test_password_reset_email_only_after_commit(api_client, customer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        api_client.post(RESET, {"email": customer.email}, format="json")
    assert mail.outbox == []
    assert len(callbacks) == 1


def test_password_reset_confirm_bad_token_400(api_client, customer):
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    uid = urlsafe_base64_encode(force_bytes(customer.pk))
    for payload in ({"uid": uid, "token": "bad-token"}, {"uid": "!!", "token": "x"}):
        response = api_client.post(RESET_CONFIRM, {**payload, "new_password": "Brand-New-Secret-42"}, format="json")
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "invalid_reset_link"


def test_password_reset_confirm_weak_password_keeps_link_valid(api_client, customer):
    from commerce.accounts.services import password_reset_link

    uid, token, _ = password_reset_link(user=customer)
    weak = api_client.post(RESET_CONFIRM, {"uid": uid, "token": token, "new_password": "password"}, format="json")
    assert weak.status_code == 400
    good = api_client.post(
        RESET_CONFIRM, {"uid": uid, "token": token, "new_password": "Brand-New-Secret-42"}, format="json"
    )
    assert good.status_code == 200


def test_password_reset_throttled_per_ip(api_client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "password_reset": "2/hour"},
    }
    codes = [api_client.post(RESET, {"email": f"x{i}@example.com"}, format="json").status_code for i in range(3)]
    assert codes == [202, 202, 429]


def test_register_throttled(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "register": "1/hour"},
    }
    client = APIClient()
    first = client.post(REGISTER, {"email": "a@example.com", "password": "Correct-Horse-Battery-9"}, format="json")
    second = client.post(REGISTER, {"email": "b@example.com", "password": "Correct-Horse-Battery-9"}, format="json")
    assert (first.status_code, second.status_code) == (201, 429)
    assert second.json()["error"]["code"] == "throttled"
