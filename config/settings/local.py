"""Local development: the whole stack on one machine, pointed at the sandbox."""

import os

from .environment import LOCAL_SECRET_KEY

_sandbox = f"http://127.0.0.1:{os.environ.get('SANDBOX_PORT', '8001')}"
os.environ.setdefault("SECRET_KEY", LOCAL_SECRET_KEY)
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
os.environ.setdefault("PAYEX_BASE_URL", _sandbox)
os.environ.setdefault("PAYEX_OWNER_NO", "501")
os.environ.setdefault("PAYMENT_BANKGIRO", "5050-1055")
os.environ.setdefault("PAYEX_TOKEN", "sandbox-501")
os.environ.setdefault("PAYEX_SANDBOX", "true")

from .base import *  # noqa: E402, F403
