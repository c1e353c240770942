"""Sessions in PostgreSQL, read through the cache (Django's `cached_db`), safe across Redis outages.

A Redis outage logs nobody out: the cache fails open (commerce/core/cache_redis.py) and every session is
read from the database. What the plain `cached_db` gets wrong is the way back: a logout (or any session
change) made during the outage reached the database but not Redis, and a Redis that returns with its
data (AOF persistence, a network partition) would serve the old copy, logged in, until it expired. So a
process that saw Redis fail drops every cached session once Redis answers again (one SCAN of the
keyspace per process per outage); the next read of each session comes from the database.
"""

import logging

from django.contrib.sessions.backends.cached_db import KEY_PREFIX
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore

from .cache_redis import cache_write_confirmed, redis_failures

logger = logging.getLogger(__name__)

_settled_failures = 0  # redis_failures() when this process last dropped the cached sessions


class SessionStore(CachedDBStore):
    def load(self):
        _drop_cached_sessions_after_an_outage(self._cache)
        return super().load()


def _drop_cached_sessions_after_an_outage(cache) -> None:
    global _settled_failures
    failures = redis_failures()
    if failures == _settled_failures:
        return
    if not hasattr(cache, "delete_pattern"):  # not Redis: nothing survives an outage
        _settled_failures = failures
        return
    dropped = []
    if cache_write_confirmed(lambda: dropped.append(cache.delete_pattern(f"{KEY_PREFIX}*", itersize=1000))):
        _settled_failures = failures
        logger.info("Redis is back: dropped %s cached sessions that may predate the outage", dropped[0])
