"""What every app's Celery tasks share: which upstream errors are worth a retry, and when."""

from __future__ import annotations

import random

from billing_bff.upstream.errors import UpstreamBadGateway, UpstreamTimeout, UpstreamUnavailable

# Upstream failures that may pass: a task retries them with backoff.
TRANSIENT = (UpstreamUnavailable, UpstreamTimeout, UpstreamBadGateway)


def retry_countdown(retries: int) -> float:
    """Seconds before the next try of a task: exponential, capped, with jitter."""
    return min(60, 2 ** (retries + 1)) * random.uniform(0.5, 1.5)  # noqa: S311 - jitter
