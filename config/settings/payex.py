"""The PayEx Billing upstream (the sandbox in local runs and tests), and /metrics' token."""

from .environment import env

PAYEX_BASE_URL = env.str("PAYEX_BASE_URL", default="")
PAYEX_OWNER_NO = env.str("PAYEX_OWNER_NO", default="")
PAYEX_TOKEN = env.str("PAYEX_TOKEN", default="")
# The ledger's bankgiro number, shown with every open invoice's OCR reference ("5050-1055").
# Empty: the payment details name no bankgiro.
PAYMENT_BANKGIRO = env.str("PAYMENT_BANKGIRO", default="")
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
# The circuit breaker per API (billing_bff.upstream.breaker) counts requests, not
# attempts: it opens when, within the last PAYEX_BREAKER_WINDOW seconds, at least
# PAYEX_BREAKER_MIN_CALLS requests ended and PAYEX_BREAKER_FAILURE_RATIO of them failed.
# PAYEX_BREAKER_THRESHOLD (its old "failures before it opens") is replaced: when set and
# PAYEX_BREAKER_MIN_CALLS is not, it is read as the minimum number of calls.
PAYEX_BREAKER_FAILURE_RATIO = env.float("PAYEX_BREAKER_FAILURE_RATIO", default=0.5)
PAYEX_BREAKER_MIN_CALLS = env.int(
    "PAYEX_BREAKER_MIN_CALLS", default=env.int("PAYEX_BREAKER_THRESHOLD", default=10)
)
PAYEX_BREAKER_WINDOW = env.int("PAYEX_BREAKER_WINDOW", default=30)
PAYEX_BREAKER_COOLDOWN = env.float("PAYEX_BREAKER_COOLDOWN", default=30.0)
PAYEX_BREAKER_HALF_OPEN_PROBES = env.int("PAYEX_BREAKER_HALF_OPEN_PROBES", default=2)
# The bulkhead per API and process (billing_bff.upstream.bulkhead): concurrent calls,
# and how long a call waits for a free slot before it fails fast.
PAYEX_MAX_CONCURRENT_CALLS = env.int("PAYEX_MAX_CONCURRENT_CALLS", default=8)
PAYEX_BULKHEAD_WAIT = env.float("PAYEX_BULKHEAD_WAIT", default=0.5)
# The local sandbox speaks plain HTTP on loopback and needs no client certificate;
# anything else must be https with mutual TLS (billing_bff.checks).
PAYEX_SANDBOX = env.bool("PAYEX_SANDBOX", default=False)
# Refuse to start without a complete PayEx configuration (on in production).
PAYEX_REQUIRE_CONFIG = env.bool("PAYEX_REQUIRE_CONFIG", default=False)
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
