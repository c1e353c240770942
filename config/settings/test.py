"""Test settings: fast hashing, in-process Celery, in-memory email; services only if the env names them."""

from .base import *  # noqa: F401,F403
from .base import CACHES, REDIS_URL, env

DEBUG = False
SECRET_KEY = "test-secret-key-not-for-production-0123456789abcdef"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = "memory://"
MEDIA_ROOT = BASE_DIR / ".test-media"  # noqa: F405
STORAGES = {  # plain storage: tests never touch S3
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if REDIS_URL:
    # a key prefix of its own so that the suite never reads a developer's cache
    CACHES["default"]["KEY_PREFIX"] = env("CACHE_KEY_PREFIX", default="cartwheel-test")
WAGTAILADMIN_BASE_URL = "http://testserver"
# Off in tests whatever the broker (base.py turns it on when Celery is eager): a publish_scheduled run
# on a test's first request would add its queries to every query-count assertion. The campaign tests
# switch it on for themselves.
SCHEDULED_PUBLISHING_ON_REQUESTS = False
STOREFRONT_URL = WAGTAILADMIN_BASE_URL
