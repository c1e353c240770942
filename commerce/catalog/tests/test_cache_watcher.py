"""The per-process catalogue version watcher (commerce/catalog/cache.py): page hits from process memory,
bumps from other processes, flushes, fallback to Redis, bounded memory, forked workers."""

import os
import threading
import time
from decimal import Decimal

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from redis.connection import Connection
from rest_framework.test import APIClient

from commerce.catalog import cache as catalog_cache
from commerce.catalog.tests.factories import ProductFactory, ProductVariantFactory

pytestmark = pytest.mark.redis


@pytest.fixture
def watcher(monkeypatch):
    """A watcher of the test's own in place of the process's; its thread and subscription end with the test."""
    instance = catalog_cache._VersionWatcher()
    monkeypatch.setattr(catalog_cache, "_watcher", instance)
    yield instance
    instance.stop()


@pytest.fixture
def redis_commands(monkeypatch):
    """Every command the test's thread sends to Redis (the watcher thread's traffic is not counted)."""
    sent = []
    test_thread = threading.get_ident()
    send = Connection.send_packed_command

    def counting(self, command, *args, **kwargs):
        if threading.get_ident() == test_thread:
            sent.append(command)
        return send(self, command, *args, **kwargs)

    monkeypatch.setattr(Connection, "send_packed_command", counting)
    return sent


def _eventually(condition, seconds=1.0):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"not within {seconds} s"
        time.sleep(0.002)


def _stored_version():
    return catalog_cache._stored_version()


def _connected(watcher) -> str:
    """Start the watcher (the first read does) and wait until it holds the stored version."""
    catalog_cache.catalog_version()  # also creates and publishes the version if the key is new
    _eventually(lambda: watcher.version() is not None and watcher.version() == _stored_version())
    return watcher.version()


def _bump_from_another_process(client=None) -> str:
    """What `_write_new_version()` does in another process: SET + PUBLISH in one MULTI/EXEC, on a
    connection of its own, without telling this process's watcher."""
    version = str(time.time_ns())
    client = client or redis.Redis.from_url(settings.REDIS_URL)
    pipe = client.pipeline(transaction=True)
    pipe.set(cache.make_key(catalog_cache.VERSION_KEY), cache.client.encode(version))
    pipe.publish(catalog_cache._channel(), version)
    pipe.execute()
    return version


def test_a_bump_by_another_process_arrives_within_a_second_and_retires_pages_of_the_old_version(watcher):
    old = _connected(watcher)
    catalog_cache.cached_page_set("page", old, b"old body")
    assert catalog_cache.cached_page_get("page") == (old, b"old body")

    new = _bump_from_another_process()
    _eventually(lambda: watcher.version() == new)

    assert catalog_cache.cached_page_get("page") == (new, None)
    assert catalog_cache.catalog_version() == new


def test_a_hit_for_the_known_version_sends_no_redis_command_and_returns_the_stored_bytes(watcher, redis_commands):
    version = _connected(watcher)
    catalog_cache.cached_page_set("page", version, b'{"count":1}')
    redis_commands.clear()

    assert catalog_cache.cached_page_get("page") == (version, b'{"count":1}')
    assert catalog_cache.catalog_version() == version
    assert redis_commands == []

    assert catalog_cache.cached_page_get("never stored") == (version, None)
    assert len(redis_commands) == 1  # a miss still asks Redis, in one MGET


def test_a_page_read_from_redis_is_then_answered_from_memory(watcher, redis_commands):
    version = _connected(watcher)
    cache.set("catalog:page:page", (version, b"from another worker"))  # stored by another process
    assert catalog_cache.cached_page_get("page") == (version, b"from another worker")
    redis_commands.clear()
    assert catalog_cache.cached_page_get("page") == (version, b"from another worker")
    assert redis_commands == []


def test_a_bump_in_this_process_is_seen_by_its_very_next_read(watcher):
    old = _connected(watcher)
    catalog_cache.cached_page_set("page", old, b"old body")
    catalog_cache.catalog_cache_bump()
    # no waiting for the message: until it comes back this process asks Redis
    version, body = catalog_cache.cached_page_get("page")
    assert body is None and version != old and version == _stored_version()
    _eventually(lambda: watcher.version() == version)


def test_racing_bumps_from_several_threads_and_processes_settle_on_the_stored_version(watcher):
    _connected(watcher)

    def bump_here():
        for _ in range(30):
            catalog_cache._write_new_version()

    def bump_elsewhere():
        client = redis.Redis.from_url(settings.REDIS_URL)
        for _ in range(30):
            _bump_from_another_process(client)
        client.close()

    threads = [threading.Thread(target=target) for target in (bump_here, bump_here, bump_elsewhere, bump_elsewhere)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    _eventually(lambda: watcher.version() is not None and watcher.version() == _stored_version())


def test_flushing_redis_retires_pages_held_in_memory(watcher):
    old = _connected(watcher)
    catalog_cache.cached_page_set("page", old, b"old body")
    cache.clear()  # FLUSHDB: the version key is gone, and no message says so
    _eventually(lambda: watcher.version() != old)
    version, body = catalog_cache.cached_page_get("page")
    assert body is None and version != old
    _eventually(lambda: watcher.version() == version)  # the recreated version was published


def test_a_stopped_watcher_leaves_reads_to_redis_and_they_stay_fresh(watcher):
    old = _connected(watcher)
    catalog_cache.cached_page_set("page", old, b"old body")
    thread = watcher._thread
    watcher.stop()
    assert not thread.is_alive() and watcher.version() is None

    new = _bump_from_another_process()
    assert catalog_cache.catalog_version() == new
    assert catalog_cache.cached_page_get("page") == (new, None)


def test_a_watcher_that_cannot_connect_leaves_reads_to_redis_and_they_stay_fresh(monkeypatch):
    unreachable = catalog_cache._VersionWatcher(connection_overrides={"port": 1})
    monkeypatch.setattr(catalog_cache, "_watcher", unreachable)
    try:
        old = catalog_cache.catalog_version()
        catalog_cache.cached_page_set("page", old, b"old body")
        assert catalog_cache.cached_page_get("page") == (old, b"old body")  # from Redis
        new = _bump_from_another_process()
        assert unreachable.version() is None
        assert catalog_cache.catalog_version() == new
        assert catalog_cache.cached_page_get("page") == (new, None)
        catalog_cache.catalog_cache_bump()  # writing works too, and publishes for the others
        assert catalog_cache.catalog_version() == _stored_version() != new
    finally:
        unreachable.stop()


def test_pages_held_in_memory_stay_within_the_entry_and_byte_caps(watcher, monkeypatch):
    version = _connected(watcher)
    monkeypatch.setattr(catalog_cache, "LOCAL_MAX_ENTRIES", 10)
    for number in range(50):
        catalog_cache.cached_page_set(f"page {number}", version, b"x" * 50)
    assert len(watcher._pages) == 10
    assert catalog_cache.cached_page_get("page 49") == (version, b"x" * 50)  # the newest are kept

    monkeypatch.setattr(catalog_cache, "LOCAL_MAX_BYTES", 1000)
    for number in range(50):
        catalog_cache.cached_page_set(f"big page {number}", version, b"y" * 300)
    assert sum(len(body) for _, body in watcher._pages.values()) <= 1000
    assert watcher._pages_bytes == sum(len(body) for _, body in watcher._pages.values())


def test_a_forked_worker_starts_a_watcher_of_its_own_that_hears_bumps(watcher):
    _connected(watcher)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child, as a gunicorn worker forked from a master that held a watcher
        outcome = b"ok"
        try:
            assert watcher.version() is None  # the parent's version is not trusted before reconnecting
            _eventually(lambda: watcher.version() is not None and watcher.version() == _stored_version(), 5)
            assert watcher._thread.is_alive()
            new = _bump_from_another_process()
            _eventually(lambda: watcher.version() == new, 5)
        except BaseException as error:
            outcome = repr(error).encode()
        os.write(write_end, outcome)
        os._exit(0)
    os.close(write_end)
    os.waitpid(pid, 0)
    with os.fdopen(read_end, "rb") as child:
        assert child.read() == b"ok"


@pytest.mark.django_db
def test_product_list_is_served_from_memory_and_shows_a_price_change_at_once(watcher, redis_commands):
    product = ProductFactory(name="Mug", slug="mug", base_price=Decimal("10.00"))
    variant = ProductVariantFactory(product=product, stock_on_hand=3)
    _connected(watcher)
    api = APIClient()

    first = api.get("/api/v1/products/")
    assert first.status_code == 200 and first.json()["results"][0]["price_min"] == "10.00"
    redis_commands.clear()
    second = api.get("/api/v1/products/")
    assert second.content == first.content
    assert redis_commands == []  # answered from this process's memory

    variant.price = Decimal("12.50")
    variant.save()  # post_save bumps the catalogue version
    third = api.get("/api/v1/products/")
    assert third.json()["results"][0]["price_min"] == "12.50"
