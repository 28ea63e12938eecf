"""The API's shared layer: the base of every customer route, and what every JSON answer
built from upstream data shares (meta, paging).

`CustomerScopedAPIView` is the base of every /api/v1/customers/{customerNo}/… view:
after DRF has authenticated the request (401 if not), the access is resolved from the
`customerNo` URL argument (billing_bff.access, 404 for a customer the user may not
see), then the customer's cache scope is entered (billing_bff.web.scoping), so a
handler never runs, and nothing is read, for a customer the user may not see.

A GET whose answer is kept rendered (billing_bff.rendered) is answered with those bytes
right after the entry's round trip, which read them; a 200 built from fresh cached
documents only is kept for the next one.
"""

from __future__ import annotations

from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from billing_bff import rendered
from billing_bff.access import CustomerAccess, get_customer_access
from billing_bff.caching import Cached
from billing_bff.models import AuditLog

from . import scoping
from .middleware import body_etag
from .openapi import shaped

MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50
# Far past the last page of any list (10,000 pages of 200 records); a larger page would
# reach the database and Redis as an offset they refuse (an integer out of range).
MAX_PAGE = 10_000


class PageQuery(serializers.Serializer):
    """`page` (up to 10,000) and `page_size` (up to 200) of every list."""

    page = serializers.IntegerField(min_value=1, max_value=MAX_PAGE, default=1)
    page_size = serializers.IntegerField(
        min_value=1, max_value=MAX_PAGE_SIZE, default=DEFAULT_PAGE_SIZE
    )


def meta_of(*cached: Cached) -> dict:
    """The freshness of a body built from one or more cached documents: the oldest wins."""
    oldest = min(cached, key=lambda c: c.as_of)
    meta = oldest.meta
    meta["stale"] = any(c.stale for c in cached)
    meta["source"] = "upstream" if all(c.source == "upstream" for c in cached) else "cache"
    return meta


def page_links(request, *, page: int, page_size: int, count: int) -> tuple[str | None, str | None]:
    url = request.build_absolute_uri()
    last = max(1, -(-count // page_size))
    next_url = replace_query_param(url, "page", page + 1) if page < last else None
    if page <= 1:
        previous = None
    elif page == 2:
        previous = remove_query_param(url, "page")
    else:
        previous = replace_query_param(url, "page", min(page - 1, last))
    return next_url, previous


def paged(
    request,
    *,
    shape: type[serializers.Serializer],
    results: list,
    count: int,
    page: int,
    page_size: int,
    meta: dict,
    **extra,
) -> dict:
    """The list shape every client relies on: {count, next, previous, results, meta, ...},
    as `shape` (a billing_bff.web.openapi.paged_list envelope) documents it."""
    next_url, previous = page_links(request, page=page, page_size=page_size, count=count)
    return shaped(
        shape, count=count, next=next_url, previous=previous, results=results, meta=meta, **extra
    )


def page_slice(items: list, *, page: int, page_size: int) -> list:
    start = (page - 1) * page_size
    return items[start : start + page_size]


class _Answered(Exception):
    """The request's answer was kept rendered: no handler runs."""

    def __init__(self, response) -> None:
        self.response = response


class CustomerScopedAPIView(APIView):
    """Base of every /api/v1/customers/{customerNo}/… view (see the module docstring)."""

    customer_kwarg = "customerNo"
    access: CustomerAccess
    rendered_key: str | None = None

    def initial(self, request: Request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        access = get_customer_access(
            user=request.user,
            customer_no=str(kwargs.get(self.customer_kwarg, "")),
            channel=AuditLog.Channel.API,
            session_ref=_api_session_ref(request),
        )
        self.rendered_key = rendered.key_for(request, access)
        self.access = scoping.enter(access, also=self.rendered_key)
        if self.rendered_key is not None:
            kept = rendered.answer(self.access.scope)
            if kept is not None:
                raise _Answered(kept)

    def handle_exception(self, exc):
        if isinstance(exc, _Answered):
            return exc.response
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        access = getattr(self, "access", None)
        if access is None:
            return response
        scoping.finish(access, status_code=response.status_code)
        if (
            self.rendered_key is not None
            and isinstance(response, Response)
            and response.status_code == 200
            and response.data is not None
        ):
            response["ETag"] = body_etag(response.data)
            response.render()
            rendered.keep(self.rendered_key, access.scope, response)
            response.rendered_from_cache = False
        return response


def _api_session_ref(request: Request) -> str | None:
    token = getattr(request, "auth", None)
    family = token.get("fam") if hasattr(token, "get") else None
    if family:
        return str(family)
    session = getattr(request, "session", None)
    return getattr(session, "session_key", None)
