"""The overview: profile, subscriptions, latest invoices and unbilled usage in one answer.

The four reads are independent. Their cached copies are asked of Redis in one MGET
first (billing_bff.caching.prefetch). Sections whose data Redis holds are built in the
request's own thread in cache-only mode (no hand-off costs a warm overview anything);
the others run
concurrently on a small shared thread pool under the request's one deadline, so a
cold overview costs about the slowest upstream call, not their sum. Each task runs in a
copy of the request's context, so the deadline (billing_bff.upstream.deadline), the
request id sent to PayEx (django_guid) and the active language follow it into its thread.

Each section is built on its own and carries its own `meta` (and `operations` where it
is a resource). A section whose upstream fails says so in an `error` (a problem's
type, title, status and detail) while the others render; when an older copy is kept,
billing_bff.caching serves it instead (stale-if-error) and the section is only marked
stale. Only a customer that does not exist fails the whole overview (404), and only
when every section fails does the overview answer that error itself.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass

from django.conf import settings
from django.db import connections

from billing_bff import caching
from billing_bff.access import CustomerAccess
from billing_bff.documents import SUBSCRIPTION_LIST, body_of
from billing_bff.problems import NotFound, Problem, problem_body
from billing_bff.refresh import refresh_operations
from billing_bff.upstream.deadline import remaining
from billing_bff.upstream.errors import UpstreamTimeout
from billing_bff.web.api import meta_of
from billing_bff.web.openapi import shaped
from customers import selectors as customer_selectors
from invoices import selectors as invoice_selectors
from usage import selectors as usage_selectors

from . import openapi as shapes

LATEST_INVOICES = 3
# Shared by every request of the process; an overview uses four threads for a moment.
POOL_THREADS = 32
# How long past the request's deadline the answer waits for a section (the client cuts
# every upstream call to the deadline, so this only bounds the cache and the rendering).
GRACE_SECONDS = 1.0

Section = tuple[dict, caching.Cached]
Loader = Callable[[CustomerAccess, caching.Mode], Section]

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _executor() -> ThreadPoolExecutor:
    # Made on first use, so a server that forks after importing never inherits one.
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=POOL_THREADS, thread_name_prefix="overview")
        return _pool


def _in_thread(load: Callable[[], Section]) -> Callable[[], Section]:
    def run() -> Section:
        try:
            return load()
        finally:
            # A pool thread outlives the request: leave no database connection behind.
            connections.close_all()

    return run


def _submit(load: Callable[[], Section]) -> Future:
    return _executor().submit(contextvars.copy_context().run, _in_thread(load))


# --- the sections -------------------------------------------------------------------------
def _profile(access: CustomerAccess, mode: caching.Mode) -> Section:
    cached = customer_selectors.customer(access=access, mode=mode)
    return body_of(cached, access=access, kind="customer"), cached


def _subscriptions(access: CustomerAccess, mode: caching.Mode) -> Section:
    cached = customer_selectors.subscriptions(access=access, mode=mode)
    results = customer_selectors.subscription_bodies(access=access, cached=cached)
    body = shaped(
        shapes.OverviewSubscriptionsSerializer,
        count=len(results),
        results=results,
        meta=cached.meta,
    )
    return body, cached


def _invoices(access: CustomerAccess, mode: caching.Mode) -> Section:
    cached = invoice_selectors.invoice_list(access=access, mode=mode)
    items = invoice_selectors.matching_invoices(cached, year=None, status=None)
    latest = invoice_selectors.present_headers(items[:LATEST_INVOICES], access=access)
    body = shaped(
        shapes.OverviewInvoicesSerializer, count=len(items), results=latest, meta=cached.meta
    )
    return body, cached


def _unbilled_usage(access: CustomerAccess, mode: caching.Mode) -> Section:
    cached = usage_selectors.unbilled_summary(access=access, mode=mode)
    return usage_selectors.summary_body(cached, operations=refresh_operations(access)), cached


SECTIONS: dict[str, Loader] = {
    "profile": _profile,
    "subscriptions": _subscriptions,
    "invoices": _invoices,
    "unbilledUsage": _unbilled_usage,
}
# The cached documents the sections read, asked of Redis in one round trip first.
DOCUMENTS = (
    customer_selectors.PROFILE,
    SUBSCRIPTION_LIST,
    invoice_selectors.INVOICE_LIST,
    usage_selectors.UNBILLED_SUMMARY,
)


def failed_section(exc: Problem) -> dict:
    """A section that could not be read: what went wrong, and no data to date it by."""
    problem = problem_body(exc)
    problem.pop("instance")  # the answer's own request id; not the section's
    return shaped(
        shapes.FailedSectionSerializer,
        error=shaped(shapes.SectionProblemSerializer, **problem),
        meta=shaped(shapes.FailedSectionMetaSerializer, asOf=None, stale=True, source="none"),
    )


def _wait_seconds() -> float:
    left = remaining()
    return (settings.PAYEX_REQUEST_DEADLINE if left is None else max(left, 0.0)) + GRACE_SECONDS


@dataclass
class Overview:
    sections: dict[str, dict]  # name -> its body, or a failed section
    errors: dict[str, Problem]  # name -> what failed it
    meta: dict | None  # of the sections that loaded; None when none did


def load_overview(*, access: CustomerAccess) -> Overview:
    """Every section, warm ones in line and cold ones concurrently; failures are described."""
    outcomes: dict[str, Section | Exception] = {}
    cold: dict[str, Loader] = {}
    caching.prefetch(access, DOCUMENTS)
    for name, load in SECTIONS.items():
        try:
            outcomes[name] = load(access, caching.CACHE_ONLY)
        except caching.NotCached:
            cold[name] = load
        except Problem as exc:
            outcomes[name] = exc
    if cold:
        futures = {
            name: _submit(lambda load=load: load(access, caching.READ))
            for name, load in cold.items()
        }
        done, _ = wait(futures.values(), timeout=_wait_seconds())
        for name, future in futures.items():
            if future not in done:
                future.cancel()
                outcomes[name] = UpstreamTimeout(api="overview")
                continue
            try:
                outcomes[name] = future.result()
            except Problem as exc:
                outcomes[name] = exc
    sections: dict[str, dict] = {}
    errors: dict[str, Problem] = {}
    loaded: list[caching.Cached] = []
    for name in SECTIONS:
        outcome = outcomes[name]
        if isinstance(outcome, Exception):
            errors[name] = outcome
            sections[name] = failed_section(outcome)
        else:
            sections[name], cached = outcome
            loaded.append(cached)
    meta = None
    if loaded:
        meta = meta_of(*loaded)
        meta["stale"] = meta["stale"] or bool(errors)
    return Overview(sections=sections, errors=errors, meta=meta)


def customer_overview(*, access: CustomerAccess) -> dict:
    """The API's body: {customerNo, profile, subscriptions, invoices, unbilledUsage, meta}.

    A customer the upstream does not know is a 404 (its profile is not found); when no
    section could be read at all, the first failure is the answer.
    """
    result = load_overview(access=access)
    profile_error = result.errors.get("profile")
    if isinstance(profile_error, NotFound):
        raise NotFound() from profile_error
    if result.meta is None:
        raise next(iter(result.errors.values()))
    return shaped(
        shapes.OverviewSerializer,
        customerNo=access.customer_no,
        **result.sections,
        meta=result.meta,
    )
