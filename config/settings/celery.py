"""Celery (config.celery reads every CELERY_* setting): broker, queues, limits, beat.

The broker and result backend default to REDIS_URL, and the refresh of unbilled usage
follows its fresh window, so both come from config.settings.cache.
"""

from .cache import REDIS_URL, UNBILLED_FRESH_SECONDS
from .environment import env
from .exports import EXPORT_RECOVER_INTERVAL

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 60 * 60}
# Refresh and export work on separate queues, so a long export never delays a refresh.
CELERY_TASK_ROUTES = {
    "usage.tasks.refresh_*": {"queue": "refresh"},
    "usage.tasks.export_*": {"queue": "export"},
    "usage.tasks.recover_exports": {"queue": "export"},
}
REFRESH_TASK_SOFT_TIME_LIMIT = env.int("REFRESH_TASK_SOFT_TIME_LIMIT", default=60)
REFRESH_TASK_TIME_LIMIT = env.int("REFRESH_TASK_TIME_LIMIT", default=90)
# A refresh that waited longer than one fresh window in the queue is of no use any more.
REFRESH_TASK_EXPIRES = env.int("REFRESH_TASK_EXPIRES", default=UNBILLED_FRESH_SECONDS)
# A refresh still queued this long past its expiry will never run (its message was lost,
# or no worker took it): the next request takes its lock over (billing_bff.refresh).
REFRESH_STALE_MARGIN = env.int("REFRESH_STALE_MARGIN", default=30)
# Customers looked at within this window have their unbilled usage kept warm by beat.
USAGE_ACTIVE_WINDOW_SECONDS = env.int("USAGE_ACTIVE_WINDOW_SECONDS", default=30 * 60)
CELERY_BEAT_SCHEDULE = {
    "refresh-active-customers": {
        "task": "usage.tasks.refresh_active_customers",
        "schedule": float(UNBILLED_FRESH_SECONDS),
        "options": {"expires": UNBILLED_FRESH_SECONDS},
    },
    # Sends exports whose task could not be sent, re-queues those whose worker died
    # (exports.services.exports_recover).
    "recover-exports": {
        "task": "usage.tasks.recover_exports",
        "schedule": float(EXPORT_RECOVER_INTERVAL),
        "options": {"expires": EXPORT_RECOVER_INTERVAL},
    },
    "cleanup-exports": {
        "task": "usage.tasks.cleanup_exports",
        "schedule": 60.0 * 60,
        "options": {"expires": 60 * 60},
    },
}
