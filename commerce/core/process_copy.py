"""Per-process copies of small, rarely edited tables that a hot path reads on every request.

A `ProcessCopy` keeps the result of `load()` in the process, tagged with a version held in Django's
cache (Redis in production, shared by every worker). `bump()` — called by the owning app's
post_save / post_delete receivers — writes a new version, so the next `get()` in every process
reloads. A `get()` costs one cache GET instead of the queries `load()` makes.

The version is written twice, like the catalogue's (commerce/catalog/cache.py): at the save, so the
writer's own next read is fresh, and again at commit, so a copy another process loaded between the
two (the old rows) is thrown away. `get()` reads the version *before* loading, so a copy is never
tagged newer than what it holds. Without a shared cache (DummyCache) nothing is kept: every `get()`
loads. Queryset .update() and bulk_create() send no signals: code writing such a table in bulk must
call `bump()` itself.

Redis unreachable (the cache fails open, commerce/core/cache_redis.py): the version reads as missing,
so every `get()` loads from the database and nothing is kept; a bump that cannot be written is dropped
(it never raises: it may run after a commit). Redis may come back holding the version from before the
outage while the rows changed during it, so a copy in a process that saw Redis fail writes a new
version once Redis answers again: these tables price orders, and an old copy must not outlive an outage.

The loaded objects are shared by every request and thread of the process: treat them as read-only.
"""

import time
from collections.abc import Callable
from typing import Generic, TypeVar

from django.core.cache import cache
from django.db import transaction

from commerce.core.after_commit import on_commit_fail_open
from commerce.core.cache_redis import cache_write_confirmed, redis_failures

T = TypeVar("T")


class ProcessCopy(Generic[T]):
    def __init__(self, name: str, load: Callable[[], T]):
        self.version_key = f"process-copy:{name}:version"
        self._load = load
        self._current: tuple[str, T] | None = None  # (version, value), replaced whole (thread-safe)
        self._settled_failures = 0  # redis_failures() when this copy last wrote its version

    def _version(self) -> str | None:
        version = cache.get(self.version_key)
        if version is None:  # first read, or the cache was flushed/evicted: start a new version
            cache.add(self.version_key, str(time.time_ns()), None)
            version = cache.get(self.version_key)
        return None if version is None else str(version)

    def get(self) -> T:
        failures = redis_failures()
        if failures != self._settled_failures:  # Redis failed since: bumps may have been lost
            self._current = None
            if cache_write_confirmed(self._write_new_version):
                self._settled_failures = failures
        version = self._version()
        current = self._current
        if version is not None and current is not None and current[0] == version:
            return current[1]
        value = self._load()
        if version is not None:
            self._current = (version, value)
        return value

    def _write_new_version(self) -> None:
        cache.set(self.version_key, str(time.time_ns()), None)

    def bump(self) -> None:
        """Make every process reload on its next read."""
        self._current = None  # this process at once, even if the cache write fails
        self._write_new_version()
        if transaction.get_connection().in_atomic_block:
            # fails open: a committed write stands whatever happens to the bump
            on_commit_fail_open(self._write_new_version, what=f"{self.version_key} bump")

    def changed(self, sender, **kwargs) -> None:
        """A post_save / post_delete receiver."""
        self.bump()
