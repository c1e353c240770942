"""Atomic, cache-backed throttles: the one throttling module of the API and the rendered site.

DRF's SimpleRateThrottle reads a history list, decides, then writes it back: 50 parallel requests all
read the same list and all get through. Here each request does one atomic `incr` on a fixed-window
counter (Redis INCR in production, a locked dict in the local-memory cache), so at most `num_requests`
requests per window pass however many arrive at once.

One counter per scope whatever the entry point: the API's throttles (DRF classes below) and the
site's forms (`throttle_hit`) build the same keys (`<scope>:ip:<client>`, `<scope>:user:<pk>`,
`<scope>:email:<digest>`) from the same client address (`commerce.core.client_address`), so a client
switching between /track/ and /api/v1/orders/track/ gets one budget, not two.

Every throttled response (allowed or refused) carries the IETF draft's `RateLimit-Policy` and
`RateLimit` fields (draft-ietf-httpapi-ratelimit-headers-10), added by `RateLimitHeadersMiddleware`
from what the throttles recorded on the request.
"""

import hashlib
import time
from dataclasses import dataclass

from django.core.cache import cache
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

from commerce.core.cache_redis import default_cache_redis
from commerce.core.client_address import client_address


def hit_counter(key: str, *, window_seconds: int) -> int:
    """Count one hit in the current window for `key` and return the count so far (atomic).

    Redis unreachable: the hit is counted in this process's memory instead, so every limit still holds
    per process (a client gets at most the limit from each worker process: the limit times the number
    of processes across the shop, for as long as the outage lasts). Neither fail-closed (refusing every
    login and checkout would turn a cache outage into a shop outage) nor fail-open (login, tracking and
    password-reset guessing would be unlimited while Redis is down). Counts restart from Redis's when
    it answers again.
    """
    from redis.exceptions import RedisError

    from commerce.core.cache_redis import local_hit_count, redis_breaker_open, redis_failed

    window = int(time.time() // window_seconds)
    full_key = f"throttle:{key}:{window}"
    redis = default_cache_redis()
    if redis is not None:
        if redis_breaker_open():  # Redis failed in the last second: do not wait on it again
            return local_hit_count(full_key, window_seconds=window_seconds)
        # One round trip: INCR creates the counter at 1 if absent; EXPIRE (re)sets its lifetime (the
        # key names its window, so a later EXPIRE only keeps a finished window's key a little longer).
        redis_key = cache.make_key(full_key)
        try:
            count, _ = (
                redis.pipeline(transaction=True).incr(redis_key).expire(redis_key, window_seconds + 1).execute()
            )
        except (RedisError, OSError) as error:
            redis_failed(error, where="throttle")
            return local_hit_count(full_key, window_seconds=window_seconds)
        return count
    # add() is atomic set-if-absent; incr() is atomic on Redis and on the locmem cache.
    if cache.add(full_key, 1, timeout=window_seconds + 1):
        return 1
    try:
        return cache.incr(full_key)
    except ValueError:  # expired between add() and incr()
        cache.add(full_key, 1, timeout=window_seconds + 1)
        return 1


def scope_rate(scope: str) -> tuple[int, int] | None:
    """(requests, window seconds) of a scope from `DEFAULT_THROTTLE_RATES`, or None when unthrottled."""
    rate = api_settings.DEFAULT_THROTTLE_RATES.get(scope)
    if not rate:
        return None
    return SimpleRateThrottle.parse_rate(None, rate)


@dataclass(frozen=True)
class RateLimitState:
    """One scope's counter after this request: what the RateLimit fields report."""

    scope: str
    limit: int
    window: int
    count: int
    reset: int  # seconds until the window ends

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.count)

    @property
    def exceeded(self) -> bool:
        return self.count > self.limit


def _http_request(request):
    # DRF's Request wraps Django's HttpRequest; the middleware sees the latter
    return getattr(request, "_request", request)


def ip_ident(request) -> str:
    return f"ip:{client_address(_http_request(request))}"


def user_or_ip_ident(request) -> str:
    """Per account when logged in (API token or site session alike), else per client address."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return ip_ident(request)


def email_ident(email: str) -> str | None:
    """A hashed account email (no address in cache keys), or None for an empty one."""
    if not isinstance(email, str) or not email.strip():
        return None
    return f"email:{hashlib.sha256(email.strip().lower().encode()).hexdigest()}"


def throttle_hit(*, request, scope: str, idents: list[str]) -> RateLimitState | None:
    """Count one hit for every ident in `scope`; the state of the most used counter, or None if the
    scope has no rate. Every counter is incremented even when one is already over, so each window sees
    every attempt. The state is recorded on the request for the RateLimit response fields."""
    rate = scope_rate(scope)
    if rate is None:
        return None
    num_requests, duration = rate
    count = max(hit_counter(f"{scope}:{ident}", window_seconds=duration) for ident in idents if ident)
    reset = max(1, int(duration - (time.time() % duration) + 0.999))
    state = RateLimitState(scope=scope, limit=num_requests, window=duration, count=count, reset=reset)
    http_request = _http_request(request)
    states = getattr(http_request, "ratelimit_states", None)
    if states is None:
        states = []
        http_request.ratelimit_states = states
    states.append(state)
    return state


class AtomicScopedRateThrottle(BaseThrottle):
    """Throttle by `throttle_scope` on the view, per user when logged in, else per client address.

    Subclasses override `get_idents` (e.g. login counts per address and per account email).
    """

    scope_attr = "throttle_scope"

    def __init__(self):
        self.rate_wait = None

    def get_scope(self, view):
        return getattr(view, self.scope_attr, None)

    def get_ident(self, request):
        # DRF's own rule reads NUM_PROXIES; the shop has one rule for API and site alike
        return client_address(_http_request(request))

    def get_idents(self, request, view) -> list[str]:
        return [user_or_ip_ident(request)]

    def allow_request(self, request, view):
        scope = self.get_scope(view)
        if not scope:
            return True
        state = throttle_hit(request=request, scope=scope, idents=self.get_idents(request, view))
        if state is not None and state.exceeded:
            self.rate_wait = state.reset
            return False
        return True

    def wait(self):
        return self.rate_wait


class ClientAddressRateThrottle(AtomicScopedRateThrottle):
    """Per client address even when logged in (tracking: guessing numbers costs everyone the same)."""

    def get_idents(self, request, view) -> list[str]:
        return [ip_ident(request)]


class AnonUserRateThrottle(AtomicScopedRateThrottle):
    """The `anon` rate per address for visitors, the `user` rate per account once logged in."""

    def get_scope(self, view):
        return self._scope

    def allow_request(self, request, view):
        user = getattr(request, "user", None)
        self._scope = "user" if user is not None and user.is_authenticated else "anon"
        return super().allow_request(request, view)


def login_idents(request, email: str | None) -> list[str]:
    """Login counts twice: per client address (one address spraying many accounts) and per account
    email (many addresses guessing one account). The API and the site's login form both use this."""
    return [ident for ident in (ip_ident(request), email_ident(email or "")) if ident]


class LoginRateThrottle(AtomicScopedRateThrottle):
    """The `login` rate per client address and per account email; every attempt counts."""

    def get_scope(self, view):
        return "login"

    def get_idents(self, request, view) -> list[str]:
        email = request.data.get("email") if hasattr(request.data, "get") else None
        return login_idents(request, email if isinstance(email, str) else None)


def ratelimit_header_values(states: list[RateLimitState]) -> tuple[str, str]:
    """(`RateLimit-Policy`, `RateLimit`) per draft-ietf-httpapi-ratelimit-headers-10: one list member
    per scope counted, e.g. `"checkout";q=30;w=60` and `"checkout";r=29;t=41`."""
    by_scope: dict[str, RateLimitState] = {}
    for state in states:
        current = by_scope.get(state.scope)
        if current is None or state.count > current.count:
            by_scope[state.scope] = state
    policy = ", ".join(f'"{s.scope}";q={s.limit};w={s.window}' for s in by_scope.values())
    limit = ", ".join(f'"{s.scope}";r={s.remaining};t={s.reset}' for s in by_scope.values())
    return policy, limit


class RateLimitHeadersMiddleware:
    """Adds `RateLimit-Policy` and `RateLimit` to every response whose request hit a throttle, and
    `Retry-After` to a refused site form (DRF already sets it on API 429s)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        states = getattr(request, "ratelimit_states", None)
        if states:
            policy, limit = ratelimit_header_values(states)
            response.headers["RateLimit-Policy"] = policy
            response.headers["RateLimit"] = limit
            if response.status_code == 429 and "Retry-After" not in response.headers:
                refused = [state for state in states if state.exceeded] or states
                response.headers["Retry-After"] = str(max(state.reset for state in refused))
        return response
