"""The redis-py client behind Django's default cache, for the few places that need Redis commands
the cache API lacks (MULTI pipelines, PUBLISH, INCR + EXPIRE in one round trip)."""

from django.core.cache import caches
from django_redis import get_redis_connection
from django_redis.cache import RedisCache


def default_cache_redis():
    """The client of the default cache when it is django-redis (production), else None (local memory,
    dummy: callers fall back to the plain cache API)."""
    if not isinstance(caches["default"], RedisCache):
        return None
    return get_redis_connection("default")
