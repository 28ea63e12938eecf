"""Refreshes of a customer's data: queueing (deduplicated), status, and "refresh now".

A refresh is queued at most once per customer and resource at a time: queueing takes a
lock in Redis whose value is the task id and whose lifetime outlives the task's queue
expiry plus its hard time limit; the task releases it when it ends. A second request
meanwhile gets the running task's id instead of a new task.

A refresh that waited in the queue past REFRESH_TASK_EXPIRES is discarded by the worker
that receives it; the overview app's task_revoked handler then reports it `expired` and
releases its lock. A lock whose task is still `queued` past its expiry (plus
REFRESH_STALE_MARGIN) was stranded (its message lost, no worker consuming), so the next
request takes the lock over and queues a fresh refresh.

A task that starts running re-arms its lock (`refresh_started`), so from then on the
lock's age is the time since the run started. A hard time limit
(REFRESH_TASK_TIME_LIMIT) means no live run lasts longer: a lock whose task is still
`running` past REFRESH_TASK_TIME_LIMIT + REFRESH_STALE_MARGIN (2 min by default) lost
its worker (killed, machine gone); the next request reports it `failed` and takes the
lock over at once instead of waiting out the lock's lifetime. Should that task's message
be redelivered (acks_late), its run finds the lock another's and does nothing.

The task itself is the overview app's (it reloads documents of all three areas); it is
sent by its name, so nothing here imports an app.

- "unbilled": the unbilled usage summary and every subscription's records;
- "all": that, and the profile, subscriptions, customer-level products and invoice list.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from celery import current_app
from django.conf import settings
from django.urls import reverse
from rest_framework import serializers

from billing_bff.access import (
    CustomerAccess,
    audit_agent_read,
    narrow_operations,
    require_operation,
)
from billing_bff.redis import customer_key, get_redis
from billing_bff.web.openapi import HrefField, shaped

RESOURCES = ("unbilled", "all")
# The names a running beat or queue may hold (CELERY_TASK_ROUTES routes them).
REFRESH_TASK = "usage.tasks.refresh_customer"
STATUSES = ("queued", "running", "done", "failed", "expired")


class RefreshStatus(serializers.Serializer):
    """Where a refresh of the customer stands (the body of …/refresh/{taskId})."""

    taskId = serializers.CharField()
    status = serializers.ChoiceField(choices=STATUSES)


class RefreshTask(RefreshStatus):
    """A refresh asked for (the body of POST …/refresh, API and page alike)."""

    statusUrl = HrefField(help_text="Where to follow it.")


# Delete the lock only if it still holds our task id (it may have expired and been retaken).
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""


# Hand the lock over only if it still holds the stale task id (nobody took it meanwhile).
_TAKE_OVER = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  redis.call('set', KEYS[1], ARGV[2], 'EX', ARGV[3])
  return 1
end
return 0
"""


# At the start of a run: re-arm the lock if it is ours (1), say whether there is none (0)
# or it is another task's (-1, the run was taken over).
_START = """
local held = redis.call('get', KEYS[1])
if held == ARGV[1] then
  redis.call('set', KEYS[1], ARGV[1], 'EX', ARGV[2])
  return 1
end
if held then return -1 end
return 0
"""


def lock_key(ledger_no: str, customer_no: str, resource: str) -> str:
    """Where the customer's running refresh of `resource` is held (its task id)."""
    return customer_key(ledger_no, customer_no, "refresh-lock", resource)


def _status_key(ledger_no: str, customer_no: str, task_id: str) -> str:
    return customer_key(ledger_no, customer_no, "refresh-task", task_id)


def lock_seconds() -> int:
    return settings.REFRESH_TASK_EXPIRES + settings.REFRESH_TASK_TIME_LIMIT + 30


def queue_refresh(
    *, ledger_no: str, customer_no: str, resource: str = "unbilled"
) -> tuple[str, bool]:
    """(task id, whether a new task was queued). Never queues a duplicate."""
    if resource not in RESOURCES:
        raise ValueError(f"unknown refresh resource {resource!r}")
    r = get_redis()
    task_id = uuid.uuid4().hex
    lock = lock_key(ledger_no, customer_no, resource)
    if not r.set(lock, task_id, nx=True, ex=lock_seconds()):
        # The lock's age is its lifetime so far: no second key to keep in step with it.
        running, left_ms = r.pipeline().get(lock).pttl(lock).execute()
        if running is None:
            return task_id, False  # released between the two calls
        held = running.decode()
        ended = _stranded(r, ledger_no, customer_no, held, left_ms=left_ms)
        if ended is None or not r.eval(_TAKE_OVER, 1, lock, held, task_id, lock_seconds()):
            return held, False
        # Queued: its message can no longer run (a worker receiving it discards it as
        # expired). Running: its worker died; a redelivery finds the lock another's.
        set_status(ledger_no=ledger_no, customer_no=customer_no, task_id=held, status=ended)
    r.set(_status_key(ledger_no, customer_no, task_id), "queued", ex=lock_seconds() + 3600)
    current_app.send_task(
        REFRESH_TASK,
        args=(ledger_no, customer_no, resource),
        task_id=task_id,
        expires=settings.REFRESH_TASK_EXPIRES,
        # Its status is kept here (set_status): no subscription to Celery's result store,
        # which would wait ~20 s for a Redis that is down.
        ignore_result=True,
    )
    return task_id, True


def _stranded(r, ledger_no: str, customer_no: str, task_id: str, *, left_ms: int) -> str | None:
    """What to report for the lock's task if it was stranded (None: it was not).

    - still `queued` past its expiry (and the margin): its message was lost or no
      worker took it in time, and none will ever run it: `expired`;
    - still `running` past the hard time limit (and the margin) since its run started:
      its worker died: `failed`;
    - already ended (its worker died between reporting and releasing): as it is.

    The lock was set (or re-armed by `refresh_started`) for lock_seconds(): its age is
    what its remaining lifetime (`left_ms`, PTTL) says. Only an old lock costs a status
    read.
    """
    age = lock_seconds() - left_ms / 1000
    queued_for = settings.REFRESH_TASK_EXPIRES + settings.REFRESH_STALE_MARGIN
    running_for = running_bound()
    if left_ms < 0 or age <= min(queued_for, running_for):
        return None
    value = r.get(_status_key(ledger_no, customer_no, task_id))
    status = value.decode() if value is not None else None
    if status == "queued" and age > queued_for:
        return "expired"
    if status == "running" and age > running_for:
        return "failed"
    if status in ("done", "failed", "expired"):
        return status
    return None


def running_bound() -> int:
    """Seconds after its start past which a run still `running` lost its worker."""
    return settings.REFRESH_TASK_TIME_LIMIT + settings.REFRESH_STALE_MARGIN


def refresh_started(*, ledger_no: str, customer_no: str, resource: str, task_id: str) -> bool:
    """A run begins: status `running`, its lock re-armed. False when the lock is another
    task's (this one was taken over as stranded): the run must do nothing."""
    lock = lock_key(ledger_no, customer_no, resource)
    if get_redis().eval(_START, 1, lock, task_id, lock_seconds()) < 0:
        return False
    set_status(ledger_no=ledger_no, customer_no=customer_no, task_id=task_id, status="running")
    return True


def refresh_queuer(access: CustomerAccess, *, resource: str) -> Callable[[], None]:
    """What caching.read_through calls on a stale copy: one deduplicated refresh."""

    def queue() -> None:
        queue_refresh(ledger_no=access.ledger_no, customer_no=access.customer_no, resource=resource)

    return queue


def release_refresh(*, ledger_no: str, customer_no: str, resource: str, task_id: str) -> None:
    get_redis().eval(_RELEASE, 1, lock_key(ledger_no, customer_no, resource), task_id)


def set_status(*, ledger_no: str, customer_no: str, task_id: str, status: str) -> None:
    get_redis().set(_status_key(ledger_no, customer_no, task_id), status, xx=True, keepttl=True)


def refresh_status(*, ledger_no: str, customer_no: str, task_id: str) -> str | None:
    """queued | running | done | failed | expired, or None when this customer has no
    such refresh."""
    value = get_redis().get(_status_key(ledger_no, customer_no, task_id))
    return value.decode() if value is not None else None


def status_url(access: CustomerAccess, task_id: str) -> str:
    return reverse(
        "overview:refresh-status", kwargs={"customerNo": access.customer_no, "taskId": task_id}
    )


def refresh_operations(access: CustomerAccess) -> list[dict]:
    """The customer's "refresh now" (POST …/refresh), when the role may ask for it."""
    href = reverse("overview:refresh", kwargs={"customerNo": access.customer_no})
    return narrow_operations(
        kind="customer",
        role=access.role,
        operations=[{"rel": "refresh", "method": "POST", "href": href}],
    )


def request_refresh(access: CustomerAccess) -> dict:
    """ "Refresh now" of the whole customer, through the policy (API and page alike):
    `{taskId, status, statusUrl}` of the refresh queued, or of the one already queued."""
    require_operation(access=access, kind="customer", rel="refresh", offered=None)
    ids = {"ledger_no": access.ledger_no, "customer_no": access.customer_no}
    task_id, _queued = queue_refresh(**ids, resource="all")
    audit_agent_read(access, "customer.refresh")
    return shaped(
        RefreshTask,
        taskId=task_id,
        status=refresh_status(**ids, task_id=task_id) or "queued",
        statusUrl=status_url(access, task_id),
    )
