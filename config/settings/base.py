"""Settings shared by every environment, read from the environment.

`local`, `test` and `production` only change defaults and safety switches; a value
that differs between two deployments is an environment variable, never a code edit.
"""

from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A developer's own overrides, never committed; a deployment sets real variables.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env.str("SECRET_KEY")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_guid",
    "billing_bff",
    "customers",
    "invoices",
    "usage",
    "overview",
    "exports",
]

MIDDLEWARE = [
    "django_guid.middleware.guid_middleware",
    "billing_bff.web.middleware.UpstreamDeadlineMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    # Inside ConditionalGetMiddleware: API GETs get an ETag that ignores meta.source.
    "billing_bff.web.middleware.BodyETagMiddleware",
    "billing_bff.web.middleware.PrivateCacheMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "billing_bff.web.context_processors.customer_switch",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Redis: the cache, sessions, Celery's broker and the shared counters ---------------
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="bff"),
        "TIMEOUT": 300,
    }
}
# Sessions outlive a web process restart and are shared by every web process.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 8)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

# --- Internationalisation ---------------------------------------------------------------
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", "Svenska"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The language a user picks on any page (i18n/setlang/) is kept for a year; until then,
# and without it, the browser's Accept-Language decides (LocaleMiddleware).
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

# --- Static files: served by the application, with cache-busting names ----------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").is_dir() else []
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Django REST framework ----------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework_simplejwt.authentication.JWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "billing_bff.problems.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "billing_bff.web.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

# --- The OpenAPI document (/api/schema/) and its docs (/api/docs/), see billing_bff.web.openapi
# Both are public: the document describes the API and holds no data. Swagger UI's files
# come from drf-spectacular-sidecar through the static files, never from a CDN.
SPECTACULAR_SETTINGS = {
    "TITLE": "PayEx Billing my pages: mobile API",
    "VERSION": "1.0.0",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True},
    # Enums that share a field name get their own names (values are import paths).
    "ENUM_NAME_OVERRIDES": {
        "SubscriptionStatusEnum": "billing_bff.web.openapi.SUBSCRIPTION_STATUSES",
        "InvoiceStatusEnum": "invoices.selectors.STATUSES",
        "RefreshStatusEnum": "billing_bff.refresh.STATUSES",
        "ExportStatusEnum": "exports.models.Export.Status",
    },
    # Description, tags and the other texts are the code's (billing_bff.web.openapi).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "billing_bff.web.openapi.finish_document",
    ],
}

# --- Mobile logins (billing_bff.auth) -----------------------------------------------------
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=5)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=14)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "ALGORITHM": "HS256",
    "AUTH_HEADER_TYPES": ("Bearer",),
    "LEEWAY": 10,
    "TOKEN_OBTAIN_SERIALIZER": "billing_bff.auth.TokenPairSerializer",
    "TOKEN_REFRESH_SERIALIZER": "billing_bff.auth.RefreshSerializer",
}

# --- Identity and access (billing_bff.access, billing_bff.throttle) ---------------------
# Failed logins allowed per username and per client address within the window (seconds).
LOGIN_FAIL_LIMIT_USER = env.int("LOGIN_FAIL_LIMIT_USER", default=5)
LOGIN_FAIL_LIMIT_ADDRESS = env.int("LOGIN_FAIL_LIMIT_ADDRESS", default=20)
LOGIN_FAIL_WINDOW = env.int("LOGIN_FAIL_WINDOW", default=15 * 60)
# How many proxies in front of the BFF append to X-Forwarded-For; 0 trusts none of it.
LOGIN_TRUSTED_PROXIES = env.int("LOGIN_TRUSTED_PROXIES", default=0)
# An agent's opening of one customer is audited once per session within this window.
AGENT_OPEN_AUDIT_WINDOW = env.int("AGENT_OPEN_AUDIT_WINDOW", default=30 * 60)

# --- Correlation ids: one id from the browser to PayEx ----------------------------------
DJANGO_GUID = {
    "GUID_HEADER_NAME": "X-Request-Id",
    "VALIDATE_GUID": True,
    "RETURN_HEADER": True,
    "EXPOSE_HEADER": True,
}

# --- PayEx Billing upstream (the sandbox in local runs and tests) ------------------------
PAYEX_BASE_URL = env.str("PAYEX_BASE_URL", default="")
PAYEX_OWNER_NO = env.str("PAYEX_OWNER_NO", default="")
PAYEX_TOKEN = env.str("PAYEX_TOKEN", default="")
PAYEX_CLIENT_CERT = env.str("PAYEX_CLIENT_CERT", default="")
PAYEX_CLIENT_KEY = env.str("PAYEX_CLIENT_KEY", default="")
PAYEX_CA_BUNDLE = env.str("PAYEX_CA_BUNDLE", default="")
PAYEX_CORRELATION_HEADER = env.str("PAYEX_CORRELATION_HEADER", default="X-Correlation-Id")
PAYEX_CONNECT_TIMEOUT = env.float("PAYEX_CONNECT_TIMEOUT", default=3.05)
PAYEX_READ_TIMEOUT = env.float("PAYEX_READ_TIMEOUT", default=10.0)
PAYEX_POOL_SIZE = env.int("PAYEX_POOL_SIZE", default=32)
PAYEX_REQUEST_DEADLINE = env.float("PAYEX_REQUEST_DEADLINE", default=15.0)
PAYEX_RETRY_ATTEMPTS = env.int("PAYEX_RETRY_ATTEMPTS", default=3)
PAYEX_RETRY_BACKOFF = env.float("PAYEX_RETRY_BACKOFF", default=0.2)
PAYEX_RETRY_BACKOFF_MAX = env.float("PAYEX_RETRY_BACKOFF_MAX", default=2.0)
PAYEX_BREAKER_THRESHOLD = env.int("PAYEX_BREAKER_THRESHOLD", default=5)
PAYEX_BREAKER_COOLDOWN = env.float("PAYEX_BREAKER_COOLDOWN", default=30.0)
# The local sandbox speaks plain HTTP on loopback and needs no client certificate;
# anything else must be https with mutual TLS (billing_bff.checks).
PAYEX_SANDBOX = env.bool("PAYEX_SANDBOX", default=False)
# Refuse to start without a complete PayEx configuration (on in production).
PAYEX_REQUIRE_CONFIG = env.bool("PAYEX_REQUIRE_CONFIG", default=False)
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
# scripts/benchmark.py's bare JSON view (billing_bff.bench) at /bench/json; off elsewhere.
BENCHMARK_VIEWS = env.bool("BENCHMARK_VIEWS", default=False)

# --- Caching of upstream data in Redis: (fresh, stale) seconds per kind ------------------
UNBILLED_FRESH_SECONDS = env.int("UNBILLED_FRESH_SECONDS", default=300)
UNBILLED_STALE_SECONDS = env.int("UNBILLED_STALE_SECONDS", default=3600)
_DAY = 24 * 60 * 60
CACHE_WINDOWS = {
    "customer": (env.int("CACHE_CUSTOMER_FRESH_SECONDS", default=120), 3600),
    "subscriptions": (env.int("CACHE_SUBSCRIPTIONS_FRESH_SECONDS", default=600), 3600),
    "recurring-products": (env.int("CACHE_PRODUCTS_FRESH_SECONDS", default=600), 3600),
    "invoices": (env.int("CACHE_INVOICES_FRESH_SECONDS", default=3600), _DAY),
    "invoice": (env.int("CACHE_INVOICE_FRESH_SECONDS", default=_DAY), 7 * _DAY),
    # Billed usage never changes once invoiced.
    "billed-usage": (env.int("CACHE_BILLED_USAGE_SECONDS", default=7 * _DAY), _DAY),
    "unbilled-usage": (UNBILLED_FRESH_SECONDS, UNBILLED_STALE_SECONDS),
}
# How long a copy past its windows is still kept, to be served when the upstream fails.
CACHE_ERROR_GRACE_SECONDS = env.int("CACHE_ERROR_GRACE_SECONDS", default=_DAY)
# How long concurrent readers of a cold key wait for the one that loads it.
CACHE_SINGLE_FLIGHT_WAIT = env.float("CACHE_SINGLE_FLIGHT_WAIT", default=5.0)

# Writes with an Idempotency-Key: how long the first answer is kept, and how long a
# request holding the key may run before a repeat may take it over.
IDEMPOTENCY_TTL_SECONDS = env.int("IDEMPOTENCY_TTL_SECONDS", default=24 * 60 * 60)
IDEMPOTENCY_LOCK_SECONDS = env.int("IDEMPOTENCY_LOCK_SECONDS", default=60)

# How long a filtered view of a usage set (its index list and totals) is kept.
USAGE_VIEW_TTL_SECONDS = env.int("USAGE_VIEW_TTL_SECONDS", default=900)

# --- Celery -------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 60 * 60}
# Refresh and export work on separate queues, so a long export never delays a refresh.
CELERY_TASK_ROUTES = {
    "usage.tasks.refresh_*": {"queue": "refresh"},
    "usage.tasks.export_*": {"queue": "export"},
}
REFRESH_TASK_SOFT_TIME_LIMIT = env.int("REFRESH_TASK_SOFT_TIME_LIMIT", default=60)
REFRESH_TASK_TIME_LIMIT = env.int("REFRESH_TASK_TIME_LIMIT", default=90)
# A refresh that waited longer than one fresh window in the queue is of no use any more.
REFRESH_TASK_EXPIRES = env.int("REFRESH_TASK_EXPIRES", default=UNBILLED_FRESH_SECONDS)
# Customers looked at within this window have their unbilled usage kept warm by beat.
USAGE_ACTIVE_WINDOW_SECONDS = env.int("USAGE_ACTIVE_WINDOW_SECONDS", default=30 * 60)
CELERY_BEAT_SCHEDULE = {
    "refresh-active-customers": {
        "task": "usage.tasks.refresh_active_customers",
        "schedule": float(UNBILLED_FRESH_SECONDS),
        "options": {"expires": UNBILLED_FRESH_SECONDS},
    },
    "cleanup-exports": {
        "task": "usage.tasks.cleanup_exports",
        "schedule": 60.0 * 60,
        "options": {"expires": 60 * 60},
    },
}

# --- Usage exports (exports.services) ---------------------------------------------------------
# Outside STATIC_ROOT and any media root: an export is served only through its authorised
# download view, never by a static file server.
EXPORT_ROOT = Path(env.str("EXPORT_ROOT", default=str(BASE_DIR / "var" / "exports")))
EXPORT_RETENTION_DAYS = env.int("EXPORT_RETENTION_DAYS", default=7)
# A CSV larger than this is delivered zipped (deflate).
EXPORT_ZIP_THRESHOLD_BYTES = env.int("EXPORT_ZIP_THRESHOLD_BYTES", default=5 * 1024 * 1024)
# The hard limit stays under the broker's visibility timeout, or an acks_late export still
# running would be handed to a second worker.
EXPORT_TASK_SOFT_TIME_LIMIT = env.int("EXPORT_TASK_SOFT_TIME_LIMIT", default=25 * 60)
EXPORT_TASK_TIME_LIMIT = env.int("EXPORT_TASK_TIME_LIMIT", default=30 * 60)
EXPORT_TASK_MAX_RETRIES = env.int("EXPORT_TASK_MAX_RETRIES", default=3)

# --- Logging: structured lines with the request id; never tokens or personal data -------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"correlation_id": {"()": "django_guid.log_filters.CorrelationId"}},
    "formatters": {
        "line": {
            "format": "%(asctime)s %(levelname)s %(name)s request_id=%(correlation_id)s %(message)s"
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "line",
            "filters": ["correlation_id"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django_guid": {"level": "WARNING"},
    },
}
