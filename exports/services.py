"""Full usage exports of one customer: create, run (the Celery task's body), file, cleanup.

An export holds the billed usage of the customer's last 12 invoices (oldest first; an
invoice without usage, whose billed summary is not found, is skipped) and the unbilled
usage of every subscription, as one CSV: `source` (billed|unbilled),
`invoiceNo`, `subscriptionNo`, then usage.csv_rows.CSV_COLUMNS. A CSV larger than
EXPORT_ZIP_THRESHOLD_BYTES is delivered zipped (deflate).

- `export_create`: a queued row, an audit entry, and the task queued once the row is
  committed. While an export of the customer is queued or running, asking again answers
  that one: a second click must not cost a second full read of the upstream.
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
from billing_bff.problems import NotFound, Problem
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

ProgressCallback = Callable[[int], None]


class IncompleteSet(Exception):
    """A set's records ran out before its count (evicted while being read)."""


# --- create -----------------------------------------------------------------------------
def export_create(*, access: CustomerAccess) -> tuple[Export, bool]:
    """(the export, whether it is new). Queues the task; audits the request either way."""
    with transaction.atomic():
        running = (
            Export.objects.select_for_update()
            .filter(
                ledger_no=access.ledger_no,
                customer_no=access.customer_no,
                status__in=(Export.Status.QUEUED, Export.Status.RUNNING),
                created_at__gt=timezone.now() - ABANDONED_AFTER,
            )
            .first()
        )
        new = running is None
        export = running or Export.objects.create(
            ledger_no=access.ledger_no,
            customer_no=access.customer_no,
            requested_by=access.user,
        )
        audit(
            access=access,
            action="customer.export",
            details={"exportId": str(export.id), "new": new},
        )
        if new:
            # Only a committed row can be found by the worker.
            transaction.on_commit(lambda: _queue(export.id))
    return export, new


def _queue(export_id: UUID) -> None:
    current_app.send_task(EXPORT_TASK, args=(str(export_id),))


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
        self.written = export.percent
        self.last_write = 0.0
        self.on_progress = on_progress
        self.total = 1
        self.done = 0

    def plan(self, parts: list[_Part]) -> None:
        self.total = max(1, sum(part.weight for part in parts))
        self.to(_PLAN_PERCENT)

    def advance(self, weight: int) -> None:
        self.done = min(self.total, self.done + weight)
        self.to(_PLAN_PERCENT + (_DATA_PERCENT - _PLAN_PERCENT) * self.done // self.total)

    def to(self, percent: int) -> None:
        now = time.monotonic()
        if percent <= self.written or now - self.last_write < PROGRESS_INTERVAL:
            return
        Export.objects.filter(pk=self.export_id, percent__lt=percent).update(percent=percent)
        self.written, self.last_write = percent, now
        if self.on_progress is not None:
            self.on_progress(percent)


def export_run(
    *,
    export_id: UUID | str,
    may_retry: bool = False,
    on_progress: ProgressCallback | None = None,
) -> Export:
    """Run one export to its end (the task's body). Returns the row as it ended.

    `may_retry`: a transient upstream error is raised for the caller to retry later
    instead of failing the export. `on_progress` is called with each percent written.
    """
    export = Export.objects.get(pk=export_id)
    if not export.active:
        return export  # done, failed or expired: a redelivered message changes nothing
    Export.objects.filter(pk=export.pk, status=Export.Status.QUEUED).update(
        status=Export.Status.RUNNING
    )
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
    except BaseException:
        temp.unlink(missing_ok=True)
        _fail(export, reason="internal-error")
        raise
    now = timezone.now()
    Export.objects.filter(pk=export.pk).update(
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
    Export.objects.filter(pk=export.pk).exclude(status=Export.Status.DONE).update(
        status=Export.Status.FAILED, failure_reason=reason, finished_at=timezone.now()
    )
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
