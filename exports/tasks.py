"""Celery tasks of exports, routed to the "export" queue by CELERY_TASK_ROUTES.

Their names are the ones a running beat or queue may hold from before the tasks moved
here (`usage.tasks.*`).
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from billing_bff.tasks import TRANSIENT, retry_countdown

from . import services


@shared_task(
    bind=True,
    name=services.EXPORT_TASK,
    acks_late=True,
    soft_time_limit=settings.EXPORT_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.EXPORT_TASK_TIME_LIMIT,
    max_retries=settings.EXPORT_TASK_MAX_RETRIES,
)
def export_customer_usage(self, export_id: str, attempt: int = 1) -> str:
    """Run one attempt of an export; transient upstream errors are retried with backoff
    and jitter. Messages sent before attempts existed carry the export id alone: they
    were sent for the first attempt."""
    try:
        export = services.export_run(
            export_id=export_id,
            attempt=attempt,
            may_retry=self.request.retries < self.max_retries,
        )
    except (*TRANSIENT, services.IncompleteSet) as exc:
        countdown = retry_countdown(self.request.retries)
        raise self.retry(exc=exc, countdown=countdown) from exc
    return export.status


@shared_task(name="usage.tasks.cleanup_exports", ignore_result=True)
def cleanup_exports() -> dict:
    return services.exports_cleanup()


@shared_task(name="usage.tasks.recover_exports", ignore_result=True)
def recover_exports() -> dict:
    """Beat, every EXPORT_RECOVER_INTERVAL: send unsent exports, re-queue stalled ones."""
    return services.exports_recover()
