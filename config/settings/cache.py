"""Redis as Django's cache, and how long upstream data and derived views are kept there.

The same Redis also holds sessions (cached_db, config.settings.base), Celery's broker
(config.settings.celery) and the shared counters (billing_bff.redis).

Cache windows (CACHE_WINDOWS, read by billing_bff.caching): each kind of upstream data
has a fresh window (served as it is) and then a stale window (still served, while a
refresh runs), in seconds. Every kind reads both from one pair of variables,

    CACHE_<KIND>_FRESH_SECONDS and CACHE_<KIND>_STALE_SECONDS

where <KIND> is the kind upper-cased, "-" as "_" (recurring-products:
CACHE_RECURRING_PRODUCTS_FRESH_SECONDS). The names some kinds were read from before
this scheme are still read, when the new name is not set:

    kind                 fresh, stale by default  older names, still read
    customer             120 s, 3600 s            -
    subscriptions        600 s, 3600 s            -
    recurring-products   600 s, 3600 s            CACHE_PRODUCTS_FRESH_SECONDS (fresh)
    invoices             3600 s, 1 day            -
    invoice              1 day, 7 days            -
    billed-usage         7 days, 1 day            CACHE_BILLED_USAGE_SECONDS (fresh)
    unbilled-usage       300 s, 3600 s            UNBILLED_FRESH_SECONDS, UNBILLED_STALE_SECONDS

UNBILLED_FRESH_SECONDS and UNBILLED_STALE_SECONDS stay settings of their own (beat's
refresh of active customers and its expiry follow the fresh one), always equal to
unbilled usage's windows.
"""

from .environment import env

REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
# Redis is never the only copy of anything (billing_bff.redis): a call that cannot
# connect within REDIS_CONNECT_TIMEOUT or get an answer within REDIS_SOCKET_TIMEOUT
# fails, the caller falls back, and the process keeps off Redis for REDIS_RETRY_SECONDS.
REDIS_CONNECT_TIMEOUT = env.float("REDIS_CONNECT_TIMEOUT", default=1.0)
REDIS_SOCKET_TIMEOUT = env.float("REDIS_SOCKET_TIMEOUT", default=3.0)
REDIS_RETRY_SECONDS = env.float("REDIS_RETRY_SECONDS", default=5.0)
# A user's principal (billing_bff.principal) is kept this long at most; every change to
# the user, their links, groups or permissions leaves it behind at once before that.
PRINCIPAL_TTL_SECONDS = env.int("PRINCIPAL_TTL_SECONDS", default=600)
# API answers kept rendered (billing_bff.rendered): on by default; RENDERED_CACHE=false
# turns it off (every warm request then builds its body again).
RENDERED_CACHE = env.bool("RENDERED_CACHE", default=True)
# Server-Timing on API answers (billing_bff.timing): on here, off in production unless
# SERVER_TIMING=true there (config.settings.production).
SERVER_TIMING = env.bool("SERVER_TIMING", default=True)
# Django's cache holds only the sessions' cached copies (cached_db: the database has
# every session): django-redis's IGNORE_EXCEPTIONS makes a Redis outage a cache miss,
# so sessions are read from and written to the database alone while Redis is away.
CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="bff"),
        "TIMEOUT": 300,
        "OPTIONS": {
            "IGNORE_EXCEPTIONS": True,
            "SOCKET_CONNECT_TIMEOUT": REDIS_CONNECT_TIMEOUT,
            "SOCKET_TIMEOUT": REDIS_SOCKET_TIMEOUT,
        },
    }
}

# --- Caching of upstream data in Redis: (fresh, stale) seconds per kind ------------------
_DAY = 24 * 60 * 60
# kind: (fresh, stale) when nothing is set. Billed usage never changes once invoiced.
_WINDOW_DEFAULTS = {
    "customer": (120, 3600),
    "subscriptions": (600, 3600),
    "recurring-products": (600, 3600),
    "invoices": (3600, _DAY),
    "invoice": (_DAY, 7 * _DAY),
    "billed-usage": (7 * _DAY, _DAY),
    "unbilled-usage": (300, 3600),
}
# kind: the (fresh, stale) variables read before CACHE_<KIND>_*_SECONDS, still read.
_OLDER_NAMES = {
    "recurring-products": ("CACHE_PRODUCTS_FRESH_SECONDS", None),
    "billed-usage": ("CACHE_BILLED_USAGE_SECONDS", None),
    "unbilled-usage": ("UNBILLED_FRESH_SECONDS", "UNBILLED_STALE_SECONDS"),
}


def _seconds(name: str, older_name: str | None, default: int) -> int:
    """The variable `name` if set, else `older_name` if the kind has one and it is set."""
    for candidate in (name, older_name):
        if candidate is not None and candidate in env:
            return env.int(candidate)
    return default


def _window(kind: str) -> tuple[int, int]:
    """(fresh, stale) of one kind: CACHE_<KIND>_FRESH_SECONDS, CACHE_<KIND>_STALE_SECONDS."""
    prefix = "CACHE_" + kind.upper().replace("-", "_")
    fresh, stale = _WINDOW_DEFAULTS[kind]
    older_fresh, older_stale = _OLDER_NAMES.get(kind, (None, None))
    return (
        _seconds(f"{prefix}_FRESH_SECONDS", older_fresh, fresh),
        _seconds(f"{prefix}_STALE_SECONDS", older_stale, stale),
    )


CACHE_WINDOWS = {kind: _window(kind) for kind in _WINDOW_DEFAULTS}
UNBILLED_FRESH_SECONDS, UNBILLED_STALE_SECONDS = CACHE_WINDOWS["unbilled-usage"]

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
