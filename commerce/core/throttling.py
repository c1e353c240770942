"""Atomic, cache-backed throttles.

DRF's SimpleRateThrottle reads a history list, decides, then writes it back: 50 parallel requests all
read the same list and all get through. Here each request does one atomic `incr` on a fixed-window
counter (Redis INCR in production, a locked dict in the local-memory cache), so at most `num_requests`
requests per window pass however many arrive at once.
"""

import time

from django.core.cache import cache
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

from commerce.core.cache_redis import default_cache_redis


def hit_counter(key: str, *, window_seconds: int) -> int:
    """Count one hit in the current window for `key` and return the count so far (atomic)."""
    window = int(time.time() // window_seconds)
    full_key = f"throttle:{key}:{window}"
    redis = default_cache_redis()
    if redis is not None:
        # One round trip: INCR creates the counter at 1 if absent; EXPIRE (re)sets its lifetime (the
        # key names its window, so a later EXPIRE only keeps a finished window's key a little longer).
        redis_key = cache.make_key(full_key)
        count, _ = redis.pipeline(transaction=True).incr(redis_key).expire(redis_key, window_seconds + 1).execute()
        return count
    # add() is atomic set-if-absent; incr() is atomic on Redis and on the locmem cache.
    if cache.add(full_key, 1, timeout=window_seconds + 1):
        return 1
    try:
        return cache.incr(full_key)
    except ValueError:  # expired between add() and incr()
        cache.add(full_key, 1, timeout=window_seconds + 1)
        return 1


class AtomicScopedRateThrottle(BaseThrottle):
    """Throttle by `throttle_scope` on the view, per user when logged in, else per client IP.

    Subclasses may override `get_ident_key` (e.g. login throttles by the account's email).
    """

    scope_attr = "throttle_scope"

    def __init__(self):
        self.rate_wait = None

    def get_scope(self, view):
        return getattr(view, self.scope_attr, None)

    def get_ident_key(self, request, view) -> str:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return f"user:{user.pk}"
        return f"ip:{self.get_ident(request)}"

    def allow_request(self, request, view):
        scope = self.get_scope(view)
        if not scope:
            return True
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(scope)
        if not rate:
            return True
        num_requests, duration = SimpleRateThrottle.parse_rate(None, rate)
        count = hit_counter(f"{scope}:{self.get_ident_key(request, view)}", window_seconds=duration)
        if count > num_requests:
            self.rate_wait = duration - (time.time() % duration)
            return False
        return True

    def wait(self):
        return self.rate_wait
