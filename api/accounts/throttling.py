"""Throttles of the auth endpoints, on the shared atomic counter."""

import hashlib
import time

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from commerce.core.throttling import AtomicScopedRateThrottle, hit_counter


class AnonUserRateThrottle(AtomicScopedRateThrottle):
    """The `anon` rate per IP for visitors, the `user` rate per account once logged in."""

    def allow_request(self, request, view):
        user = getattr(request, "user", None)
        self.scope = "user" if user is not None and user.is_authenticated else "anon"
        return super().allow_request(request, view)

    def get_scope(self, view):
        return self.scope


class LoginRateThrottle(AtomicScopedRateThrottle):
    """The `login` rate counted twice: per account email and per client IP.

    Per email stops a parallel guessing burst on one account from many addresses; per IP stops one
    address from spraying guesses across many accounts. Every attempt counts, right or wrong, and
    each counter is one atomic increment, so a burst of 50 parallel requests lets at most the
    rate's number through.
    """

    def allow_request(self, request, view):
        rate = api_settings.DEFAULT_THROTTLE_RATES.get("login")
        if not rate:
            return True
        num_requests, duration = SimpleRateThrottle.parse_rate(None, rate)
        keys = [f"login:ip:{self.get_ident(request)}"]
        email = request.data.get("email") if hasattr(request.data, "get") else None
        if isinstance(email, str) and email.strip():
            digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
            keys.append(f"login:email:{digest}")
        # count every key even when the first is already over: both windows see the attempt
        counts = [hit_counter(key, window_seconds=duration) for key in keys]
        if max(counts) > num_requests:
            self.rate_wait = duration - (time.time() % duration)
            return False
        return True
