"""The catalogue's read cache: one version key invalidates every cached catalogue read at once.

Cached entries (API list pages, the category index, the filter index) are stored under keys that
contain the current catalogue version. Any change to a product, variant, price, stock, image,
attribute or category calls `catalog_cache_bump()`, which writes a new version: older entries are
never read again and expire on their own. That is cheaper and safer than finding and deleting every
page that might show the changed row.

The version lives in Django's cache, so with Redis (production) every worker sees a bump at once.
With the local-memory cache (the embedded setup, one process) it is per process, which is enough for
`runserver`.
"""

import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import transaction

VERSION_KEY = "catalog:version"
# Entries outlive a version only as garbage; this bounds how long they occupy the cache.
ENTRY_TIMEOUT_SECONDS = 60 * 60

T = TypeVar("T")

# Per-process copies of small, hot lookups (category tree, filter index) for the current version,
# so that a request pays one cache round trip for the version instead of unpickling them again.
_memo: dict[str, tuple[str, Any]] = {}


def catalog_version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, str(time.time_ns()), None)
        version = cache.get(VERSION_KEY)
    return str(version)


def _write_new_version() -> None:
    # A fresh nanosecond stamp instead of incr(): a plain SET needs no existing key and cannot race
    # into a lower number.
    cache.set(VERSION_KEY, str(time.time_ns()), None)


def catalog_cache_bump() -> None:
    """Invalidate every cached catalogue read.

    Bumps now (so the writer's own next read is fresh, even inside a test transaction) and again when
    the surrounding transaction commits: a reader that cached a page between the two bumps saw the
    pre-commit rows, and the second bump throws that page away.
    """
    _write_new_version()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(_write_new_version)


def versioned_key(name: str, version: str) -> str:
    return f"catalog:{version}:{name}"


def cached_for_version(name: str, build: Callable[[], T], *, version: str | None = None) -> T:
    """`build()` once per catalogue version, shared by all processes through the cache."""
    version = version or catalog_version()
    memo = _memo.get(name)
    if memo is not None and memo[0] == version:
        return memo[1]
    key = versioned_key(name, version)
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, ENTRY_TIMEOUT_SECONDS)
    _memo[name] = (version, value)
    return value


def cache_get_versioned(name: str, version: str) -> Any:
    return cache.get(versioned_key(name, version))


def cache_set_versioned(name: str, version: str, value: Any) -> None:
    cache.set(versioned_key(name, version), value, ENTRY_TIMEOUT_SECONDS)
