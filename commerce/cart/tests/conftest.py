import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from commerce.accounts.models import User
from commerce.catalog.tests.factories import ProductVariantFactory


@pytest.fixture
def variant(db):
    return ProductVariantFactory(stock_on_hand=5, sku="TEE-M-RED")


@pytest.fixture
def customer(db):
    return User.objects.create_user(email="cara@example.com", password="pw-123456-x")


@pytest.fixture
def other_customer(db):
    return User.objects.create_user(email="otto@example.com", password="pw-123456-x")


@pytest.fixture
def staff(db):
    return User.objects.create_user(email="staff@example.com", password="pw-123456-x", is_staff=True, is_superuser=True)


def jwt_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client


@pytest.fixture
def api():
    return APIClient()
