"""Celery tasks of the customer-wide refresh: thin wrappers that take ids and call services.

- refresh_customer: reload a customer's unbilled usage (and with "all", their profile,
  subscriptions and invoices) into Redis. Deduplicated by billing_bff.refresh, expires
  if it waited past its use, retries transient upstream errors with backoff and
  jitter, has soft and hard time limits, and is safe to run twice (acks_late: a
  reload just writes the same data again). A run whose worker died is taken over by
  the next request REFRESH_TASK_TIME_LIMIT + REFRESH_STALE_MARGIN after it started
  (billing_bff.refresh); its redelivered message then does nothing.
- refresh_active_customers: the beat job; queues refresh_customer for every customer
  looked at within USAGE_ACTIVE_WINDOW_SECONDS.
- release_revoked_refresh (on Celery's task_revoked): a refresh the worker discarded
  because it waited past its expiry is reported `expired` (`failed` when revoked
  otherwise) and its lock released, so the next "refresh now" starts at once.

Their names are the ones a running beat or queue may hold from before the tasks moved
here (`usage.tasks.*`); CELERY_TASK_ROUTES routes them by those names.
"""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import task_revoked
from django.conf import settings

from billing_bff import caching, refresh
from billing_bff.access import system_access
from billing_bff.activity import active_customers
from billing_bff.tasks import TRANSIENT, retry_countdown
from billing_bff.upstream.deadline import deadline
from billing_bff.upstream.errors import UpstreamError

from . import services

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    name=refresh.REFRESH_TASK,
    acks_late=True,
    soft_time_limit=settings.REFRESH_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.REFRESH_TASK_TIME_LIMIT,
    max_retries=3,
)
def refresh_customer(self, ledger_no: str, customer_no: str, resource: str = "unbilled") -> int:
    task_id = self.request.id
    ids = {"ledger_no": ledger_no, "customer_no": customer_no, "task_id": task_id}
    if not refresh.refresh_started(**ids, resource=resource):
        logger.info("refresh skipped: taken over as stranded")
        return 0
    access = caching.enter(system_access(ledger_no, customer_no), mark_active=False)
    try:
        with deadline(settings.REFRESH_TASK_SOFT_TIME_LIMIT):
            if resource == "all":
                services.refresh_customer_documents(access=access)
            loaded = services.refresh_unbilled(access)
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
    refresh.set_status(**ids, status=status)
    refresh.release_refresh(
        ledger_no=ids["ledger_no"],
        customer_no=ids["customer_no"],
        resource=resource,
        task_id=ids["task_id"],
    )
    return 0


@task_revoked.connect(dispatch_uid="overview-release-revoked-refresh")
def release_revoked_refresh(sender=None, request=None, expired=False, **kwargs) -> None:
    """A refresh the worker discarded (expired in the queue, or revoked) releases its lock.

    The task body never runs for an expired or revoked message, so this is the only
    place such a refresh ends.
    """
    if getattr(sender, "name", None) != refresh.REFRESH_TASK or request is None:
        return
    called = {"resource": "unbilled"}
    # Two or three positional arguments (resource defaults to "unbilled"), or keywords.
    called.update(zip(("ledger_no", "customer_no", "resource"), request.args or (), strict=False))
    called.update(request.kwargs or {})
    ids = {
        "ledger_no": called["ledger_no"],
        "customer_no": called["customer_no"],
        "task_id": request.id,
    }
    logger.info("refresh %s", "expired in the queue" if expired else "revoked")
    _finish(ids, called["resource"], "expired" if expired else "failed")


@shared_task(name="usage.tasks.refresh_active_customers", ignore_result=True)
def refresh_active_customers() -> int:
    queued = 0
    for ledger_no, customer_no in active_customers(
        within_seconds=settings.USAGE_ACTIVE_WINDOW_SECONDS
    ):
        _, new = refresh.queue_refresh(ledger_no=ledger_no, customer_no=customer_no)
        queued += new
    return queued
