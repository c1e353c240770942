"""Redis behind Django's default cache, and what happens when Redis is unreachable.

The cache is a cosmetic: every value in it can be computed again from PostgreSQL. So a Redis that is
stopped, restarting or cut off must cost speed, never an answer. `FailOpenRedisCache` (the production
cache backend, see settings) makes every cache operation that fails a miss: reads return the default,
writes do nothing. Failures are logged, rate-limited (the first one with its traceback, then one line
per `LOG_INTERVAL_SECONDS` saying how many were skipped), and for `BREAKER_SECONDS` after a failure the
process does not even try Redis, so a Redis that times out instead of refusing costs one timeout per
second per process, not one per cache call. When Redis answers again everything resumes by itself.

Code that uses the raw client (`default_cache_redis()`: MULTI pipelines, PUBLISH, INCR + EXPIRE) must
catch its errors itself, call `redis_failed()` and fall back; `redis_failures()` lets a process notice
that an outage happened since it last wrote a version key (commerce/catalog/cache.py,
commerce/core/process_copy.py), so that it can invalidate what Redis may still hold from before.
"""

import logging
import sys
import threading
import time
from collections.abc import Callable

from django.core.cache import caches
from django_redis import get_redis_connection
from django_redis.cache import RedisCache
from django_redis.client import DefaultClient
from django_redis.exceptions import ConnectionInterrupted

logger = logging.getLogger(__name__)

BREAKER_SECONDS = 1.0
LOG_INTERVAL_SECONDS = 30.0


class RedisUnavailable(ConnectionError):
    """Raised instead of trying Redis while the breaker is open."""


class _FailureState:
    def __init__(self):
        self.lock = threading.Lock()
        self.failures = 0  # every failure this process has seen
        self.down_until = 0.0  # monotonic: no attempt before this
        self.logged_at = float("-inf")
        self.unlogged = 0


_state = _FailureState()


def redis_failed(error: BaseException, *, where: str = "cache") -> None:
    """Record a failed Redis call: open the breaker, log (rate-limited)."""
    if isinstance(error, RedisUnavailable):
        return  # the breaker's own refusal: already counted when it opened
    now = time.monotonic()
    with _state.lock:
        _state.failures += 1
        _state.down_until = now + BREAKER_SECONDS
        if now - _state.logged_at < LOG_INTERVAL_SECONDS:
            _state.unlogged += 1
            return
        skipped, _state.unlogged, _state.logged_at = _state.unlogged, 0, now
    logger.warning(
        "Redis unreachable (%s): %r; serving without the cache%s",
        where,
        error,
        f" ({skipped} more failures since the last report)" if skipped else "",
        exc_info=error if skipped == 0 else None,
    )


def redis_failures() -> int:
    """How many Redis failures this process has seen; a change means there was an outage."""
    return _state.failures


def redis_breaker_open() -> bool:
    return time.monotonic() < _state.down_until


def cache_write_confirmed(write: Callable[[], object]) -> bool:
    """Run a write through the fail-open cache API; True unless Redis failed (or was skipped) meanwhile.

    With the local-memory cache every write is confirmed."""
    if redis_breaker_open():
        return False
    before = redis_failures()
    write()
    return redis_failures() == before and not redis_breaker_open()


class FailOpenRedisClient(DefaultClient):
    """django-redis's client, refusing at once while the breaker is open (no connect attempt)."""

    def get_client(self, write=True, tried=None):
        _refuse_while_breaker_open()
        return super().get_client(write=write, tried=tried)

    def get_client_with_index(self, write=True, tried=None):  # set() and add() take their client here
        _refuse_while_breaker_open()
        return super().get_client_with_index(write=write, tried=tried)


def _refuse_while_breaker_open() -> None:
    if redis_breaker_open():
        raise ConnectionInterrupted(connection=None) from RedisUnavailable("Redis failed less than 1 s ago")


class _FailureLog:
    """Stands in for django-redis's logger: its `omit_exception` calls `.exception()` inside the except."""

    def exception(self, msg, *args, **kwargs):
        error = sys.exc_info()[1]
        redis_failed(error.__cause__ or error if error is not None else RuntimeError(msg))


class FailOpenRedisCache(RedisCache):
    """django-redis with every connection error ignored (a miss) and logged through `redis_failed`."""

    def __init__(self, server, params):
        params = {**params, "OPTIONS": {"CLIENT_CLASS": "commerce.core.cache_redis.FailOpenRedisClient",
                                        **params.get("OPTIONS", {})}}
        super().__init__(server, params)
        self._ignore_exceptions = True
        self._log_ignored_exceptions = True
        self.logger = _FailureLog()


def default_cache_redis():
    """The client of the default cache when it is django-redis (production), else None (local memory,
    dummy: callers fall back to the plain cache API). Getting it does no I/O; its commands raise when
    Redis is unreachable: callers skip Redis while `redis_breaker_open()`, catch errors, call
    `redis_failed()` and fall back."""
    cache = caches["default"]
    if not isinstance(cache, RedisCache):
        return None
    if isinstance(cache.client, FailOpenRedisClient):
        return DefaultClient.get_client(cache.client, write=True)  # no breaker check: getting is no I/O
    return get_redis_connection("default")


class _LocalCounters:
    """Fixed-window hit counters in this process's memory: the throttles' fallback without Redis."""

    MAX_KEYS = 50_000

    def __init__(self):
        self.lock = threading.Lock()
        self.counts: dict[str, tuple[float, int]] = {}  # key -> (expires at, monotonic; count)

    def hit(self, key: str, *, ttl_seconds: float) -> int:
        now = time.monotonic()
        with self.lock:
            expires_at, count = self.counts.get(key, (0.0, 0))
            if expires_at <= now:
                expires_at, count = now + ttl_seconds, 0
                if len(self.counts) >= self.MAX_KEYS:  # drop finished windows; bounded memory
                    self.counts = {k: v for k, v in self.counts.items() if v[0] > now}
            self.counts[key] = (expires_at, count + 1)
            return count + 1


_local_counters = _LocalCounters()


def local_hit_count(key: str, *, window_seconds: int) -> int:
    """Count one hit for `key` (a key naming its window) in this process only; the count so far."""
    return _local_counters.hit(key, ttl_seconds=window_seconds + 1)
