"""JWT: login, rotation, reuse, logout, and refusal after a password change or reset."""

from unittest import mock

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from commerce.accounts import services

TOKEN = "/api/v1/auth/token/"
REFRESH = "/api/v1/auth/token/refresh/"
LOGOUT = "/api/v1/auth/logout/"
ME = "/api/v1/auth/me/"

pytestmark = pytest.mark.django_db


def _refresh(client, token):
    return client.post(REFRESH, {"refresh": token}, format="json")


def test_token_obtain_with_email_case_insensitive(customer, password, api_client):
    response = api_client.post(TOKEN, {"email": customer.email.upper(), "password": password}, format="json")
    assert response.status_code == 200
    body = response.json()
    me = APIClient()
    me.credentials(HTTP_AUTHORIZATION=f"Bearer {body['access']}")
    assert me.get(ME).json()["email"] == customer.email


def test_token_obtain_wrong_password_401(customer, api_client):
    response = api_client.post(TOKEN, {"email": customer.email, "password": "nope-nope-nope"}, format="json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "no_active_account"


def test_access_token_lifetime_at_most_15_minutes(token_pair):
    from rest_framework_simplejwt.tokens import AccessToken

    access = AccessToken(token_pair["access"])
    assert access["exp"] - access["iat"] <= 15 * 60


def test_token_refresh_rotates_and_reuse_gets_401(token_pair, api_client):
    first = _refresh(api_client, token_pair["refresh"])
    assert first.status_code == 200
    rotated = first.json()
    assert rotated["refresh"] != token_pair["refresh"]

    reused = _refresh(api_client, token_pair["refresh"])
    assert reused.status_code == 401
    assert reused.json()["error"]["code"] == "token_not_valid"

    # the rotated one still works, once
    assert _refresh(api_client, rotated["refresh"]).status_code == 200


def test_token_refresh_garbage_401(api_client):
    assert _refresh(api_client, "not-a-token").status_code == 401


def test_token_refresh_for_deactivated_user_401(customer, token_pair, api_client):
    customer.is_active = False
    customer.save()
    assert _refresh(api_client, token_pair["refresh"]).status_code == 401


def test_logout_blacklists_refresh_token(token_pair, api_client):
    response = api_client.post(LOGOUT, {"refresh": token_pair["refresh"]}, format="json")
    assert response.status_code == 204
    assert BlacklistedToken.objects.filter(token__token=token_pair["refresh"]).exists()
    assert _refresh(api_client, token_pair["refresh"]).status_code == 401


def test_logout_with_invalid_token_401_and_missing_400(api_client):
    assert api_client.post(LOGOUT, {"refresh": "garbage"}, format="json").status_code == 401
    response = api_client.post(LOGOUT, {}, format="json")
    assert response.status_code == 400
    assert "refresh" in response.json()["error"]["details"]


def test_refresh_issued_before_password_change_gets_401(customer, password, token_pair, api_client):
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_pair['access']}")
    response = api_client.post(
        "/api/v1/auth/password/change/",
        {"old_password": password, "new_password": "An0ther-Secret-Phrase"},
        format="json",
    )
    assert response.status_code == 200
    fresh = response.json()
    api_client.credentials()

    assert _refresh(api_client, token_pair["refresh"]).status_code == 401
    # the pair handed back by the change keeps this client logged in
    assert _refresh(api_client, fresh["refresh"]).status_code == 200
    # and the old password no longer logs in, the new one does
    assert api_client.post(TOKEN, {"email": customer.email, "password": password}, format="json").status_code == 401
    assert (
        api_client.post(
            TOKEN, {"email": customer.email, "password": "An0ther-Secret-Phrase"}, format="json"
        ).status_code
        == 200
    )


def test_password_change_blacklists_outstanding_tokens(customer, token_pair):
    services.user_password_set(user=customer, password="An0ther-Secret-Phrase")
    outstanding = OutstandingToken.objects.get(token=token_pair["refresh"])
    assert BlacklistedToken.objects.filter(token=outstanding).exists()


def test_refresh_older_than_password_change_refused_by_iat_alone(customer, token_pair, api_client):
    """Even if the blacklist row were missing, the iat check refuses the token on its own."""
    with mock.patch.object(services, "user_refresh_tokens_revoke", return_value=0):
        # one second later than the token: iat has whole-second precision
        from datetime import timedelta

        from django.utils import timezone

        with mock.patch.object(timezone, "now", return_value=timezone.now() + timedelta(seconds=2)):
            services.user_password_set(user=customer, password="An0ther-Secret-Phrase")
    assert not BlacklistedToken.objects.exists()
    response = _refresh(api_client, token_pair["refresh"])
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "password_changed"


def test_password_change_wrong_old_password_400_and_nothing_changes(customer, password, logged_in_api):
    changed_at = customer.password_changed_at
    response = logged_in_api.post(
        "/api/v1/auth/password/change/",
        {"old_password": "wrong-wrong-wrong", "new_password": "An0ther-Secret-Phrase"},
        format="json",
    )
    assert response.status_code == 400
    assert "old_password" in response.json()["error"]["details"]
    customer.refresh_from_db()
    assert customer.check_password(password)
    assert customer.password_changed_at == changed_at


def test_password_change_weak_password_400(customer, password, logged_in_api):
    response = logged_in_api.post(
        "/api/v1/auth/password/change/", {"old_password": password, "new_password": "123"}, format="json"
    )
    assert response.status_code == 400
    assert "password" in response.json()["error"]["details"]


def test_password_change_requires_login(api_client):
    response = api_client.post("/api/v1/auth/password/change/", {}, format="json")
    assert response.status_code == 401


def test_access_token_issued_before_password_change_gets_401(customer, token_pair, api_client):
    from datetime import timedelta

    from django.utils import timezone

    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_pair['access']}")
    assert api_client.get(ME).status_code == 200
    # one second on: iat has whole-second precision (see commerce.accounts.tokens)
    with mock.patch.object(timezone, "now", return_value=timezone.now() + timedelta(seconds=1)):
        services.user_password_set(user=customer, password="An0ther-Secret-Phrase")
    response = api_client.get(ME)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "password_changed"


def test_password_set_outside_the_api_refuses_earlier_refresh(customer, token_pair, api_client):
    """Wagtail's user editor and manage.py changepassword call set_password + save directly."""
    from datetime import timedelta

    from django.utils import timezone

    with mock.patch.object(timezone, "now", return_value=timezone.now() + timedelta(seconds=1)):
        customer.set_password("Changed-By-Staff-77")
    customer.save()
    assert _refresh(api_client, token_pair["refresh"]).status_code == 401


def test_new_account_can_refresh_its_first_token(api_client):
    """create_user stamps password_changed_at too; the first token, issued after it, is accepted."""
    api_client.post(
        "/api/v1/auth/register/", {"email": "fresh@example.com", "password": "Correct-Horse-Battery-9"}, format="json"
    )
    pair = api_client.post(
        TOKEN, {"email": "fresh@example.com", "password": "Correct-Horse-Battery-9"}, format="json"
    ).json()
    assert _refresh(api_client, pair["refresh"]).status_code == 200
