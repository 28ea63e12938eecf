"""Liveness and readiness probes for load balancers and `make run`.

/healthz answers as long as the process serves requests. /readyz checks each
dependency the BFF needs to answer users (Redis, the database, the PayEx upstream)
and reports each one; it is 503 when any is down. It names no hosts or credentials.

The upstream check never spends a half-open probe of a circuit breaker and never
counts towards one: while the Customer API's breaker is open it reports the upstream
unavailable without calling it; otherwise it pings outside the breaker (one attempt,
billing_bff.upstream.client.ping). Half-open, the ping still runs, so an instance that
the load balancer took out is let back in once the upstream answers, and user traffic
then closes the breaker. Every API's breaker state is reported under `breakers`.
"""

import logging

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from billing_bff.redis import get_redis
from billing_bff.upstream import client as upstream
from billing_bff.upstream import errors
from billing_bff.upstream.breaker import APIS, OPEN, Breaker

logger = logging.getLogger(__name__)


@never_cache
@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})


def _check_redis() -> None:
    get_redis().ping()


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _check_upstream() -> None:
    if Breaker("customer").state() == OPEN:
        raise errors.CircuitOpen(api="customer")
    upstream.ping()


CHECKS = {
    "redis": _check_redis,
    "database": _check_database,
    "upstream": _check_upstream,
}


def _breakers() -> dict[str, str]:
    return {api: Breaker(api).state() for api in APIS}


@never_cache
@require_GET
def readyz(request):
    report = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as exc:
            logger.warning("readiness check %s failed: %s", name, type(exc).__name__)
            report[name] = "unavailable"
        else:
            report[name] = "ok"
    ready = all(v == "ok" for v in report.values())
    return JsonResponse(
        {"status": "ready" if ready else "not ready", "checks": report, "breakers": _breakers()},
        status=200 if ready else 503,
    )
