"""Redis as Django's cache, and how long upstream data and derived views are kept there.

The same Redis also holds sessions (cached_db, config.settings.base), Celery's broker
(config.settings.celery) and the shared counters (billing_bff.redis).
"""

from .environment import env

REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="bff"),
        "TIMEOUT": 300,
    }
}

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
