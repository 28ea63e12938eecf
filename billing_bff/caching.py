"""The one cache helper: per-customer read-through caching of upstream documents in Redis.

Keys are built from the ledger, the customer the request was authorised for and that
customer's generation number, never from a client's string alone:

    {prefix}:{c:{ledger}:{customerNo}}:g{generation}:{kind}:{part}...

(the braces are the customer's hash tag, billing_bff.redis.customer_key).

A successful write bumps the generation (one INCR, no key scans), so every cached read
of that customer is left behind at once and expires on its own.

Each kind has a fresh window and a stale window after it. A read:
- inside the fresh window is served from Redis;
- inside the stale window is served at once, marked stale, and one background refresh
  is queued (stale-while-revalidate);
- past both, or cold, loads from the upstream under a single-flight lock: one caller
  loads, the others wait briefly for its result;
- when that load fails (error or open breaker) and any older copy is still kept, that
  copy is served marked stale instead of an error (stale-if-error).
Every answer carries `meta = {asOf, stale, source}`.

When Redis cannot answer, the cache is bypassed, not an error: the scope is offline
(no generation), and every read loads from the upstream directly (no single flight,
nothing stored), marked `source: "upstream"`. A store that fails after a load only
loses the copy.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import json
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import redis
from django.conf import settings

from billing_bff import activity
from billing_bff import redis as shared_redis
from billing_bff.problems import DEPENDENCY_ERRORS, ServiceUnavailable
from billing_bff.redis import customer_key, get_redis
from billing_bff.upstream.deadline import remaining
from billing_bff.upstream.errors import UpstreamError, UpstreamNotFound, UpstreamTimeout

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Freshness:
    fresh: int  # seconds a copy is served as fresh
    stale: int  # seconds after that it is served stale while a refresh runs


def freshness(kind: str) -> Freshness:
    """The windows of one kind, from settings.CACHE_WINDOWS (seconds)."""
    fresh, stale = settings.CACHE_WINDOWS[kind]
    return Freshness(fresh=fresh, stale=stale)


@dataclass(frozen=True)
class Document:
    """Which cached document of a customer: its kind and the parts of its key."""

    kind: str
    parts: tuple = ()


class Mode(enum.Enum):
    """How a read may be served; every read states one (no ambient state decides it)."""

    # Fresh from Redis; stale while a refresh runs; cold or expired from the upstream.
    READ = "read"
    # From the upstream now, whatever the copy's age (writes' checks, background refresh).
    RELOAD = "reload"
    # From Redis or not at all (NotCached): the warm part of a caller that hands its cold
    # reads to threads (overview.selectors).
    CACHE_ONLY = "cache-only"


READ, RELOAD, CACHE_ONLY = Mode.READ, Mode.RELOAD, Mode.CACHE_ONLY


class NotCached(Exception):
    """In cache-only mode: this read would have to go to the upstream."""


@dataclass
class Scope:
    """One customer's cache as one request (or task) sees it.

    Made by `enter` and carried by the CustomerAccess it returns, so its state is the
    request's own: the generation its keys are built with (kept in step by
    `invalidate`) and the copies read ahead in one round trip by `prefetch`, each used
    by the first read of its key and then dropped.
    """

    ledger_no: str
    customer_no: str
    generation: int | None  # None: Redis could not be read; every read goes upstream
    prefetched: dict = field(default_factory=dict, compare=False, repr=False)
    # How many documents of the customer have been stored, as read on entry
    # (billing_bff.rendered keeps a body only while neither this nor the generation moved).
    stored: int | None = field(default=None, compare=False)
    # What this scope's reads answered (billing_bff.rendered judges a body by them):
    # every read started, and the answers of those that answered.
    reads_started: int = field(default=0, compare=False)
    reads: list = field(default_factory=list, compare=False, repr=False)
    # Anything else read in the entry's round trip (`enter(..., also=key)`).
    also: Any = field(default=None, compare=False, repr=False)

    @property
    def offline(self) -> bool:
        return self.generation is None

    def key(self, kind: str, *parts: object) -> str:
        return customer_key(self.ledger_no, self.customer_no, f"g{self.generation}", kind, *parts)


def _generation_key(ledger_no: str, customer_no: str) -> str:
    return customer_key(ledger_no, customer_no, "gen")


def _stored_key(ledger_no: str, customer_no: str) -> str:
    return customer_key(ledger_no, customer_no, "stored")


def scope_for(*, ledger_no: str, customer_no: str) -> Scope:
    try:
        generation = int(get_redis().get(_generation_key(ledger_no, customer_no)) or 0)
    except redis.RedisError as exc:
        shared_redis.failed(exc)
        generation = None
    return Scope(ledger_no=ledger_no, customer_no=customer_no, generation=generation)


def enter(access, *, mark_active: bool = True, also: str | None = None):
    """The access with its cache scope, after one round trip to Redis that reads the
    customer's generation and count of stored documents and, with `mark_active`, marks
    the customer looked at when a mark is due (billing_bff.activity) so the background
    refresh keeps its data warm: one MGET when no mark is due.

    `also` is one more key of the customer's to read in the same round trip (the
    request's rendered body, billing_bff.rendered); its value lands in `scope.also`.

    Called by the entry points (billing_bff.web's bases, tasks) after the access check,
    never by it. Neither part may fail the request here: when Redis cannot answer, the
    scope is offline and the request's reads go to the upstream.
    """
    scope = Scope(ledger_no=access.ledger_no, customer_no=access.customer_no, generation=None)
    ids = {"ledger_no": access.ledger_no, "customer_no": access.customer_no}
    mark_active = mark_active and activity.mark_due(**ids)
    keys = [_generation_key(**ids), _stored_key(**ids), *([also] if also is not None else [])]
    try:
        if mark_active:
            pipe = get_redis().pipeline(transaction=False)
            activity.mark_active(pipe, **ids)
            pipe.mget(keys)
            mark, answers = pipe.execute(raise_on_error=False)
        else:  # one command: the keys share the customer's hash tag
            mark, answers = None, get_redis().mget(keys)
    except redis.RedisError as exc:
        shared_redis.failed(exc)
        return dataclasses.replace(access, scope=scope)
    if isinstance(mark, Exception):
        logger.warning("could not mark a customer active: %s", type(mark).__name__)
    elif mark_active:
        activity.marked(**ids)
    if isinstance(answers, Exception):
        return dataclasses.replace(access, scope=scope)
    generation, stored, *extra = answers
    scope.generation = int(generation or 0)
    scope.stored = int(stored or 0)
    if extra:
        scope.also = extra[0]
    return dataclasses.replace(access, scope=scope)


def invalidate_customer(*, ledger_no: str, customer_no: str) -> int:
    """After a successful write: every cached read of this customer is left behind."""
    return get_redis().incr(_generation_key(ledger_no, customer_no))


def scope_of(access) -> Scope:
    """The scope of the customer a request (or task) was authorised for.

    An entered access (`enter`) carries its scope, so the generation is read once per
    request however many documents it reads; one that was not entered reads it now.
    """
    if access.scope is not None:
        return access.scope
    return scope_for(ledger_no=access.ledger_no, customer_no=access.customer_no)


class WritesPaused(ServiceUnavailable):
    default_code = "writes-paused"
    default_detail = "Changes cannot be made for a moment. Nothing was changed; try again shortly."
    title = "Changes paused"
    description = (
        "The service's cache (Redis) is not answering, so a change could neither be "
        "guarded against a double submit nor shown afterwards; nothing was changed."
    )
    retry_after = 15


def ensure_writable(access) -> None:
    """Before a write reaches the upstream: Redis must be answering, or the write could
    be neither deduplicated (billing_bff.idempotency) nor followed by its invalidation.
    The request entered its scope moments ago; an offline scope refuses (WritesPaused)."""
    scope = access.scope
    if scope is None:
        scope = scope_for(ledger_no=access.ledger_no, customer_no=access.customer_no)
    if scope.offline or not shared_redis.available():
        raise WritesPaused()


def invalidate(access) -> None:
    """`invalidate_customer` for the request's own customer; its later reads see the change.

    Writes refuse to start while Redis is away (billing_bff.idempotency), so a failure
    here means Redis went away during the write: it is logged, the write stands, and
    the cached copies it leaves behind end with their fresh windows.
    """
    try:
        generation = invalidate_customer(ledger_no=access.ledger_no, customer_no=access.customer_no)
    except redis.RedisError as exc:
        shared_redis.failed(exc)
        logger.warning("a write could not invalidate its customer's cache: %s", type(exc).__name__)
        return
    if access.scope is not None:
        access.scope.generation = generation
        access.scope.prefetched.clear()


def prefetch(access, documents: Iterable[Document]) -> None:
    """Read these documents of the request's customer from Redis in one MGET.

    For a caller about to read several documents (the overview): each later
    `read_through` of one of them takes its copy from here instead of asking Redis
    again, so N cached reads cost one round trip, not N. Nothing else changes: a copy
    that is missing or too old is loaded from the upstream as before. An access that
    was not entered has no scope to keep copies in; its reads ask Redis one by one.
    """
    scope = access.scope
    if scope is None or scope.offline:
        return
    keys = [scope.key(document.kind, *document.parts) for document in documents]
    try:
        scope.prefetched.update(zip(keys, get_redis().mget(keys), strict=True))
    except redis.RedisError as exc:
        shared_redis.failed(exc)


@dataclass
class Cached:
    data: Any
    as_of: float
    stale: bool
    source: str  # "cache" | "upstream"
    fresh_until: float = 0.0  # when the copy stops being fresh (set by read_through)

    @property
    def meta(self) -> dict:
        return {
            "asOf": datetime.fromtimestamp(self.as_of, tz=UTC).isoformat(timespec="seconds"),
            "stale": self.stale,
            "source": self.source,
        }


_UNREAD = object()


def _read(
    r: redis.Redis, cache_key: str, *, scope: Scope | None = None
) -> tuple[float, Any] | None:
    """The copy under the key: from the scope's prefetched copies (once), else from Redis."""
    raw = _UNREAD if scope is None else scope.prefetched.pop(cache_key, _UNREAD)
    if raw is _UNREAD:
        raw = r.get(cache_key)
    if raw is None:
        return None
    envelope = json.loads(raw)
    return envelope["asOf"], envelope["data"]


def store(
    cache_key: str,
    data: Any,
    *,
    windows: Freshness,
    as_of: float | None = None,
    scope: Scope | None = None,
) -> float:
    """Keep a copy for fresh + stale + the stale-if-error grace (none while Redis is away).

    With the scope the key belongs to, the customer's count of stored documents moves
    too, so every body rendered from the older copies is left behind (billing_bff.rendered).
    """
    as_of = time.time() if as_of is None else as_of
    ttl = windows.fresh + windows.stale + settings.CACHE_ERROR_GRACE_SECONDS
    payload = json.dumps({"asOf": as_of, "data": data}, separators=(",", ":"))
    try:
        pipe = get_redis().pipeline(transaction=False)
        pipe.set(cache_key, payload, ex=ttl)
        if scope is not None:
            pipe.incr(_stored_key(scope.ledger_no, scope.customer_no))
        pipe.execute()
    except redis.RedisError as exc:
        shared_redis.failed(exc)
    return as_of


def read_through(
    *,
    scope: Scope,
    kind: str,
    parts: tuple = (),
    load: Callable[[], Any],
    queue_refresh: Callable[[], None] | None = None,
    mode: Mode = READ,
) -> Cached:
    """One cached document of a customer; see the module docstring for the rules.

    `queue_refresh` queues the background refresh of a stale copy (a deduplicated
    Celery task); without one, a stale copy is reloaded in line like a cold one.
    `mode` says where the copy may come from (Mode). The scope keeps what it answered.
    """
    scope.reads_started += 1
    cached = _read_through(
        scope=scope, kind=kind, parts=parts, load=load, queue_refresh=queue_refresh, mode=mode
    )
    cached.fresh_until = cached.as_of + freshness(kind).fresh
    scope.reads.append(cached)
    return cached


def _read_through(*, scope, kind, parts, load, queue_refresh, mode) -> Cached:
    if mode is RELOAD:
        return refresh(scope=scope, kind=kind, parts=parts, load=load)
    windows = freshness(kind)
    found = None
    if not scope.offline:
        cache_key = scope.key(kind, *parts)
        try:
            r = get_redis()
            found = _read(r, cache_key, scope=scope)
        except redis.RedisError as exc:
            shared_redis.failed(exc)
            scope.generation = None
    if scope.offline:
        if mode is CACHE_ONLY:
            raise NotCached(kind)
        return Cached(load(), time.time(), stale=False, source="upstream")
    now = time.time()
    if found is not None:
        as_of, data = found
        age = now - as_of
        if age < windows.fresh:
            return Cached(data, as_of, stale=False, source="cache")
        if age < windows.fresh + windows.stale and queue_refresh is not None:
            try:
                queue_refresh()
            except DEPENDENCY_ERRORS as exc:  # the copy is still worth serving
                logger.warning("could not queue a refresh: %s", type(exc).__name__)
            return Cached(data, as_of, stale=True, source="cache")
    if mode is CACHE_ONLY:
        raise NotCached(kind)
    try:
        return _load_single_flight(r, cache_key, windows=windows, load=load, scope=scope)
    except UpstreamNotFound:
        raise
    except UpstreamError:
        if found is None:
            raise
        logger.warning("serving stale copy after upstream failure kind=%s", kind)
        as_of, data = found
        return Cached(data, as_of, stale=True, source="cache")


def refresh(*, scope: Scope, kind: str, parts: tuple = (), load: Callable[[], Any]) -> Cached:
    """Load now and store, whatever the copy's age (background refresh, "refresh now")."""
    data = load()
    if scope.offline:
        return Cached(data, time.time(), stale=False, source="upstream")
    as_of = store(scope.key(kind, *parts), data, windows=freshness(kind), scope=scope)
    return Cached(data, as_of, stale=False, source="upstream")


def _load_single_flight(
    r: redis.Redis, cache_key: str, *, windows: Freshness, load: Callable[[], Any], scope: Scope
) -> Cached:
    lock_timeout = settings.PAYEX_READ_TIMEOUT + settings.PAYEX_CONNECT_TIMEOUT + 5
    lock = r.lock(cache_key + ":lock", timeout=lock_timeout, blocking=False)
    try:
        acquired = lock.acquire(blocking=False)
    except redis.RedisError as exc:
        shared_redis.failed(exc)
        return Cached(load(), time.time(), stale=False, source="upstream")
    if acquired:
        try:
            data = load()
            as_of = store(cache_key, data, windows=windows, scope=scope)
            return Cached(data, as_of, stale=False, source="upstream")
        finally:
            with contextlib.suppress(redis.exceptions.LockError):
                lock.release()
    # Another caller is loading: wait for its copy, no longer than our deadline allows.
    wait = settings.CACHE_SINGLE_FLIGHT_WAIT
    left = remaining()
    if left is not None:
        wait = min(wait, left)
    until = time.monotonic() + wait
    while time.monotonic() < until:
        time.sleep(0.02)
        found = _read(r, cache_key)
        if found is not None and time.time() - found[0] < windows.fresh:
            return Cached(found[1], found[0], stale=False, source="cache")
        if not r.exists(cache_key + ":lock"):
            found = _read(r, cache_key)
            if found is not None and time.time() - found[0] < windows.fresh:
                return Cached(found[1], found[0], stale=False, source="cache")
            break  # the loader failed; fall through to the error below
    raise UpstreamTimeout(api="cache")
