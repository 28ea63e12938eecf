"""API answers kept rendered: a warm GET is its bytes out of Redis.

A customer route's 200 answer to GET is kept, as the bytes it was sent with and its
ETag, when every document it was built from came from the cache, fresh
(billing_bff.caching records the reads of the request's scope). It is kept under the
customer's hash tag, per role, language and URL (host, path and query, and the media
type content negotiation chose):

    {prefix}:{c:<ledger>:<customer>}:r:{role}:{language}:{digest of the URL}

with a header saying what it was built from: the customer's generation, the count of
documents stored for the customer, and when the first of its documents stops being
fresh. The entry's round trip (billing_bff.caching.enter) reads it beside the
generation and that count; it is answered only while both are unchanged (no write, no
new copy of any of the customer's documents since) and it is still fresh, which is
exactly when building it again would give the same bytes. Its TTL ends with its
freshness; anything else answers the usual way.

Only users' own customers (owners, viewers) are answered so: an agent's reads are
audited one by one (billing_bff.access), so they take the full path.

A browser page (`page_key_for`) is kept the same way, per session as well (its forms
carry the session's CSRF token, its header the user's name), never while the session
holds a message to show, and no longer than its freshness lines ("Updated 3 minutes
ago") stay true: until the next minute of the oldest copy's age.
"""

from __future__ import annotations

import hashlib
import json
import math
import time

import redis
from django.conf import settings
from django.http import HttpResponse

from billing_bff import redis as shared_redis
from billing_bff.redis import customer_key, get_redis

_SEPARATOR = b"\n"


def key_for(request, access) -> str | None:
    """The key of this GET's rendered answer, or None if it is never kept."""
    if not settings.RENDERED_CACHE or request.method != "GET" or not access.linked:
        return None
    # The URL, and the media type content negotiation chose (a CSV by Accept header).
    return _key(request, access, "r", getattr(request, "accepted_media_type", ""))


def page_key_for(request, access) -> str | None:
    """The key of this page view's kept HTML, or None if it is never kept."""
    session = request.session
    if (
        not settings.RENDERED_CACHE
        or request.method != "GET"
        or not access.linked
        or session.session_key is None
        or "_messages" in session
        or request.COOKIES.get("messages")
    ):
        return None
    csrf = request.COOKIES.get(settings.CSRF_COOKIE_NAME, "")
    return _key(request, access, "p", session.session_key, csrf)


def _key(request, access, kind: str, *varies: str) -> str:
    """The customer's key of one kept answer: per role, language, host, URL and `varies`."""
    url = "|".join([request.get_host(), request.get_full_path(), *varies])
    digest = hashlib.sha256(url.encode()).hexdigest()[:32]
    language = getattr(request, "LANGUAGE_CODE", "") or "-"
    return customer_key(access.ledger_no, access.customer_no, kind, access.role, language, digest)


def answer(scope) -> HttpResponse | None:
    """The kept answer read on entry (`scope.also`), if it may be answered now."""
    raw = scope.also
    if not raw or scope.offline:
        return None
    head, _, body = raw.partition(_SEPARATOR)
    try:
        header = json.loads(head)
    except ValueError:
        return None
    if (
        header.get("gen") != scope.generation
        or header.get("stored") != scope.stored
        or time.time() >= header.get("until", 0)
    ):
        return None
    response = HttpResponse(body, content_type=header.get("type", "application/json"))
    if header.get("etag"):
        response["ETag"] = header["etag"]
    response.rendered_from_cache = True
    return response


def keep(cache_key: str, scope, response, *, minute_of_age: bool = False) -> None:
    """Keep a rendered 200 answer whose every read came fresh from the cache; with
    `minute_of_age`, only until the oldest copy's age reaches its next whole minute."""
    reads = scope.reads
    if (
        scope.offline
        or not reads
        or scope.reads_started != len(reads)
        or any(read.stale or read.source != "cache" for read in reads)
        or response.status_code != 200
        or response.streaming
    ):
        return
    now = time.time()
    until = min(read.fresh_until for read in reads)
    if minute_of_age:
        until = min([until, *(r.as_of + 60 * (1 + (now - r.as_of) // 60) for r in reads)])
    ttl = math.ceil(until - now)
    if ttl <= 0:
        return
    header = {
        "gen": scope.generation,
        "stored": scope.stored,
        "until": until,
        "etag": response.get("ETag", ""),
        "type": response["Content-Type"],
    }
    value = json.dumps(header, separators=(",", ":")).encode() + _SEPARATOR + response.content
    try:
        get_redis().set(cache_key, value, ex=ttl)
    except redis.RedisError as exc:
        shared_redis.failed(exc)
