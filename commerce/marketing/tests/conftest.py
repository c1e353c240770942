import pytest
from django.contrib.auth.models import Group

from commerce.accounts.roles import SHOP_MANAGERS
from commerce.orders.tests.conftest import standard  # noqa: F401  (shipping method fixture)


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run on_commit callbacks (email delivery) when the block ends, as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def manager(db, django_user_model):
    user = django_user_model.objects.create_user(email="manager@example.com", password="pw-123456-x")
    user.groups.add(Group.objects.get_or_create(name=SHOP_MANAGERS.name)[0])
    return user
