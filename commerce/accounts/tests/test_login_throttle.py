"""The login scope: per account email and per IP, on an atomic cache counter."""

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest
from django.conf import settings
from django.db import connection
from rest_framework.test import APIClient

from .factories import UserFactory

TOKEN = "/api/v1/auth/token/"
BURST = 50


def _wrong_password_burst(email: str) -> list[int]:
    """50 threads wait at a barrier, then all post a wrong password for `email` at once."""
    barrier = Barrier(BURST)

    def attempt(i: int) -> int:
        try:
            client = APIClient(REMOTE_ADDR=f"10.0.{i // 250}.{i % 250 + 1}")  # 50 different IPs
            barrier.wait()
            return client.post(TOKEN, {"email": email, "password": f"wrong-{i}"}, format="json").status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=BURST) as pool:
        return list(pool.map(attempt, range(BURST)))


@pytest.mark.django_db(transaction=True)
def test_login_burst_of_50_wrong_passwords_lets_at_most_5_through():
    user = UserFactory()
    codes = _wrong_password_burst(user.email)
    let_through = [code for code in codes if code != 429]
    assert len(let_through) <= 5
    assert let_through == [401] * len(let_through)
    assert codes.count(429) >= BURST - 5


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_login_burst_of_50_wrong_passwords_on_redis():
    assert "redis" in settings.CACHES["default"]["BACKEND"].lower()
    user = UserFactory()
    codes = _wrong_password_burst(user.email)
    assert len([code for code in codes if code != 429]) <= 5


@pytest.mark.django_db
def test_login_throttle_counts_per_email_across_ips(password):
    user = UserFactory()
    codes = [
        APIClient(REMOTE_ADDR=f"10.1.0.{i}").post(TOKEN, {"email": user.email, "password": "wrong"}).status_code
        for i in range(1, 8)
    ]
    assert codes == [401] * 5 + [429, 429]
    # the right password from a fresh IP is refused too while the account's window lasts
    late = APIClient(REMOTE_ADDR="10.1.0.99").post(TOKEN, {"email": user.email.upper(), "password": password})
    assert late.status_code == 429
    assert late.json()["error"]["details"]["retry_after"] > 0


@pytest.mark.django_db
def test_login_throttle_counts_per_ip_across_emails():
    client = APIClient(REMOTE_ADDR="10.2.0.1")
    codes = [client.post(TOKEN, {"email": f"spray{i}@example.com", "password": "x"}).status_code for i in range(7)]
    assert codes == [401] * 5 + [429, 429]
    # another IP trying another account is not affected
    other = APIClient(REMOTE_ADDR="10.2.0.2").post(TOKEN, {"email": "fresh@example.com", "password": "x"})
    assert other.status_code == 401


@pytest.mark.django_db
def test_login_throttle_ignores_spoofed_forwarded_for():
    """Without a proxy in front, a fresh X-Forwarded-For per request does not make a fresh client."""
    client = APIClient(REMOTE_ADDR="10.5.0.1")
    codes = [
        client.post(
            TOKEN, {"email": f"spoof{i}@example.com", "password": "x"}, HTTP_X_FORWARDED_FOR=f"203.0.113.{i}"
        ).status_code
        for i in range(7)
    ]
    assert codes == [401] * 5 + [429, 429]
