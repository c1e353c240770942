"""Project-wide fixtures and the service-dependent skips."""

import pytest
from django.conf import settings
from django.core.cache import cache


def pytest_collection_modifyitems(config, items):
    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://... (make test-pg)")
    skip_redis = pytest.mark.skip(reason="needs Redis: set REDIS_URL=redis://127.0.0.1:6379/0")
    for item in items:
        _restore_migration_data_after_flushes(item)
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip_pg)
        if "redis" in item.keywords and not settings.REDIS_URL:
            item.add_marker(skip_redis)


def _restore_migration_data_after_flushes(item):
    """Give every transactional test the rows that data migrations created.

    A transactional test ends by truncating every table, which also removes what migrations wrote:
    Wagtail's root page, default site and root collection, and the staff role groups. pytest-django
    runs transactional tests last, so only they can meet an emptied database; asking for
    serialized_rollback makes Django reload the post-migration rows before each of them.
    """
    marker = item.get_closest_marker("django_db")
    kwargs = dict(marker.kwargs) if marker else {}
    if marker and marker.args:
        kwargs.setdefault("transaction", marker.args[0])
    fixtures = getattr(item, "fixturenames", ())
    if not (kwargs.get("transaction") or "live_server" in fixtures or "transactional_db" in fixtures):
        return
    kwargs.update(transaction=True, serialized_rollback=True)
    item.add_marker(pytest.mark.django_db(**kwargs), append=False)


@pytest.fixture(autouse=True)
def _clear_cache():
    """Throttle counters and cached lists must not leak from one test to the next."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_webhook_endpoint_memo():
    """Each process keeps the active webhook endpoints for a few seconds. A test's rollback deletes
    the endpoints it made without the post_delete that clears that memo, and the next test's events
    would then be addressed to endpoints that no longer exist (any test may emit: imports, stock)."""
    from commerce.webhooks.services import webhook_endpoints_changed

    webhook_endpoints_changed()
    yield
    webhook_endpoints_changed()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
