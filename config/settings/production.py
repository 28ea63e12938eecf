"""Production: everything from the environment, nothing embedded, every safety switch on.

Required: SECRET_KEY (at least 50 random characters, never the local default),
ALLOWED_HOSTS, DATABASE_URL, REDIS_URL, PAYEX_BASE_URL, PAYEX_OWNER_NO, PAYEX_TOKEN, and
for the real PayEx service PAYEX_CLIENT_CERT and PAYEX_CLIENT_KEY. billing_bff's
start-up check refuses to run without them, or with a weak SECRET_KEY.
"""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
PAYEX_REQUIRE_CONFIG = True
SECRET_KEY_REQUIRE_STRONG = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Server-Timing tells a client where a request's time went: off unless asked for.
SERVER_TIMING = env.bool("SERVER_TIMING", default=False)
