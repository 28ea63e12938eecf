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
# Failed logins allowed per username and per client address within the window (seconds).
LOGIN_FAIL_LIMIT_USER = env.int("LOGIN_FAIL_LIMIT_USER", default=5)
LOGIN_FAIL_LIMIT_ADDRESS = env.int("LOGIN_FAIL_LIMIT_ADDRESS", default=20)
LOGIN_FAIL_WINDOW = env.int("LOGIN_FAIL_WINDOW", default=15 * 60)
# How many proxies in front of the BFF append to X-Forwarded-For; 0 trusts none of it.
LOGIN_TRUSTED_PROXIES = env.int("LOGIN_TRUSTED_PROXIES", default=0)
# An agent's opening of one customer is audited once per session within this window.
AGENT_OPEN_AUDIT_WINDOW = env.int("AGENT_OPEN_AUDIT_WINDOW", default=30 * 60)
# An agent's read of one resource (an invoice, a usage set, a CSV, an export download, a
# refresh) is audited once per agent, customer, action and resource within this window.
AGENT_READ_AUDIT_WINDOW = env.int("AGENT_READ_AUDIT_WINDOW", default=AGENT_OPEN_AUDIT_WINDOW)
