"""One pooled `requests` session per process and upstream API.

The session fills in the configured timeouts when a caller forgets, carries the client
certificate (mutual TLS) and CA bundle, and never retries by itself: retries belong to
the client, which knows which calls are safe to repeat. TLS verification is never
turned off; the sandbox is plain HTTP on loopback and needs none.
"""

from __future__ import annotations

import os
from functools import cache

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter


class PayExSession(requests.Session):
    def __init__(self) -> None:
        super().__init__()
        adapter = HTTPAdapter(
            pool_connections=4, pool_maxsize=settings.PAYEX_POOL_SIZE, max_retries=0
        )
        self.mount("https://", adapter)
        self.mount("http://", adapter)
        self.headers.update({"Accept": "application/json", "User-Agent": "payex-mypages-bff"})
        # No credentials from ~/.netrc or proxies from the environment by surprise.
        self.trust_env = False
        if settings.PAYEX_CLIENT_CERT:
            self.cert = (settings.PAYEX_CLIENT_CERT, settings.PAYEX_CLIENT_KEY or None)
        self.verify = settings.PAYEX_CA_BUNDLE or True

    def request(self, method, url, **kwargs):
        kwargs.setdefault("timeout", (settings.PAYEX_CONNECT_TIMEOUT, settings.PAYEX_READ_TIMEOUT))
        return super().request(method, url, **kwargs)


@cache
def get_session(api: str) -> PayExSession:
    """The process's session for one API (customer, invoice, usage)."""
    return PayExSession()


def _forget_sessions() -> None:
    # A forked worker must not share its parent's sockets.
    get_session.cache_clear()


os.register_at_fork(after_in_child=_forget_sessions)
