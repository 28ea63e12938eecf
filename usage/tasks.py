"""Celery tasks of usage: thin wrappers that take ids and call selectors and services.

- refresh_customer: reload a customer's unbilled usage (and with "all", their profile,
  subscriptions and invoices) into Redis. Deduplicated by services.queue_refresh,
  expires if it waited past its use, retries transient upstream errors with backoff
  and jitter, has soft and hard time limits, and is safe to run twice (acks_late: a
  reload just writes the same data again).
- refresh_active_customers: the beat job; queues refresh_customer for every customer
  looked at within USAGE_ACTIVE_WINDOW_SECONDS.
"""

from __future__ import annotations

import logging
import random

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from billing_bff.access import CustomerAccess
from billing_bff.activity import active_customers
from billing_bff.upstream.deadline import deadline
from billing_bff.upstream.errors import (
    UpstreamBadGateway,
    UpstreamError,
    UpstreamTimeout,
    UpstreamUnavailable,
)

from . import selectors, services

logger = logging.getLogger(__name__)

TRANSIENT = (UpstreamUnavailable, UpstreamTimeout, UpstreamBadGateway)


def retry_countdown(retries: int) -> float:
    """Seconds before the next try of a task: exponential, capped, with jitter."""
    return min(60, 2 ** (retries + 1)) * random.uniform(0.5, 1.5)  # noqa: S311 - jitter


def system_access(ledger_no: str, customer_no: str) -> CustomerAccess:
    """The scope a background job reads under: the customer, no user."""
    return CustomerAccess(
        user=None, ledger_no=ledger_no, customer_no=customer_no, role="system", channel="task"
    )


def refresh_unbilled(access: CustomerAccess) -> int:
    """Reload the unbilled summary and every subscription's records; returns the sets loaded."""
    summary = selectors.unbilled_summary(access=access, force=True)
    loaded = 0
    for item in summary.data["subscriptions"]:
        selectors.unbilled_records(
            access=access, subscription_no=item["subscriptionNo"], force=True
        )
        loaded += 1
    return loaded


@shared_task(
    bind=True,
    acks_late=True,
    soft_time_limit=settings.REFRESH_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.REFRESH_TASK_TIME_LIMIT,
    max_retries=3,
)
def refresh_customer(self, ledger_no: str, customer_no: str, resource: str = "unbilled") -> int:
    task_id = self.request.id
    ids = {"ledger_no": ledger_no, "customer_no": customer_no, "task_id": task_id}
    services.set_status(**ids, status="running")
    access = system_access(ledger_no, customer_no)
    try:
        with deadline(settings.REFRESH_TASK_SOFT_TIME_LIMIT):
            if resource == "all":
                from customers.services import refresh_customer_documents

                refresh_customer_documents(access=access)
            loaded = refresh_unbilled(access)
    except TRANSIENT as exc:
        if self.request.retries < self.max_retries:
            countdown = retry_countdown(self.request.retries)
            logger.warning("refresh retry in %.1fs: %s", countdown, type(exc).__name__)
            raise self.retry(exc=exc, countdown=countdown) from exc
        return _finish(ids, resource, "failed")
    except (UpstreamError, SoftTimeLimitExceeded) as exc:
        logger.warning("refresh failed: %s", type(exc).__name__)
        return _finish(ids, resource, "failed")
    except BaseException:
        _finish(ids, resource, "failed")
        raise
    _finish(ids, resource, "done")
    return loaded


def _finish(ids: dict, resource: str, status: str) -> int:
    services.set_status(**ids, status=status)
    services.release_refresh(
        ledger_no=ids["ledger_no"],
        customer_no=ids["customer_no"],
        resource=resource,
        task_id=ids["task_id"],
    )
    return 0


@shared_task(ignore_result=True)
def refresh_active_customers() -> int:
    queued = 0
    for ledger_no, customer_no in active_customers(
        within_seconds=settings.USAGE_ACTIVE_WINDOW_SECONDS
    ):
        _, new = services.queue_refresh(ledger_no=ledger_no, customer_no=customer_no)
        queued += new
    return queued


# --- Exports (usage.exports): routed to the "export" queue by CELERY_TASK_ROUTES ---------
@shared_task(
    bind=True,
    acks_late=True,
    soft_time_limit=settings.EXPORT_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.EXPORT_TASK_TIME_LIMIT,
    max_retries=settings.EXPORT_TASK_MAX_RETRIES,
)
def export_customer_usage(self, export_id: str) -> str:
    """Run one export; transient upstream errors are retried with backoff and jitter."""
    from usage import exports

    try:
        export = exports.export_run(
            export_id=export_id, may_retry=self.request.retries < self.max_retries
        )
    except (*TRANSIENT, exports.IncompleteSet) as exc:
        countdown = retry_countdown(self.request.retries)
        raise self.retry(exc=exc, countdown=countdown) from exc
    return export.status


@shared_task(ignore_result=True)
def cleanup_exports() -> dict:
    from usage import exports

    return exports.exports_cleanup()
