import pytest
from rest_framework.test import APIClient

from .factories import PASSWORD, UserFactory


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def customer(db):
    return UserFactory()


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def logged_in_api(customer, api_client):
    api_client.force_authenticate(customer)
    return api_client


@pytest.fixture
def token_pair(customer, api_client):
    response = api_client.post("/api/v1/auth/token/", {"email": customer.email, "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    return response.json()
