"""Full usage exports of one customer: create, run (the Celery task's body), file, cleanup.

An export holds the billed usage of the customer's last 12 invoices (oldest first; an
invoice without usage, whose billed summary is not found, is skipped) and the unbilled
usage of every subscription, as one CSV: `source` (billed|unbilled),
`invoiceNo`, `subscriptionNo`, then usage.csv_rows.CSV_COLUMNS. A CSV larger than
EXPORT_ZIP_THRESHOLD_BYTES is delivered zipped (deflate).

- `export_create`: a queued row, an audit entry, and the task queued once the row is
  committed. While an export of the customer is queued or running, asking again answers
  that one: a second click must not cost a second full read of the upstream. A broker
  that is down fails no request: the row stays unsent (`sent_at` null) and is sent later.
- `exports_recover` (beat, every EXPORT_RECOVER_INTERVAL): sends queued rows whose task
  could not be sent, and queues again, as the next `attempt`, a running export whose
  heartbeat (written with its progress) is older than EXPORT_STALL_SECONDS: its worker
  died (kill -9, lost machine). So a dead worker's export is picked up again within
  EXPORT_STALL_SECONDS + EXPORT_RECOVER_INTERVAL; after EXPORT_MAX_ATTEMPTS it is failed
  with the reason `worker-lost`, and the user's next request starts a new one. A queued
  export whose task was sent EXPORT_STALL_SECONDS ago and never started (its message
  lost with a Redis that went away) is sent again the same way. Each task
  carries its attempt: a run of an attempt that is no longer the row's does nothing.
- `export_run`: reads through the same cache as the API (usage.selectors) under the
  customer's system access and streams each set out of Redis in chunks
  (usage.store.iter_view), so memory does not grow with the customer. The file is
  written beside its final place under a temporary name and renamed into place, so a
  second run (an acks_late redelivery) writes the same file again, never half of one.
  `percent` is written at most every PROGRESS_INTERVAL seconds and only upwards (an
  UPDATE … WHERE percent < new), so a rerun never moves the bar back.
  Transient upstream errors propagate when the task may still retry; every other
  failure, or the last attempt, marks the row failed with a reason code.
- Files are named by the export's uuid under EXPORT_ROOT, outside every static or
  media root (exports.selectors.export_path finds them): the only way to them is the
  authorised download view.
- `exports_cleanup`: deletes the files of exports past `expires_at` and marks the rows
  expired (their downloads then answer 410 Gone); fails rows abandoned in queued or
  running (a worker killed at its hard time limit) and removes leftover temporary files.
"""

from __future__ import annotations

import contextlib
import csv
import logging
import os
import secrets
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from uuid import UUID

from celery import current_app
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from billing_bff import caching
from billing_bff.access import CustomerAccess, audit, system_access
from billing_bff.problems import DEPENDENCY_ERRORS, NotFound, Problem
from billing_bff.upstream.deadline import deadline
from invoices import selectors as invoice_selectors
from usage import selectors as usage_selectors
from usage import store
from usage.csv_rows import CSV_COLUMNS, csv_row

from .models import Export
from .selectors import export_root, stored_path

logger = logging.getLogger(__name__)

COLUMNS = ("source", "invoiceNo", "subscriptionNo", *CSV_COLUMNS)
# The name a running queue may hold from before the task moved here (exports.tasks);
# CELERY_TASK_ROUTES sends it to the "export" queue by it.
EXPORT_TASK = "usage.tasks.export_customer_usage"
INVOICES = 12
# One progress write per interval at most: a bar polled every few seconds needs no more,
# and a big export must not turn into thousands of UPDATEs.
PROGRESS_INTERVAL = 1.0
# Share of the bar for reading the summaries before any record is written, and for
# zipping after the last one.
_PLAN_PERCENT, _DATA_PERCENT = 3, 97
# Rows between two progress checks inside a set: a 60,000-record set moves the bar too.
_ROWS_PER_CHECK = 1000
# Longer than any run with its retries and backoff can last; an export still queued or
# running after that was lost with its worker.
ABANDONED_AFTER = timedelta(hours=6)
_TEMP_SUFFIX = ".part"
_ORDER = store.Query(sort="time")

# The reason a user reads on an export whose worker died EXPORT_MAX_ATTEMPTS times.
WORKER_LOST = "worker-lost"
# Sending a task when the broker is down: a few quick tries, then the request goes on.
_SEND_RETRY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}

ProgressCallback = Callable[[int], None]


class IncompleteSet(Exception):
    """A set's records ran out before its count (evicted while being read)."""


# --- create -----------------------------------------------------------------------------
def export_create(*, access: CustomerAccess) -> tuple[Export, bool]:
    """(the export, whether it is new). Queues the task; audits the request either way.

    A running export whose worker died (its heartbeat older than EXPORT_STALL_SECONDS) is
    not answered as the one in flight: it is queued again here as its next attempt (what
    exports_recover would do), or, its attempts used up, failed, and a new export starts.
    """
    now = timezone.now()
    send = None
    with transaction.atomic():
        running = (
            Export.objects.select_for_update()
            .filter(
                ledger_no=access.ledger_no,
                customer_no=access.customer_no,
                status__in=(Export.Status.QUEUED, Export.Status.RUNNING),
                created_at__gt=now - ABANDONED_AFTER,
            )
            .first()
        )
        if running is not None and _stalled(running, now):
            running = _take_over(running, now)
            if running is not None:
                send = running.attempt
        elif running is not None and _unsent(running, now):
            send = running.attempt  # its task could not be sent: try again now
        new = running is None
        export = running or Export.objects.create(
            ledger_no=access.ledger_no,
            customer_no=access.customer_no,
            requested_by=access.user,
        )
        if new:
            send = export.attempt
        audit(
            access=access,
            action="customer.export",
            details={"exportId": str(export.id), "new": new},
        )
        if send is not None:
            # Only a committed row can be found by the worker. A broker that is down
            # fails no request: the row stays unsent and exports_recover sends it.
            transaction.on_commit(lambda: _send(export.id, send))
    return export, new


def _send(export_id: UUID, attempt: int) -> bool:
    """Hand the attempt's task to the broker; record when. False when the broker refused."""
    try:
        current_app.send_task(
            EXPORT_TASK,
            args=(str(export_id), attempt),
            retry=True,
            retry_policy=_SEND_RETRY,
            # The row is the result: no subscription to Celery's result store, which
            # would wait ~20 s for a Redis that is down.
            ignore_result=True,
        )
    except Exception as exc:  # the broker down or unreachable: sent later by recovery
        logger.warning("export task not sent: %s", type(exc).__name__)
        return False
    Export.objects.filter(pk=export_id, attempt=attempt, sent_at__isnull=True).update(
        sent_at=timezone.now()
    )
    return True


def _unsent(export: Export, now: datetime) -> bool:
    return (
        export.status == Export.Status.QUEUED
        and export.sent_at is None
        and export.created_at <= now - timedelta(seconds=settings.EXPORT_SEND_GRACE)
    )


def _stalled(export: Export, now: datetime) -> bool:
    """Running with a heartbeat older than EXPORT_STALL_SECONDS: its worker is gone. Or
    queued that long after its task was sent: its message may have been lost (a worker
    took it as Redis went away), so it is sent again as the next attempt (the old message,
    should it still run, then does nothing)."""
    stall = now - timedelta(seconds=settings.EXPORT_STALL_SECONDS)
    if export.status == Export.Status.QUEUED:
        return export.sent_at is not None and export.sent_at <= stall
    if export.status != Export.Status.RUNNING:
        return False
    return (export.heartbeat_at or export.sent_at or export.created_at) <= stall


def _take_over(export: Export, now: datetime) -> Export | None:
    """A stalled export queued again as its next attempt (the caller sends it), or failed
    with `worker-lost` when its attempts are used up (None then)."""
    stale = Export.objects.filter(pk=export.pk, attempt=export.attempt, status=export.status)
    # Only runs that died count against the attempts; a message resent while it waited
    # in a long queue does not.
    if export.status == Export.Status.RUNNING and export.attempt >= settings.EXPORT_MAX_ATTEMPTS:
        stale.update(status=Export.Status.FAILED, failure_reason=WORKER_LOST, finished_at=now)
        logger.warning("export failed reason=%s attempts=%d", WORKER_LOST, export.attempt)
        return None
    if not stale.update(
        status=Export.Status.QUEUED, attempt=export.attempt + 1, sent_at=None, heartbeat_at=None
    ):
        return None  # taken over meanwhile
    logger.warning("export worker lost: queued again as attempt %d", export.attempt + 1)
    return Export.objects.get(pk=export.pk)


def exports_recover(*, now: datetime | None = None) -> dict[str, int]:
    """Send what could not be sent; queue again what lost its worker (the beat task).

    An export whose worker died is picked up again within EXPORT_STALL_SECONDS +
    EXPORT_RECOVER_INTERVAL of its last heartbeat.
    """
    now = now or timezone.now()
    active = Export.objects.filter(created_at__gt=now - ABANDONED_AFTER)
    sent = requeued = failed = 0
    unsent = active.filter(
        status=Export.Status.QUEUED,
        sent_at__isnull=True,
        created_at__lte=now - timedelta(seconds=settings.EXPORT_SEND_GRACE),
    )
    for export in unsent:
        sent += _send(export.id, export.attempt)
    for export in active.filter(status__in=(Export.Status.QUEUED, Export.Status.RUNNING)):
        if not _stalled(export, now):
            continue
        with transaction.atomic():
            taken = _take_over(export, now)
        if taken is None:
            failed += Export.objects.filter(pk=export.pk, status=Export.Status.FAILED).exists()
            continue
        requeued += 1
        _send(taken.id, taken.attempt)
    if sent or requeued or failed:
        logger.info("exports recover sent=%d requeued=%d failed=%d", sent, requeued, failed)
    return {"sent": sent, "requeued": requeued, "failed": failed}


# --- run --------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Part:
    source: str  # "billed" | "unbilled"
    invoice_no: str | None
    subscription_no: str
    weight: int  # records expected (+1, so an empty set still moves the bar)


class _Progress:
    """Percent of one export: throttled, upward-only writes to its row."""

    def __init__(self, export: Export, on_progress: ProgressCallback | None) -> None:
        self.export_id = export.id
        self.attempt = export.attempt
        self.written = export.percent
        self.last_write = 0.0
        self.last_beat = time.monotonic()
        self.on_progress = on_progress
        self.total = 1
        self.done = 0

    def plan(self, parts: list[_Part]) -> None:
        self.total = max(1, sum(part.weight for part in parts))
        self.to(_PLAN_PERCENT)

    def advance(self, weight: int) -> None:
        self.done = min(self.total, self.done + weight)
        self.to(_PLAN_PERCENT + (_DATA_PERCENT - _PLAN_PERCENT) * self.done // self.total)

    def beat(self) -> None:
        """The heartbeat alone, when one is due (between progress writes)."""
        if time.monotonic() - self.last_beat >= _beat_interval():
            self._mine().update(heartbeat_at=timezone.now())
            self.last_beat = time.monotonic()

    def to(self, percent: int) -> None:
        now = time.monotonic()
        if percent <= self.written or now - self.last_write < PROGRESS_INTERVAL:
            self.beat()
            return
        self._mine().filter(percent__lt=percent).update(
            percent=percent, heartbeat_at=timezone.now()
        )
        self.written, self.last_write, self.last_beat = percent, now, now
        if self.on_progress is not None:
            self.on_progress(percent)

    def _mine(self):
        return Export.objects.filter(pk=self.export_id, attempt=self.attempt)


def _beat_interval() -> float:
    # Four beats per stall window: a run is never taken for dead while it writes.
    return settings.EXPORT_STALL_SECONDS / 4


def export_run(
    *,
    export_id: UUID | str,
    attempt: int | None = None,
    may_retry: bool = False,
    on_progress: ProgressCallback | None = None,
) -> Export:
    """Run one export to its end (the task's body). Returns the row as it ended.

    `attempt`: the attempt the task was sent for (None: the row's current one). A run of
    an attempt that is no longer the row's, or of a row done, failed or expired, does
    nothing: an acks_late message redelivered after the export was taken over or ended
    never runs it twice. `may_retry`: a transient upstream error is raised for the
    caller to retry later instead of failing the export. `on_progress` is called with
    each percent written.
    """
    export = Export.objects.get(pk=export_id)
    if attempt is None:
        attempt = export.attempt
    claimed = Export.objects.filter(
        pk=export.pk,
        attempt=attempt,
        status__in=(Export.Status.QUEUED, Export.Status.RUNNING),
    ).update(status=Export.Status.RUNNING, heartbeat_at=timezone.now())
    if not claimed:
        logger.info("export run skipped: attempt %d is not current", attempt)
        return Export.objects.get(pk=export.pk)
    export.refresh_from_db()
    access = caching.enter(system_access(export.ledger_no, export.customer_no), mark_active=False)
    progress = _Progress(export, on_progress)
    temp = _temp_path(export)
    started = time.monotonic()
    try:
        # Every upstream call of the run shares one deadline: the thread pool of a worker
        # enforces no soft time limit, the deadline still ends the run.
        with deadline(settings.EXPORT_TASK_SOFT_TIME_LIMIT):
            parts = _plan(access)
            progress.plan(parts)
            rows = _write_csv(temp, access=access, parts=parts, progress=progress)
        final, name = _finish_file(temp, export=export)
    except Problem as exc:  # upstream errors, and the selectors' own NotFound
        temp.unlink(missing_ok=True)
        out_of_time = time.monotonic() - started >= settings.EXPORT_TASK_SOFT_TIME_LIMIT
        if out_of_time:
            return _fail(export, reason="time-limit")
        if may_retry and getattr(exc, "counts_as_failure", False):
            logger.warning("export retry after %s", type(exc).__name__)
            raise
        return _fail(export, reason=exc.default_code)
    except IncompleteSet:
        temp.unlink(missing_ok=True)
        if may_retry:
            raise  # evicted under us: the next attempt reloads it
        return _fail(export, reason="incomplete-set")
    except SoftTimeLimitExceeded:
        temp.unlink(missing_ok=True)
        return _fail(export, reason="time-limit")
    except DEPENDENCY_ERRORS:
        # Redis, the broker or the database went away mid-run: nothing the user did. The
        # row stays running; once its heartbeat is stale, exports_recover queues it again.
        temp.unlink(missing_ok=True)
        raise
    except BaseException:
        temp.unlink(missing_ok=True)
        _fail(export, reason="internal-error")
        raise
    now = timezone.now()
    Export.objects.filter(pk=export.pk).exclude(status=Export.Status.EXPIRED).update(
        status=Export.Status.DONE,
        percent=100,
        rows=rows,
        file_name=name,
        size=final.stat().st_size,
        failure_reason="",
        finished_at=now,
        expires_at=now + timedelta(days=settings.EXPORT_RETENTION_DAYS),
    )
    if on_progress is not None and progress.written < 100:
        on_progress(100)
    return Export.objects.get(pk=export.pk)


def _fail(export: Export, *, reason: str) -> Export:
    logger.warning("export failed reason=%s", reason)
    # Only the current attempt's run fails it: a taken-over run leaves the next alone.
    Export.objects.filter(pk=export.pk, attempt=export.attempt).exclude(
        status=Export.Status.DONE
    ).update(status=Export.Status.FAILED, failure_reason=reason, finished_at=timezone.now())
    return Export.objects.get(pk=export.pk)


def _plan(access: CustomerAccess) -> list[_Part]:
    """Every set to write, in file order: the last invoices oldest first, then unbilled."""
    invoices = invoice_selectors.matching_invoices(
        invoice_selectors.invoice_list(access=access), year=None, status=None
    )[:INVOICES]
    parts = []
    skipped = 0
    for header in reversed(invoices):
        invoice_no = str(header["invoiceNo"])
        try:
            summary = usage_selectors.billed_summary(access=access, invoice_no=invoice_no)
        except NotFound:
            # An invoice with no usage on it (a broadband-only customer's): nothing to
            # export, and no reason to fail the rest.
            skipped += 1
            continue
        parts.extend(_parts_of(summary.data, source="billed", invoice_no=invoice_no))
    if skipped:
        logger.info("export skips %d invoices without billed usage", skipped)
    unbilled = usage_selectors.unbilled_summary(access=access)
    parts.extend(_parts_of(unbilled.data, source="unbilled", invoice_no=None))
    return parts


def _parts_of(summary: dict, *, source: str, invoice_no: str | None) -> list[_Part]:
    return [
        _Part(
            source=source,
            invoice_no=invoice_no,
            subscription_no=str(item["subscriptionNo"]),
            weight=int(item.get("recordCount") or 0) + 1,
        )
        for item in summary["subscriptions"]
    ]


def _loaded_set(access: CustomerAccess, part: _Part) -> tuple[str, dict]:
    """The set's key and summary, its records known to be in Redis (a one-record probe
    reloads them when they were evicted under the summary)."""

    def probe(set_key: str, summary: dict) -> str:
        store.read_page(set_key, summary, store.Query(page_size=1))
        return set_key

    set_key, cached = usage_selectors.read_set(
        access=access,
        subscription_no=part.subscription_no,
        invoice_no=part.invoice_no,
        read=probe,
    )
    return set_key, cached.data


def _write_csv(
    path: Path, *, access: CustomerAccess, parts: list[_Part], progress: _Progress
) -> int:
    rows = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for part in parts:
            progress.beat()
            set_key, summary = _loaded_set(access, part)
            lead = (part.source, part.invoice_no or "", part.subscription_no)
            written = advanced = 0
            for record in store.iter_view(set_key, summary, _ORDER):
                writer.writerow(csv_row(record, lead=lead))
                written += 1
                if written % _ROWS_PER_CHECK == 0 and written < part.weight:
                    progress.advance(_ROWS_PER_CHECK)
                    advanced += _ROWS_PER_CHECK
            if written != summary["count"]:
                raise IncompleteSet()
            progress.advance(part.weight - advanced)
            rows += written
        handle.flush()
        os.fsync(handle.fileno())
    return rows


def _download_name(export: Export, suffix: str) -> str:
    created = timezone.localtime(export.created_at)
    return f"usage-{export.customer_no}-{created:%Y%m%d-%H%M}{suffix}"


def _finish_file(temp: Path, *, export: Export) -> tuple[Path, str]:
    """Zip when large, then move into place atomically. (final path, download name)."""
    csv_name = _download_name(export, ".csv")
    if temp.stat().st_size > settings.EXPORT_ZIP_THRESHOLD_BYTES:
        zipped = temp.with_name(temp.name + ".zip" + _TEMP_SUFFIX)
        try:
            with zipfile.ZipFile(
                zipped, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True
            ) as archive:
                archive.write(temp, arcname=csv_name)
            with zipped.open("rb+") as handle:
                os.fsync(handle.fileno())
        except BaseException:
            zipped.unlink(missing_ok=True)
            raise
        finally:
            temp.unlink(missing_ok=True)
        temp, name = zipped, _download_name(export, ".zip")
    else:
        name = csv_name
    final = stored_path(export.id, Path(name).suffix)
    os.replace(temp, final)
    # A previous run may have left the other form (the threshold changed in between).
    for suffix in (".csv", ".zip"):
        other = stored_path(export.id, suffix)
        if other != final:
            other.unlink(missing_ok=True)
    return final, name


def _temp_path(export: Export) -> Path:
    # Hidden and unique per run: two runs of one export never write the same temp file.
    return export_root() / f".{export.id}.{secrets.token_hex(4)}{_TEMP_SUFFIX}"


# --- cleanup ----------------------------------------------------------------------------
def exports_cleanup(*, now: datetime | None = None) -> dict[str, int]:
    """Expire what is past its retention; fail what was abandoned. Counts of each."""
    now = now or timezone.now()
    expired = 0
    for export in Export.objects.filter(status=Export.Status.DONE, expires_at__lte=now):
        for suffix in (".csv", ".zip"):
            stored_path(export.id, suffix).unlink(missing_ok=True)
        expired += Export.objects.filter(pk=export.pk, status=Export.Status.DONE).update(
            status=Export.Status.EXPIRED
        )
    abandoned = Export.objects.filter(
        status__in=(Export.Status.QUEUED, Export.Status.RUNNING),
        created_at__lte=now - ABANDONED_AFTER,
    ).update(status=Export.Status.FAILED, failure_reason="abandoned", finished_at=now)
    temps = 0
    cutoff = now.timestamp() - ABANDONED_AFTER.total_seconds()
    for temp in export_root().glob(f".*{_TEMP_SUFFIX}"):
        with contextlib.suppress(FileNotFoundError):
            if temp.stat().st_mtime < cutoff:
                temp.unlink()
                temps += 1
    if expired or abandoned or temps:
        logger.info(
            "exports cleanup expired=%d abandoned=%d temp_files=%d", expired, abandoned, temps
        )
    return {"expired": expired, "abandoned": abandoned, "tempFiles": temps}
