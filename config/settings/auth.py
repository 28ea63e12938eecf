"""Logins and access: the mobile API's JWTs, failed-login limits and the agents' audit.

Read by billing_bff.auth (SIMPLE_JWT), billing_bff.throttle and billing_bff.access.
"""

from datetime import timedelta

from .environment import env

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
# Django's model backend, sessions' users read as principals (billing_bff.principal).
AUTHENTICATION_BACKENDS = ["billing_bff.principal.PrincipalBackend"]
# Failed logins (billing_bff.throttle, which explains the scheme). Within the window
# (seconds), a username may fail LOGIN_FAIL_LIMIT_PAIR times from one address before
# that address is refused for it, and an address LOGIN_FAIL_LIMIT_ADDRESS times over all
# usernames (high enough for many users behind one proxy).
LOGIN_FAIL_WINDOW = env.int("LOGIN_FAIL_WINDOW", default=15 * 60)
LOGIN_FAIL_LIMIT_PAIR = env.int("LOGIN_FAIL_LIMIT_PAIR", default=5)
LOGIN_FAIL_LIMIT_ADDRESS = env.int("LOGIN_FAIL_LIMIT_ADDRESS", default=100)
# After LOGIN_DELAY_AFTER failures of a username from anywhere, each further attempt for
# it waits LOGIN_DELAY_BASE seconds, doubling with each failure up to LOGIN_DELAY_MAX.
# LOGIN_FAIL_LIMIT_USER (a hard lockout of the username, now gone) is read as
# LOGIN_DELAY_AFTER when that is not set.
LOGIN_DELAY_AFTER = env.int(
    "LOGIN_DELAY_AFTER", default=env.int("LOGIN_FAIL_LIMIT_USER", default=5)
)
LOGIN_DELAY_BASE = env.float("LOGIN_DELAY_BASE", default=1.0)
LOGIN_DELAY_MAX = env.float("LOGIN_DELAY_MAX", default=60.0)
# An address a username logged in from skips that username's delay for this many days.
LOGIN_KNOWN_ADDRESS_DAYS = env.int("LOGIN_KNOWN_ADDRESS_DAYS", default=30)
# How many proxies in front of the BFF append to X-Forwarded-For; 0 trusts none of it
# (then, behind a proxy, every client has the proxy's address: set 1 behind one).
LOGIN_TRUSTED_PROXIES = env.int("LOGIN_TRUSTED_PROXIES", default=0)
# An agent's opening of one customer is audited once per session within this window.
AGENT_OPEN_AUDIT_WINDOW = env.int("AGENT_OPEN_AUDIT_WINDOW", default=30 * 60)
# An agent's read of one resource (an invoice, a usage set, a CSV, an export download, a
# refresh) is audited once per agent, customer, action and resource within this window.
AGENT_READ_AUDIT_WINDOW = env.int("AGENT_READ_AUDIT_WINDOW", default=AGENT_OPEN_AUDIT_WINDOW)
