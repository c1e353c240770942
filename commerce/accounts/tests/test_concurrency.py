"""Races on PostgreSQL: rotating one refresh token, moving the default address, registering one email."""

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest
from django.db import connection
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from commerce.accounts.models import Address, User

from .factories import AddressFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 10


def _in_parallel(call, count=THREADS) -> list:
    barrier = Barrier(count)

    def run(i):
        try:
            barrier.wait()
            return call(i)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def test_token_refresh_same_token_in_parallel_rotates_once():
    refresh = str(RefreshToken.for_user(UserFactory()))
    codes = _in_parallel(
        lambda i: (
            APIClient(REMOTE_ADDR=f"10.3.0.{i + 1}")
            .post("/api/v1/auth/token/refresh/", {"refresh": refresh}, format="json")
            .status_code
        )
    )
    assert sorted(codes) == [200] + [401] * (THREADS - 1)


def test_address_set_default_in_parallel_leaves_exactly_one_default():
    user = UserFactory()
    addresses = [AddressFactory(user=user) for _ in range(THREADS)]

    def make_default(i):
        client = APIClient()
        client.force_authenticate(user)
        return client.patch(f"/api/v1/auth/addresses/{addresses[i].pk}/", {"is_default": True}, format="json")

    codes = [response.status_code for response in _in_parallel(make_default)]
    assert codes == [200] * THREADS
    assert Address.objects.filter(user=user, is_default=True).count() == 1


def test_register_same_email_in_parallel_creates_one_account():
    def register(i):
        return (
            APIClient(REMOTE_ADDR=f"10.4.0.{i + 1}")
            .post(
                "/api/v1/auth/register/",
                {"email": "Twin@Example.com" if i % 2 else "twin@example.com", "password": "Correct-Horse-Battery-9"},
                format="json",
            )
            .status_code
        )

    codes = _in_parallel(register)
    assert sorted(codes) == [201] + [400] * (THREADS - 1)
    assert User.objects.filter(email__iexact="twin@example.com").count() == 1
