"""A fixed-window counter on the cache, for the site forms of this app (the API uses DRF throttles)."""

import time

from django.core.cache import cache


def throttle_hit(key: str, *, limit: int, window_seconds: int) -> bool:
    """Count a hit for `key`; True when it is over `limit` in the current window (refuse it)."""
    full_key = f"throttle:marketing:{key}:{int(time.time() // window_seconds)}"
    if cache.add(full_key, 1, timeout=window_seconds + 1):
        return limit < 1
    try:
        return cache.incr(full_key) > limit
    except ValueError:  # expired in between
        cache.add(full_key, 1, timeout=window_seconds + 1)
        return False
