"""Settings shared by every environment, read from the environment.

`local`, `test` and `production` only change defaults and safety switches; a value
that differs between two deployments is an environment variable, never a code edit.

This module holds Django's own settings; each integration has a module of its own,
star-imported at the end so that `from .base import *` brings every setting:

    api       Django REST framework and the OpenAPI document
    auth      mobile JWTs, failed-login limits, the agents' audit
    cache     Redis as the cache, and the cache windows per kind of upstream data
    celery    Celery's broker, queues and limits, and the beat schedule
    exports   usage exports
    logging   log lines and their request ids
    payex     the PayEx Billing upstream and the metrics token
    security  the Content-Security-Policy and Permissions-Policy headers

No two of them set the same setting, so their order does not matter. `BASE_DIR` and
`env` come from config.settings.environment, which every module imports; none of them
imports this one, and one that needs another's value imports it by name (celery from
cache).
"""

from .environment import BASE_DIR, LOCAL_SECRET_KEY, env

SECRET_KEY = env.str("SECRET_KEY")
# Refuse to start with a weak SECRET_KEY: shorter than 50 characters, or the local
# default (on in production; billing_bff.checks).
SECRET_KEY_REQUIRE_STRONG = env.bool("SECRET_KEY_REQUIRE_STRONG", default=False)
SECRET_KEY_MIN_LENGTH = 50
INSECURE_SECRET_KEYS = [LOCAL_SECRET_KEY]
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
    "csp",
    "django_guid",
    "billing_bff",
    "customers",
    "invoices",
    "usage",
    "overview",
    "exports",
]

MIDDLEWARE = [
    "billing_bff.web.middleware.ServerTimingMiddleware",
    "django_guid.middleware.guid_middleware",
    "billing_bff.web.middleware.UpstreamDeadlineMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "billing_bff.web.middleware.PermissionsPolicyMiddleware",
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
    # Last, so its 413 page has the session, language and user; it still answers before
    # CSRF's check or a parser reads the body.
    "billing_bff.web.middleware.RequestSizeMiddleware",
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
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default (`make run`) serves a threaded web server and Celery workers
    # writing at the same time. WAL lets readers go on beside the one writer; IMMEDIATE
    # takes the write lock when a transaction begins, so a transaction that reads and
    # then writes (an export request and its audit entry) waits for the lock instead of
    # failing at once with "database is locked"; the timeout bounds that wait.
    # PostgreSQL, the production database, needs none of this.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": env.int("SQLITE_BUSY_TIMEOUT", default=20),
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Internationalisation ---------------------------------------------------------------
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", "Svenska"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The language a user picks on any page (i18n/setlang/) is kept for a year; until then,
# and without it, the browser's Accept-Language decides (LocaleMiddleware).
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
LANGUAGE_COOKIE_SAMESITE = "Lax"
# No script reads it; Secure in production (config.settings.production).
LANGUAGE_COOKIE_HTTPONLY = True
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

# --- Request bodies ------------------------------------------------------------------------
# A body larger than this answers 413 before it is read (billing_bff.web.middleware); the
# API's JSON bodies nest at most billing_bff.web.parsers.MAX_JSON_DEPTH levels.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)

# --- Static files: served by the application, with cache-busting names ----------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").is_dir() else []
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Sessions, cookies and the login pages ------------------------------------------------
# Sessions outlive a web process restart and are shared by every web process.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 8)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

# --- The integrations, one module each (see the docstring) ------------------------------
from .api import *  # noqa: E402, F403
from .auth import *  # noqa: E402, F403
from .cache import *  # noqa: E402, F403
from .celery import *  # noqa: E402, F403
from .exports import *  # noqa: E402, F403
from .logging import *  # noqa: E402, F403
from .payex import *  # noqa: E402, F403
from .security import *  # noqa: E402, F403
