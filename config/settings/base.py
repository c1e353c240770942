"""Settings shared by every environment.

The environment is read here (and in production.py) only. With no environment at all the project
runs embedded: SQLite, local-memory cache, database sessions, eager Celery, console email and media
on disk, so `make run` works on a fresh machine with no services.
"""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF, UNSAFE_INLINE

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()

SECRET_KEY = env("SECRET_KEY", default="insecure-dev-only-key-change-me-in-production-0123456789")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Content types first: apps are dumped and reloaded in this order (a test database's serialized
    # rollback, `dumpdata` of the whole site), and Wagtail's workflow tasks look their content type
    # up while they are being built; listed later, that lookup would insert a second copy of a row
    # about to be reloaded. It ships no templates, so the override order below is unchanged.
    "django.contrib.contenttypes",
    # project apps next so their templates override Wagtail's where they share a name
    "commerce.core",
    "commerce.accounts",
    "commerce.catalog",
    "commerce.cart",
    "commerce.orders",
    "commerce.promotions",
    "commerce.reviews",
    "commerce.notifications",
    "commerce.dashboard",
    "commerce.webhooks",
    "commerce.emails",
    "commerce.marketing",
    "commerce.imports",
    "cms_pages",
    "api",
    "storefront",
    "demo",
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.search_promotions",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail.api.v2",
    "wagtail",
    "wagtail_modeladmin",
    "modelcluster",
    "taggit",
    # third party
    "rest_framework",
    "rest_framework_simplejwt",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "corsheaders",
    "csp",
    "phonenumber_field",
    # Django
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    # /healthz and /readyz, answered before the HTTPS redirect and the ALLOWED_HOSTS check (probes)
    "commerce.core.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # before anything reads the request: control characters in the path or query string, oversized
    # API bodies (commerce/core/validation.py has the rules)
    "commerce.core.middleware.InputGuardMiddleware",
    "commerce.core.middleware.PermissionsPolicyMiddleware",
    "commerce.core.middleware.ShopCSPMiddleware",
    # RateLimit-Policy / RateLimit fields from whatever throttle the request hit (API or site)
    "commerce.core.throttling.RateLimitHeadersMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # API answers without their own Cache-Control: private, Vary on login, cookie and cart token
    "api.http_caching.ApiPrivateCacheMiddleware",
    # publishes due scheduled content when no Celery beat runs (commerce/marketing/campaigns.py)
    "commerce.marketing.campaigns.ScheduledPublishingMiddleware",
    # innermost, so that its process_exception sees a view's exception first: the 500's error id
    "commerce.core.middleware.ErrorIdMiddleware",
]
# Under /api/ Django's own refusals answer the API's JSON error document (commerce/core/error_views.py)
CSRF_FAILURE_VIEW = "commerce.core.error_views.csrf_failure"

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "storefront.context_processors.storefront",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
# Behind PgBouncer in transaction pooling, a connection's server session changes between
# transactions: no server-side cursors (iterator() would lose them), and CONN_MAX_AGE only keeps the
# cheap client connection to PgBouncer. Migrations and backups connect to PostgreSQL directly.
if env.bool("DATABASE_TRANSACTION_POOLING", default=False):
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
DATABASE_IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")

# --- Cache, sessions ----------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    # The cache fails open (commerce/core/cache_redis.py): a Redis error is a miss, the page is computed
    # from PostgreSQL. Short socket timeouts so that a Redis that hangs costs little more than one that
    # refuses; the backend then skips Redis for a second after each failure.
    CACHES = {
        "default": {
            "BACKEND": "commerce.core.cache_redis.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "CLIENT_CLASS": "commerce.core.cache_redis.FailOpenRedisClient",
                "SOCKET_CONNECT_TIMEOUT": env.float("REDIS_CONNECT_TIMEOUT", default=0.5),
                "SOCKET_TIMEOUT": env.float("REDIS_SOCKET_TIMEOUT", default=1.0),
            },
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="cartwheel"),
        }
    }
    # Sessions are written to PostgreSQL and read through the cache: a Redis outage logs nobody out, and
    # no copy cached before it is trusted after it (commerce/core/sessions.py).
    SESSION_ENGINE = "commerce.core.sessions"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Client address -----------------------------------------------------------------------------
# The proxies in front of the app (balancer, nginx): a CIDR list ("10.0.0.0/8,172.30.0.0/24") or a
# count of hops ("2"). Throttles key clients by the first address left of the trusted hops in
# X-Forwarded-For; a request from an untrusted address is keyed by that address, whatever it sends.
# Empty: REMOTE_ADDR only. nginx renders its `set_real_ip_from` from the same variable
# (docker/nginx/render-real-ip.sh). NUM_PROXIES, the older name, is read as a count.
TRUSTED_PROXIES = env("TRUSTED_PROXIES", default=env("NUM_PROXIES", default=""))

# --- Auth ---------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/account/login/"
LOGIN_REDIRECT_URL = "/account/"
LOGOUT_REDIRECT_URL = "/"

# --- i18n, money --------------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True
SHOP_CURRENCY = env("SHOP_CURRENCY", default="USD")  # ISO 4217
SHOP_LOCALE = env("SHOP_LOCALE", default="en_US")  # Babel locale for money formatting
SHOP_LOW_STOCK_THRESHOLD = env.int("SHOP_LOW_STOCK_THRESHOLD", default=5)
SHOP_PENDING_ORDER_TTL_HOURS = env.int("SHOP_PENDING_ORDER_TTL_HOURS", default=72)
SHOP_STALE_CART_DAYS = env.int("SHOP_STALE_CART_DAYS", default=30)
# an open cart with a known email idle this long gets one reminder (never when older than MAX_DAYS)
SHOP_ABANDONED_CART_HOURS = env.int("SHOP_ABANDONED_CART_HOURS", default=4)
SHOP_ABANDONED_CART_MAX_DAYS = env.int("SHOP_ABANDONED_CART_MAX_DAYS", default=7)
SHOP_FREE_SHIPPING_NOTE_THRESHOLD = Decimal(env("SHOP_FREE_SHIPPING_NOTE_THRESHOLD", default="100.00"))
# Order back office (issue 13): the status at which an invoice is issued ("" = only by hand), the
# prefixes of the gapless invoice and credit-note series, and how long customers may ask for a return.
SHOP_INVOICE_ISSUE_STATUS = env("SHOP_INVOICE_ISSUE_STATUS", default="confirmed")
SHOP_INVOICE_PREFIX = env("SHOP_INVOICE_PREFIX", default="INV")
# the invoice PDF rides on the "order confirmed" email (when the invoice is issued by then)
SHOP_INVOICE_ATTACH_TO_CONFIRMATION = env.bool("SHOP_INVOICE_ATTACH_TO_CONFIRMATION", default=True)
SHOP_CREDIT_NOTE_PREFIX = env("SHOP_CREDIT_NOTE_PREFIX", default="CN")
SHOP_RETURN_WINDOW_DAYS = env.int("SHOP_RETURN_WINDOW_DAYS", default=30)
# Product lists, counts and facets from an in-memory index per worker (commerce/catalog/list_index.py,
# ~5 MB for 10,000 products x 5 variants); above this many active variants (+ products without any)
# lists are answered by the database instead.
CATALOG_LIST_INDEX = env.bool("CATALOG_LIST_INDEX", default=True)
CATALOG_LIST_INDEX_MAX_POSITIONS = env.int("CATALOG_LIST_INDEX_MAX_POSITIONS", default=300_000)
SHOP_LEGAL_ADDRESS = env("SHOP_LEGAL_ADDRESS", default="Cartwheel Ltd, 1 Commerce Way, Springfield")

# --- Static and media ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))

AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    # S3-compatible object storage (AWS, R2, MinIO) for uploaded media
    AWS_S3_ENDPOINT_URL = env("AWS_S3_ENDPOINT_URL", default=None)
    AWS_S3_REGION_NAME = env("AWS_S3_REGION_NAME", default=None)
    AWS_S3_CUSTOM_DOMAIN = env("AWS_S3_CUSTOM_DOMAIN", default=None)
    AWS_DEFAULT_ACL = None
    AWS_QUERYSTRING_AUTH = env.bool("AWS_QUERYSTRING_AUTH", default=False)
    _default_storage = {"BACKEND": "storages.backends.s3.S3Storage"}
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
# The largest request body that is not a file upload: Django's default, stated because the API's JSON
# parser and InputGuardMiddleware apply it to JSON bodies too (413 request_too_large above it).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# --- Backups (commerce/core/backups.py) ----------------------------------------------------------
# A private bucket of their own, ideally at another provider or account than the media bucket.
BACKUP_BUCKET = env("BACKUP_BUCKET", default="")
BACKUP_S3_ENDPOINT_URL = env("BACKUP_S3_ENDPOINT_URL", default="")
BACKUP_S3_REGION_NAME = env("BACKUP_S3_REGION_NAME", default="")
BACKUP_AWS_ACCESS_KEY_ID = env("BACKUP_AWS_ACCESS_KEY_ID", default="")  # empty: boto3's own chain
BACKUP_AWS_SECRET_ACCESS_KEY = env("BACKUP_AWS_SECRET_ACCESS_KEY", default="")
BACKUP_KEEP_DAYS = env.int("BACKUP_KEEP_DAYS", default=14)
BACKUP_KEEP_MIN = env.int("BACKUP_KEEP_MIN", default=3)  # never fewer, however old

# --- Email --------------------------------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Cartwheel <shop@example.com>")
SHOP_STAFF_EMAIL = env("SHOP_STAFF_EMAIL", default="staff@example.com")
# Seconds an SMTP connect/command may take; a hanging server then fails the send, which is retried.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
# A notification left `sending` longer than this belongs to a sender that died: the resend job takes it
# back. Above the task's hard time limit, so a live send is never taken over.
NOTIFICATION_SENDING_LEASE_SECONDS = env.int("NOTIFICATION_SENDING_LEASE_SECONDS", default=5 * 60)
# A `pending` notification older than this has lost its task (broker down at commit): resent.
NOTIFICATION_PENDING_GRACE_SECONDS = env.int("NOTIFICATION_PENDING_GRACE_SECONDS", default=2 * 60)

# --- Celery -------------------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
# No broker configured: run tasks in-process so the embedded setup needs no worker.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=CELERY_BROKER_URL == "memory://")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
# The email task also sets reject_on_worker_lost (a pool process killed mid-send requeues its message);
# not globally, so that a task that kills its process every time cannot loop forever.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis broker: a message a worker took but never acknowledged (the worker was killed) goes back to the
# queue after this many seconds. Kombu's default is one hour; emails must not wait that long. It must
# stay above the longest a task can run (the hard time limit) and the longest retry countdown
# (notification retries are capped at 5 minutes), or a message still held would be delivered twice.
# Kombu looks for such messages every unacked_restore_interval x unacked_restore_throttle seconds (100 s
# by default): every 10 s here (one ZRANGE), at most a tenth of the timeout.
_BROKER_VISIBILITY_TIMEOUT = env.int("CELERY_BROKER_VISIBILITY_TIMEOUT", default=10 * 60)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": _BROKER_VISIBILITY_TIMEOUT,
    "unacked_restore_interval": max(1, min(10, _BROKER_VISIBILITY_TIMEOUT // 10)),
    "unacked_restore_throttle": 1,
    "socket_connect_timeout": 2,
}
# Publishing after a commit with the broker down: fail fast; the notification row stays pending for the
# resend job instead of the shopper's request waiting on retries.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
# No task may hold a worker forever: the soft limit raises in the task, the hard one kills it. These bound
# the periodic batch jobs; the email task has tighter ones of its own (commerce/notifications/tasks.py).
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=5 * 60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=6 * 60)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "expire-pending-orders": {
        "task": "commerce.orders.tasks.orders_expire_pending",
        "schedule": timedelta(minutes=15),
    },
    "purge-stale-carts": {
        "task": "commerce.cart.tasks.carts_purge_stale",
        "schedule": timedelta(hours=6),
    },
    "wagtail-publish-scheduled": {
        "task": "commerce.catalog.tasks.publish_scheduled",
        "schedule": timedelta(minutes=5),
    },
    # emails whose enqueue was lost (broker down at commit time) are sent late rather than never
    # and those whose sender died mid-send (a row left `sending` past its lease) are sent again
    "resend-pending-notifications": {
        "task": "commerce.notifications.tasks.notifications_resend_pending",
        "schedule": timedelta(minutes=2),
    },
    "low-stock-digest": {
        "task": "commerce.marketing.tasks.marketing_low_stock_digest",
        "schedule": crontab(hour=7, minute=0),
    },
    "abandoned-cart-reminders": {
        "task": "commerce.marketing.tasks.marketing_abandoned_carts_remind",
        "schedule": timedelta(minutes=15),
    },
    # webhook deliveries whose enqueue was lost or whose worker died mid-send
    "resend-stuck-webhooks": {
        "task": "commerce.webhooks.tasks.webhooks_resend_stuck",
        "schedule": timedelta(minutes=10),
    },
}

# Without beat (the embedded default) scheduled pages, snippets and campaigns are published by a
# throttled check on the request path, at most once per interval (commerce/marketing/campaigns.py).
SCHEDULED_PUBLISHING_ON_REQUESTS = env.bool("SCHEDULED_PUBLISHING_ON_REQUESTS", default=CELERY_TASK_ALWAYS_EAGER)
SCHEDULED_PUBLISHING_INTERVAL = env.int("SCHEDULED_PUBLISHING_INTERVAL", default=30)

# --- Outbound webhooks (commerce/webhooks) -------------------------------------------------------
# Refuse targets on loopback, private and link-local addresses (SSRF) unless this is set, e.g. for an
# ERP on the shop's own network.
WEBHOOKS_ALLOW_PRIVATE_TARGETS = env.bool("WEBHOOKS_ALLOW_PRIVATE_TARGETS", default=False)
WEBHOOKS_TIMEOUT_SECONDS = env.float("WEBHOOKS_TIMEOUT_SECONDS", default=10.0)
WEBHOOKS_MAX_RESPONSE_BYTES = env.int("WEBHOOKS_MAX_RESPONSE_BYTES", default=64 * 1024)
WEBHOOKS_MAX_ATTEMPTS = env.int("WEBHOOKS_MAX_ATTEMPTS", default=8)  # backoff 30 s doubling, capped at 1 h

# --- Wagtail ------------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = env("WAGTAIL_SITE_NAME", default="Cartwheel")
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", default="http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {
    # Wagtail's database backend uses PostgreSQL full-text search on PostgreSQL, LIKE on SQLite
    "default": {
        "BACKEND": "wagtail.search.backends.database",
        # PostgreSQL text search configuration: the stemming and stop words of the shop's language
        # ("english" finds "shirt" for "shirts"); rebuild with `manage.py update_index` after a change
        "SEARCH_CONFIG": env("SEARCH_CONFIG", default="english"),
    }
}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAIL_I18N_ENABLED = False
# No Gravatar: staff avatars would be fetched from a third party (and break offline); Wagtail shows initials.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# No "new Wagtail release" check from the admin's browser to releases.wagtail.org: a third-party call
# the admin's Content-Security-Policy (connect-src 'self') refuses, and upgrades go through requirements.
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAILAPI_BASE_URL = WAGTAILADMIN_BASE_URL
# Where shoppers browse: every link in emails, the CMS API and the product API (`site_url`) is built
# from it with a path template per page (commerce/core/links.py). A headless shop sets its own domain
# and paths, e.g. STOREFRONT_URL=https://shop.example.com and STOREFRONT_PATHS={"product": "/p/{slug}"}.
# An empty STOREFRONT_URL turns the links off (site_url is null).
STOREFRONT_URL = env("STOREFRONT_URL", default=WAGTAILADMIN_BASE_URL)
STOREFRONT_PATHS = env.json("STOREFRONT_PATHS", default={})

# --- REST framework -----------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # simplejwt's, plus refusing access tokens issued before the last password change
        "api.accounts.authentication.ShopJWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Wagtail's API v2 views take these global defaults, so the global permission stays permissive;
    # every shop view sets its own permission classes.
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    # every operation documents its standard error responses and headers (api/schema.py)
    "DEFAULT_SCHEMA_CLASS": "api.schema.ShopAutoSchema",
    # JSON bodies only: generated clients send what the schema declares, and a form or multipart body
    # is one more parser to fuzz. Views that take a file upload (review images) opt into multipart.
    # ... and bounded in size and depth before parsing, free of control characters (api/parsers.py)
    "DEFAULT_PARSER_CLASSES": ["api.parsers.BoundedJSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",  # APIClient sends what the API parses
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.ShopPageNumberPagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "api.exceptions.api_exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
    # Throttles key anonymous clients by commerce.core.client_address (TRUSTED_PROXIES), not by
    # DRF's NUM_PROXIES rule, so the API and the site agree on who the client is.
    "NUM_PROXIES": None,
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("THROTTLE_ANON", default="600/min"),
        "user": env("THROTTLE_USER", default="1200/min"),
        "login": env("THROTTLE_LOGIN", default="5/min"),
        "register": env("THROTTLE_REGISTER", default="10/hour"),
        "password_reset": env("THROTTLE_PASSWORD_RESET", default="5/hour"),
        "tracking": env("THROTTLE_TRACKING", default="20/min"),
        "checkout": env("THROTTLE_CHECKOUT", default="30/min"),
        "review": env("THROTTLE_REVIEW", default="10/hour"),
        "contact": env("THROTTLE_CONTACT", default="5/hour"),
        "back_in_stock": env("THROTTLE_BACK_IN_STOCK", default="10/hour"),
    },
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "AUTH_HEADER_TYPES": ("Bearer",),
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Cartwheel API",
    "DESCRIPTION": "REST API of the Cartwheel shop: catalogue, cart, checkout, orders, accounts, "
    "coupons, reviews and wishlist. Money is sent as decimal strings.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Wagtail's own API v2 (/api/v1/cms/) is not part of the shop's contract
    "PREPROCESSING_HOOKS": ["api.schema.exclude_wagtail_endpoints"],
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "api.schema.constrain_request_text"],
    # `<id:...>` (commerce/core/converters.py): a bigint id, 1..2**63-1
    "PATH_CONVERTER_OVERRIDES": {"id": {"type": "integer", "format": "int64", "minimum": 1, "maximum": 2**63 - 1}},
    # several components have a `status` of their own choices: name them rather than let a hash do it
    "ENUM_NAME_OVERRIDES": {
        "StatusEnum": "commerce.orders.models.Order.Status",  # the name it had before parcels had a status
        "ParcelStatusEnum": "commerce.orders.models.Fulfilment.Status",
    },
}

CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_ALLOW_HEADERS = (
    "accept",
    "authorization",
    "content-type",
    "user-agent",
    "x-csrftoken",
    "x-requested-with",
    "x-cart-token",
    "idempotency-key",
)
# a headless frontend on another origin reads its cart token, its rate-limit budget and ETags
CORS_EXPOSE_HEADERS = ["X-Cart-Token", "RateLimit-Policy", "RateLimit", "Retry-After", "ETag"]
# seconds a client may reuse a catalogue answer without revalidating (api/http_caching.py); 0 because
# stock must show within a second, and a revalidation answered 304 is cheap
CATALOG_HTTP_MAX_AGE = env.int("CATALOG_HTTP_MAX_AGE", default=0)

PHONENUMBER_DEFAULT_REGION = env("PHONENUMBER_DEFAULT_REGION", default="US")
PHONENUMBER_DEFAULT_FORMAT = "E164"

# --- Content-Security-Policy, Permissions-Policy -------------------------------------------------
# django-csp. The storefront and the API: only this origin's scripts, no inline script or handler
# attribute anywhere (the templates load static/js/shop.js), no plugins, no framing by other sites.
_CSP_MEDIA = [SELF, "data:"]
if AWS_STORAGE_BUCKET_NAME:
    _CSP_MEDIA += [
        f"https://{AWS_S3_CUSTOM_DOMAIN}" if AWS_S3_CUSTOM_DOMAIN else (AWS_S3_ENDPOINT_URL or "https://*.amazonaws.com")
    ]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": _CSP_MEDIA,
        "media-src": _CSP_MEDIA,
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [SELF],  # Wagtail's preview shows the site in a same-origin iframe
    }
}
# The Wagtail and Django admins (staff only, behind login): Wagtail 8 still writes a few inline
# <script> tags from its widgets (date/time pickers, inline panels) and inline styles, and blob:/data:
# images for uploads (wagtail/wagtail#1288), so the admin policy allows inline script and style;
# everything else is as strict as the storefront's. tests/browser/test_csp_admin.py proves the admin
# raises no violation with it.
CONTENT_SECURITY_POLICY_ADMIN = {
    "DIRECTIVES": {
        **CONTENT_SECURITY_POLICY["DIRECTIVES"],
        "script-src": [SELF, UNSAFE_INLINE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [*_CSP_MEDIA, "blob:"],
        "media-src": [*_CSP_MEDIA, "blob:"],
    }
}
# Browser features the shop never uses are switched off for its pages and anything they embed.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
        "xr-spatial-tracking",
    )
}
PERMISSIONS_POLICY["fullscreen"] = ["self"]

# --- Logging and errors -------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Wagtail's background tasks (search index, references) log every run at INFO
        "django_tasks": {"level": "WARNING"},
        # unhandled errors with their error id (commerce.core.middleware.ErrorIdMiddleware)
        "commerce.errors": {"level": "ERROR"},
    },
}

SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    import sentry_sdk

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=env("SENTRY_ENVIRONMENT", default="production"),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
        send_default_pii=False,
    )
