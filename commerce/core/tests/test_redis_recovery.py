"""What Redis held before an outage is not trusted after it, and Redis is left alone for a moment after
each failure (the breaker), on the project's Redis (REDIS_URL)."""

import pytest
import redis
from django.core.cache import cache

from commerce.catalog import cache as catalog_cache
from commerce.core import cache_redis, sessions
from commerce.core.process_copy import ProcessCopy

pytestmark = pytest.mark.redis


@pytest.fixture
def outage_bookkeeping(monkeypatch):
    """The process's failure count and breaker, the test's own."""
    state = cache_redis._FailureState()
    monkeypatch.setattr(cache_redis, "_state", state)
    monkeypatch.setattr(catalog_cache, "_settled_failures", 0)
    monkeypatch.setattr(sessions, "_settled_failures", 0)
    # a watcher that never connects: every catalogue read goes to Redis, as in a process whose
    # subscription is down
    watcher = catalog_cache._VersionWatcher(connection_overrides={"port": 1})
    monkeypatch.setattr(catalog_cache, "_watcher", watcher)
    yield state
    watcher.stop()


def _outage_ends(state):
    cache_redis.redis_failed(redis.ConnectionError("Redis went away"), where="test")
    state.down_until = 0.0  # ... and Redis answers again


def test_catalogue_pages_cached_before_an_outage_are_not_served_after_it(outage_bookkeeping):
    before = catalog_cache.catalog_version()
    catalog_cache.cached_page_set("products?page=1", before, b"rows as they were")
    assert catalog_cache.cached_page_get("products?page=1") == (before, b"rows as they were")

    _outage_ends(outage_bookkeeping)  # a bump made during the outage may have been lost
    after, page = catalog_cache.cached_page_get("products?page=1")
    assert after != before and page is None
    assert catalog_cache.catalog_version() == after  # settled once, not at every read


def test_process_copy_loaded_before_an_outage_is_reloaded_after_it(outage_bookkeeping):
    loads = []
    copy = ProcessCopy("test:recovery", lambda: loads.append(1) or len(loads))
    assert copy.get() == 1 and copy.get() == 1  # loaded once, then kept

    _outage_ends(outage_bookkeeping)
    assert copy.get() == 2  # the copy from before the outage is dropped and the version rewritten
    assert copy.get() == 2


def test_breaker_skips_redis_for_a_second_after_a_failure(outage_bookkeeping, settings, monkeypatch):
    settings.CACHES = {"default": {"BACKEND": "commerce.core.cache_redis.FailOpenRedisCache",
                                   "LOCATION": "redis://127.0.0.1:8299/0", "KEY_PREFIX": "h2-dead"}}
    attempts = []
    connect = redis.connection.AbstractConnection.connect

    def counting_connect(self, *args, **kwargs):
        attempts.append(1)
        return connect(self, *args, **kwargs)

    monkeypatch.setattr(redis.connection.AbstractConnection, "connect", counting_connect)
    assert cache.get("k") is None
    tried = len(attempts)
    assert tried >= 1 and cache_redis.redis_breaker_open()
    for _ in range(50):
        cache.set("k", 1)
        cache.add("k", 1)
        assert cache.get("k") is None
    assert len(attempts) == tried  # no connection attempt while the breaker is open
    outage_bookkeeping.down_until = 0.0
    assert cache.get("k") is None and len(attempts) > tried  # then Redis is tried again


@pytest.mark.django_db
def test_a_logout_made_during_an_outage_is_not_undone_by_the_session_redis_kept(
    outage_bookkeeping, settings, client, django_user_model
):
    from django.contrib.sessions.models import Session

    settings.SESSION_ENGINE = "commerce.core.sessions"
    staff = django_user_model.objects.create_superuser(email="boss@example.com", password="pw-123456-x")
    client.force_login(staff)
    assert client.get("/admin/").status_code == 200  # the session is now cached in Redis too
    # logging out during the outage deleted the row; deleting the cached copy failed, and Redis came
    # back (persistence) still holding it
    Session.objects.filter(session_key=client.session.session_key).delete()
    _outage_ends(outage_bookkeeping)
    response = client.get("/admin/")
    assert response.status_code == 302 and "/login/" in response["Location"]
