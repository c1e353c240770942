"""Production: secrets and services come from the environment; `manage.py check --deploy` is clean."""

from .base import *  # noqa: F401,F403
from .base import env

DEBUG = False
SECRET_KEY = env("SECRET_KEY")  # no default: refuse to start without one
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")  # nginx terminates TLS
# nginx appends the address it saw to X-Forwarded-For. Default: nginx is the one trusted hop; behind a
# balancer name its range and nginx's (README, "Production").
TRUSTED_PROXIES = env("TRUSTED_PROXIES", default=env("NUM_PROXIES", default="1"))
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "SAMEORIGIN"
# Wagtail's live preview renders the page in a same-origin iframe, which DENY would break.
SILENCED_SYSTEM_CHECKS = ["security.W019"]

# Static files are built into the image and served by the app: hashed, compressed names that
# whitenoise sends with `Cache-Control: public, max-age=315360000, immutable`.
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
}
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,  # noqa: F405
                  "whitenoise.middleware.WhiteNoiseMiddleware")
