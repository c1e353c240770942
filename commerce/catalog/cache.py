"""The catalogue's read cache: one version key invalidates every cached catalogue read at once.

Cached entries (API pages, the category index, the filter index) are tied to the current
catalogue version. Any change to a product, variant, price, stock, image,
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


def cached_page_get(name: str) -> tuple[str, Any]:
    """(current version, the entry stored for it or None) in ONE cache round trip.

    Pages are stored as (version, value) under a key without the version, so the version and the
    page come back together in a single MGET; a page stored for an older version is a miss.
    """
    key = f"catalog:page:{name}"
    found = cache.get_many([VERSION_KEY, key])
    version = found.get(VERSION_KEY)
    if version is None:
        return catalog_version(), None
    entry = found.get(key)
    if entry is not None and entry[0] == version:
        return version, entry[1]
    return version, None


def cached_page_set(name: str, version: str, value: Any) -> None:
    cache.set(f"catalog:page:{name}", (version, value), ENTRY_TIMEOUT_SECONDS)
