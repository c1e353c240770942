"""Benchmark settings: production settings as deployed, plus what a loopback benchmark needs.

Selected by the bench scripts through DJANGO_SETTINGS_MODULE=bench.settings; never used in
production. The environment still supplies DATABASE_URL, REDIS_URL and SECRET_KEY, as in production.
"""

from config.settings.production import *  # noqa: F401,F403
from config.settings.production import env

# the floor view (a constant JSON answer) lives in a bench-only URLconf, never in production's
ROOT_URLCONF = "bench.urls"

# BENCH_CACHE=none measures the uncached path: every cache read misses.
if env("BENCH_CACHE", default="") == "none":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

LOGGING = {  # a line per request would measure the terminal, not the app
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "ERROR"},
}
