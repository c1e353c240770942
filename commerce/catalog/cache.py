"""The catalogue's read cache: one version key invalidates every cached catalogue read at once.

Cached entries (API pages, the category index, the filter index) are tied to the current
catalogue version. Any change to a product, variant, price, stock, image,
attribute or category calls `catalog_cache_bump()`, which writes a new version: older entries are
never read again and expire on their own. That is cheaper and safer than finding and deleting every
page that might show the changed row.

The version lives in Django's cache. With the local-memory cache (the embedded setup, one process) it
is per process, which is enough for `runserver`, and every read asks the cache for it.

With Redis (production), a Redis round trip per read was about half the CPU of a cached API page, so
each process also holds the version, and the page bodies stored for it, in memory:

- A bump SETs the new version and PUBLISHes it in one MULTI/EXEC, so the messages go out in the order
  of the writes: the last one a process receives is the stored value, even when writers race.
- A daemon thread per process (`_VersionWatcher`, started on first use and again in a forked child,
  i.e. in every gunicorn worker) SUBSCRIBEs, waits for the confirmation, only then GETs the key (a bump
  in between arrives as a message, so none is lost), and applies every message after that. The
  channel is the key's full name (KEY_PREFIX included) plus the database number, since PUBLISH ignores
  databases: deployments and test runs sharing a Redis server do not hear each other.
- A FLUSHDB/FLUSHALL (the tests' cache.clear(), or an operator emptying the cache) changes the version
  without a message. The same connection turns on Redis client-side tracking without tracking any key,
  which makes Redis report exactly those flushes; the thread then forgets the version and GETs the key
  again. Every other write of the key (a bump, or recreating it when missing) publishes; the key
  deleted or evicted changes no data, so the pages held stay right until whoever recreates it
  publishes. (Tracking needs Redis 6 or later; where it is refused the thread never connects and
  reads stay as below.)
- A page read from Redis, or stored, for the version the thread holds is kept in process memory
  (bounded by LOCAL_MAX_ENTRIES / LOCAL_MAX_BYTES, dropped when the version changes), and the next
  request for it is answered with no round trip at all.

Redis unreachable (the cache fails open, commerce/core/cache_redis.py): every read is a miss and every
page is built from PostgreSQL; a bump that cannot be written is logged and dropped, never raised (it
runs after commit, where an error would turn a committed order into a 500). Redis may come back with
the data it held before the outage, so a process that saw Redis fail writes a new version as soon as
Redis answers again (`_settle_outage`): pages stored before the outage are never served after it.

Scopes: stock and variant changes do not bump the whole catalogue. They bump a *scope* under the
current version: `product:<id>` (that product's detail) and, only when something a list can show
changed (a variant's in-stock flag flipped, a variant's price or attribute values changed), `lists`
(every list page and its facets). A scoped page is valid for "<version>:<scope counter>". Counters
live in one Redis hash per catalogue version, incremented and published by one Lua script (so they only
grow, whatever the hosts' clocks), and the watcher keeps them beside the version: it reads the hash
after subscribing and applies each `s:` message. A new catalogue version starts with an empty hash.

Whenever the thread does not know the version (not connected yet, connection lost: it reconnects with
a back-off from 0.1 s to 5 s; a flush being re-read; or a bump by this process not yet echoed back by
the subscription) every read falls back to the Redis round trip, exactly as without the thread.

Propagation: the writer's own process reads fresh at once (its bump sends its reads to Redis until
the message comes back). Another process keeps answering from memory with the previous version until
its thread reads the message: normally well under a millisecond, a few milliseconds when the GIL is
busy (the interpreter's switch interval is 5 ms). A connection that dies silently is noticed by a
PING within about 2 s; until then that process does not see new bumps.
"""

import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import transaction

from commerce.core.after_commit import on_commit_fail_open
from commerce.core.cache_redis import default_cache_redis, redis_breaker_open, redis_failed, redis_failures

logger = logging.getLogger(__name__)

VERSION_KEY = "catalog:version"
LISTS_SCOPE = "lists"
# bumped, just before LISTS_SCOPE, when a stock move takes a variant in or out of stock: lets the list
# engine (list_index.py) tell a sell-out, which needs only its stock bits re-read, from other list changes
STOCK_FLIPS_SCOPE = "stock-flips"
# Entries outlive a version only as garbage; this bounds how long they occupy the cache.
ENTRY_TIMEOUT_SECONDS = 60 * 60

# Page bodies held in process memory, per process. A catalogue worker already sits near 135 MB of its
# 150 MB budget; the bench's working set (two list pages, 500 product pages) is a few MB.
LOCAL_MAX_ENTRIES = 4000
LOCAL_MAX_BYTES = 8 * 1024 * 1024

# The watcher PINGs a quiet subscription this often; a PING unanswered for as long means a dead connection.
PING_INTERVAL_SECONDS = 1.0
# Redis sends client-tracking invalidations (here: flushes) as messages on this channel (RESP2).
INVALIDATE_CHANNEL = b"__redis__:invalidate"
_POOL_ONLY_KWARGS = {"parser_class", "maint_notifications_pool_handler", "maint_notifications_config"}

T = TypeVar("T")

# Per-process copies of small, hot lookups (category tree, filter index) for the current version,
# so that a request does not unpickle them again.
_memo: dict[str, tuple[str, Any]] = {}


def _redis_cache() -> bool:
    return default_cache_redis() is not None


def _channel() -> str:
    db = default_cache_redis().connection_pool.connection_kwargs.get("db", 0)
    return f"{cache.make_key(VERSION_KEY)}@{db}"


def _stored_version() -> str | None:
    version = cache.get(VERSION_KEY)
    return None if version is None else str(version)


class _VersionWatcher:
    """This process's copy of the catalogue version, kept current by a Redis subscription, and the page
    bodies held in memory for that version. Inactive (version None, nothing held) without django-redis."""

    def __init__(self, connection_overrides: dict | None = None):
        self._overrides = connection_overrides or {}  # tests point a watcher at a dead port
        self._lock = threading.Lock()  # guards every write below; reads go without it
        self._pid: int | None = None  # the process the thread runs in
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._conn = None
        self._latest: str | None = None  # what the subscription last said (None: unknown)
        self._own_writes: set[str] = set()  # versions this process wrote whose message has not come back
        self._version: str | None = None  # what reads may trust: _latest, unless an own write is pending
        self._pages: dict[str, tuple[str, Any]] = {}  # name -> (version, body), all for _pages_version
        self._pages_version: str | None = None
        self._pages_bytes = 0
        self._scopes: dict[str, int] = {}  # scope -> counter, for _latest

    # --- request side -------------------------------------------------------------------------------

    def version(self) -> str | None:
        if self._pid != os.getpid():
            self._start()
        return self._version

    def scoped_version(self, scope: str | None) -> str | None:
        version = self.version()
        if version is None or scope is None:
            return version
        return f"{version}:{self._scopes.get(scope, 0)}"

    def page(self, name: str, scope: str | None = None) -> tuple[str, Any] | None:
        version = self.scoped_version(scope)
        entry = self._pages.get(name) if version is not None else None
        # the entry carries its version: one stored for an older version or scope counter is never served
        return entry if entry is not None and entry[0] == version else None

    def keep(self, name: str, version: str, body: Any, scope: str | None = None) -> None:
        """Hold a page body read or stored for `version`, if that is the version reads trust now."""
        if not isinstance(body, bytes) or len(body) > LOCAL_MAX_BYTES:
            return  # only bytes have a size we can count
        expected = self.scoped_version(scope)  # outside the lock: it may start the thread, which takes it
        with self._lock:
            if version != expected:
                return
            held = self._pages.get(name)
            if held is not None:
                if held[0] == version:
                    return
                del self._pages[name]  # an older scope counter's body
                self._pages_bytes -= len(held[1])
            while self._pages and (
                len(self._pages) >= LOCAL_MAX_ENTRIES or self._pages_bytes + len(body) > LOCAL_MAX_BYTES
            ):
                _, oldest = self._pages.pop(next(iter(self._pages)))
                self._pages_bytes -= len(oldest)
            self._pages[name] = (version, body)
            self._pages_bytes += len(body)

    def write_started(self, version: str) -> None:
        """This process is about to write `version`: trust nothing until its message comes back.

        Setting the version directly could go backwards when two threads bump at once: one could set
        its own after the other's newer message had been applied. The subscription's order cannot.
        """
        with self._lock:
            if self._thread is not None and self._pid == os.getpid():
                self._own_writes.add(version)
                self._refresh()

    def scope_written(self, version: str, scope: str, counter: int) -> None:
        """This process bumped `scope`: apply it now (its own next read must be fresh)."""
        with self._lock:
            if version == self._latest and counter > self._scopes.get(scope, 0):
                self._scopes[scope] = counter

    def write_failed(self, version: str) -> None:
        with self._lock:
            self._own_writes.discard(version)
            self._refresh()

    def stop(self) -> None:
        """Stop the thread and forget the version; this process then reads from Redis (tests)."""
        with self._lock:
            thread, self._thread = self._thread, None
            self._stopping.set()
            conn = self._conn
        if conn is not None:
            conn.disconnect()  # wakes the thread if it is waiting on the socket
        if thread is not None:
            thread.join(timeout=5)
        self._set(None, forget_own_writes=True)

    # --- the thread ---------------------------------------------------------------------------------

    def _refresh(self) -> None:  # under self._lock
        version = None if self._own_writes else self._latest
        if version is not None and version != self._pages_version:
            self._pages.clear()  # bodies of an older version are never served again: free them now
            self._pages_bytes = 0
            self._pages_version = version
        self._version = version

    def _set(
        self, latest: str | None, *, message: bool = False, forget_own_writes: bool = False, scopes: dict | None = None
    ) -> None:
        with self._lock:
            if message:
                self._own_writes.discard(latest)
            if forget_own_writes:
                self._own_writes.clear()
            if latest != self._latest or scopes is not None:
                self._scopes = dict(scopes or {})  # a new version starts with no scope bumped
            self._latest = latest
            self._refresh()

    def _apply_scope_message(self, payload: str) -> None:
        # "s:<version>:<counter>:<scope>"
        _, version, counter, scope = payload.split(":", 3)
        with self._lock:
            if version == self._latest and int(counter) > self._scopes.get(scope, 0):
                self._scopes[scope] = int(counter)

    def _start(self) -> None:
        with self._lock:
            if self._pid == os.getpid():
                return
            # First use in this process, or first use in a forked child: the parent's thread did not
            # come along, and its connection and version are not this process's.
            self._pid = os.getpid()
            self._conn, self._thread, self._stopping = None, None, threading.Event()
            self._latest = self._pages_version = None
            self._own_writes.clear()
            self._pages.clear()
            self._pages_bytes = 0
            self._refresh()
            if _redis_cache():
                self._thread = threading.Thread(target=self._run, name="catalog-version-watcher", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        delay, failures = 0.1, 0
        while not self._stopping.is_set():
            connected_at = time.monotonic()
            try:
                self._listen()
            except Exception as error:  # whatever went wrong, reads go to Redis until we are back
                if not self._stopping.is_set():
                    log = logger.warning if failures == 0 else logger.debug
                    log("catalogue version watcher: %r; reading the version from Redis until it reconnects", error)
                failures += 1
            finally:
                self._set(None, forget_own_writes=True)
                if self._conn is not None:
                    self._conn.disconnect()
            if time.monotonic() - connected_at > 30:
                delay, failures = 0.1, 0  # it had been working for a while: this is a new outage
            if self._stopping.wait(delay):
                return
            delay = min(delay * 2, 5.0)

    def _connect(self):
        pool = default_cache_redis().connection_pool
        # The pool's address, database, credentials and TLS settings, but not its parser and maintenance
        # notification handler, which belong to its protocol. RESP2, so that invalidations arrive as
        # messages of this subscription; a socket timeout, so that a read stuck on a dead connection fails.
        kwargs = {name: value for name, value in pool.connection_kwargs.items() if name not in _POOL_ONLY_KWARGS}
        kwargs.update(protocol=2, socket_timeout=5.0, socket_connect_timeout=5.0, **self._overrides)
        conn = self._conn = pool.connection_class(**kwargs)
        conn.connect()
        conn.send_command("CLIENT", "ID")
        # Tracking, redirected to this same connection, without ever reading a key here: Redis then
        # reports only FLUSHDB/FLUSHALL, the one change of the version that publishes nothing.
        conn.send_command("CLIENT", "TRACKING", "ON", "REDIRECT", conn.read_response())
        conn.read_response()
        channel = _channel()
        conn.send_command("SUBSCRIBE", channel, INVALIDATE_CHANNEL)
        conn.read_response()
        conn.read_response()  # both subscriptions confirmed: from here on no bump goes unheard
        return conn, channel.encode()

    def _listen(self) -> None:
        conn, channel = self._connect()
        # Read the key only now: an earlier bump is in it, a later one arrives as a message.
        version = _stored_version()
        self._set(version, forget_own_writes=True, scopes=_stored_scopes(version))
        ping_sent = False
        while not self._stopping.is_set():
            if not conn.can_read(timeout=PING_INTERVAL_SECONDS):
                if ping_sent:
                    raise ConnectionError("no answer to PING")
                conn.send_command("PING")
                ping_sent = True
                continue
            reply = conn.read_response()
            ping_sent = False
            if reply[0] != b"message":
                continue  # the answer to PING
            if reply[1] == channel:
                payload = reply[2].decode()
                if payload.startswith("s:"):
                    self._apply_scope_message(payload)
                else:
                    self._set(payload, message=True)
            else:  # an invalidation: a database was flushed, the key may be gone or new
                self._set(None)
                version = _stored_version()
                self._set(version, scopes=_stored_scopes(version))


_watcher = _VersionWatcher()


def _after_fork_in_child() -> None:
    # A lock held by one of the parent's threads at fork() would never be released in the child.
    _watcher._lock = threading.Lock()


os.register_at_fork(after_in_child=_after_fork_in_child)


# redis_failures() when this process last wrote a version; a different count: an outage since.
_settled_failures = 0


def _settle_outage() -> None:
    """After Redis failed in this process, write a new version once it answers again.

    Bumps made during the outage were lost, and Redis may still hold pages of the version before it.
    Every process that saw the outage bumps once (cheap: one miss per page), so a writer that died
    before Redis returned is covered by the others."""
    global _settled_failures
    failures = redis_failures()
    if failures == _settled_failures or redis_breaker_open() or not _redis_cache():
        return
    if _write_new_version(confirm=True) is not None:
        _settled_failures = failures


def catalog_version() -> str:
    _settle_outage()
    version = _watcher.version()
    if version is not None:
        return version
    version = cache.get(VERSION_KEY)
    if version is None:  # first use, or the cache was flushed
        if _redis_cache():
            return _write_new_version()  # published, so that every process's watcher learns it
        cache.add(VERSION_KEY, str(time.time_ns()), None)
        version = cache.get(VERSION_KEY)
    return str(version)


def catalog_scoped_version(scope: str) -> str:
    """"<catalogue version>:<scope counter>": what a page of `scope` is valid for (cached_page_get),
    for per-process structures built from what that scope shows (list_index.py). No round trip when
    the watcher knows both."""
    _settle_outage()
    version = _watcher.scoped_version(scope)
    if version is not None:
        return version
    version = catalog_version()
    return f"{version}:{_stored_scope(version, scope)}"


def _write_new_version(*, confirm: bool = False) -> str | None:
    """Write (and publish) a new version and return it. Redis unreachable: logged, not raised; the
    version is returned all the same (nothing is cached under it), or None with `confirm`."""
    # A fresh nanosecond stamp instead of incr(): a plain SET needs no existing key and cannot race
    # into a lower number.
    version = str(time.time_ns())
    if not _redis_cache():
        cache.set(VERSION_KEY, version, None)
        return version
    if redis_breaker_open():
        return None if confirm else version
    _watcher.write_started(version)
    try:
        # SET and PUBLISH in one MULTI/EXEC (one round trip): messages leave in the order of the writes.
        # The value is encoded as django-redis encodes it, so that cache.get() reads it back.
        pipe = default_cache_redis().pipeline(transaction=True)
        pipe.set(cache.make_key(VERSION_KEY), cache.client.encode(version))
        pipe.publish(_channel(), version)
        pipe.execute()
    except Exception as error:
        _watcher.write_failed(version)
        redis_failed(error, where="catalogue version bump")
        return None if confirm else version
    return version


def _bump_after_commit() -> None:
    _write_new_version()


def catalog_cache_bump(*, at_commit_only: bool = False) -> None:
    """Invalidate every cached catalogue read.

    Bumps now (so the writer's own next read is fresh, even inside a test transaction) and again when
    the surrounding transaction commits: a reader that cached a page between the two bumps saw the
    pre-commit rows, and the second bump throws that page away.

    `at_commit_only`: only the bump at commit, which is all other readers need; for writers that do
    not read the catalogue again in their transaction (stock moves: every checkout allocates, and each
    bump is a round trip plus a wake-up of every process's watcher). Outside a transaction it bumps now.
    """
    in_transaction = transaction.get_connection().in_atomic_block
    if not (at_commit_only and in_transaction):
        _write_new_version()
    if in_transaction:
        # fails open: the commit stands whatever happens to the bump (see commerce/core/after_commit.py)
        on_commit_fail_open(_bump_after_commit, what="catalogue version bump")


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


def cached_page_get(name: str, scope: str | None = None) -> tuple[str, Any]:
    """(current version, the entry stored for it or None). With a `scope` the version is
    "<catalogue version>:<scope counter>": the page is also dropped when that scope is bumped.

    From process memory when the watcher knows the version and holds the page; otherwise in ONE cache
    round trip (two for a scoped page): pages are stored as (version, value) under a key without the
    version, so the version and the page come back together in a single MGET; a page stored for an
    older version is a miss.
    """
    _settle_outage()
    entry = _watcher.page(name, scope)
    if entry is not None:
        return entry
    key = f"catalog:page:{name}"
    found = cache.get_many([VERSION_KEY, key])
    version = found.get(VERSION_KEY)
    if version is None:
        version = catalog_version()
        return (version if scope is None else f"{version}:{_stored_scope(version, scope)}"), None
    version = str(version)
    if scope is not None:
        version = f"{version}:{_stored_scope(version, scope)}"
    entry = found.get(key)
    if entry is not None and entry[0] == version:
        _watcher.keep(name, version, entry[1], scope)
        return version, entry[1]
    return version, None


def cached_page_set(name: str, version: str, value: Any, scope: str | None = None) -> None:
    cache.set(f"catalog:page:{name}", (version, value), ENTRY_TIMEOUT_SECONDS)
    _watcher.keep(name, version, value, scope)


# --- scopes ------------------------------------------------------------------------------------------


def product_scope(product_id: int) -> str:
    return f"product:{product_id}"


def _scopes_key(version: str) -> str:
    return cache.make_key(f"catalog:scopes:{version}")


# HINCRBY and PUBLISH in one script: counters only grow and messages leave in the order of the writes
_SCOPE_BUMP_LUA = """
local counter = redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('PUBLISH', ARGV[2], 's:' .. ARGV[3] .. ':' .. counter .. ':' .. ARGV[1])
return counter
"""


def _stored_scopes(version: str | None) -> dict[str, int]:
    if version is None or not _redis_cache() or redis_breaker_open():
        return {}
    try:
        raw = default_cache_redis().hgetall(_scopes_key(version))
    except Exception as error:  # fails open like every cache read: the pages are computed instead
        redis_failed(error, where="catalogue scope read")
        return {}
    return {k.decode(): int(v) for k, v in raw.items()}


def _stored_scope(version: str, scope: str) -> int:
    if not _redis_cache():
        return int(cache.get(f"catalog:scope:{version}:{scope}") or 0)
    if redis_breaker_open():
        return 0  # the page read that follows misses too (the cache fails open): it is computed
    try:
        value = default_cache_redis().hget(_scopes_key(version), scope)
    except Exception as error:
        redis_failed(error, where="catalogue scope read")
        return 0
    return int(value or 0)


def _write_scopes(scopes) -> None:
    version = catalog_version()
    if not _redis_cache():
        for scope in scopes:
            key = f"catalog:scope:{version}:{scope}"
            cache.add(key, 0, ENTRY_TIMEOUT_SECONDS)
            cache.incr(key)
        return
    if redis_breaker_open():
        return  # Redis failed a moment ago; the version written when it answers again covers these scopes
    try:
        script = default_cache_redis().register_script(_SCOPE_BUMP_LUA)
        for scope in scopes:
            counter = script(keys=[_scopes_key(version)], args=[scope, _channel(), version, ENTRY_TIMEOUT_SECONDS])
            _watcher.scope_written(version, scope, int(counter))
    except Exception as error:
        # cosmetic, so it fails open: a committed checkout must not turn into an error. redis_failed
        # marks the outage, and the new version written once Redis answers drops every stale page.
        redis_failed(error, where="catalogue scope bump")


def catalog_scope_bump(*, scopes, at_commit_only: bool = False) -> None:
    """Invalidate the pages of these scopes only (`product_scope(id)`, LISTS_SCOPE); like
    `catalog_cache_bump`, now and again at commit, or only at commit with `at_commit_only`.
    Scopes are bumped (and announced) in the order given, duplicates once."""
    scopes = list(dict.fromkeys(scopes))
    if not scopes:
        return
    in_transaction = transaction.get_connection().in_atomic_block
    if not (at_commit_only and in_transaction):
        _write_scopes(scopes)
    if in_transaction:
        # fails open: the commit stands whatever happens to the bump (see commerce/core/after_commit.py)
        on_commit_fail_open(lambda: _write_scopes(scopes), what="catalogue scope bump")
