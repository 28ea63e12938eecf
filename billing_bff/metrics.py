"""Prometheus exposition at /metrics.

Open in DEBUG; in production only with `Authorization: Bearer $METRICS_TOKEN`, and
absent (404) when no token is configured. With PROMETHEUS_MULTIPROC_DIR set, the
figures of every web worker process are collected together.
"""

import os
import secrets

from django.conf import settings
from django.http import Http404, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    generate_latest,
    multiprocess,
)


def _authorised(request) -> bool:
    token = settings.METRICS_TOKEN
    if not token:
        return settings.DEBUG
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    return secrets.compare_digest(given.encode(), token.encode())


@never_cache
@require_GET
def metrics(request):
    if not _authorised(request):
        raise Http404
    registry = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
