"""Liveness and readiness probes for load balancers and `make run`.

/healthz answers as long as the process serves requests. /readyz checks each
dependency the BFF needs to answer users (Redis, the database, the PayEx upstream)
and reports each one; it is 503 when any is down. It names no hosts or credentials.
"""

import logging

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from billing_bff.redis import get_redis
from billing_bff.upstream import client as upstream

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


CHECKS = {
    "redis": _check_redis,
    "database": _check_database,
    "upstream": lambda: upstream.ping(),
}


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
        {"status": "ready" if ready else "not ready", "checks": report},
        status=200 if ready else 503,
    )
