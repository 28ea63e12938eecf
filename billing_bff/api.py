"""What every JSON answer built from upstream data shares: meta, paging, caching headers."""

from __future__ import annotations

from django.utils.cache import patch_cache_control, patch_vary_headers
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from billing_bff.caching import Cached

MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50


class PageQuery(serializers.Serializer):
    """`page` and `page_size` of every list (page_size up to 200)."""

    page = serializers.IntegerField(min_value=1, default=1)
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


def paged(request, *, results: list, count: int, page: int, page_size: int, meta: dict, **extra):
    """The list shape every client relies on: {count, next, previous, results, meta, ...}."""
    next_url, previous = page_links(request, page=page, page_size=page_size, count=count)
    return {
        "count": count,
        "next": next_url,
        "previous": previous,
        "results": results,
        "meta": meta,
        **extra,
    }


def page_slice(items: list, *, page: int, page_size: int) -> list:
    start = (page - 1) * page_size
    return items[start : start + page_size]


class PrivateCacheMiddleware:
    """Per-user API bodies may be kept by the user's own client, never by a shared cache."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/api/") and "Cache-Control" not in response:
            patch_cache_control(response, private=True, no_cache=True)
            patch_vary_headers(response, ("Authorization", "Cookie", "Accept-Language"))
        return response


def private(response: Response) -> Response:
    patch_cache_control(response, private=True, no_cache=True)
    return response
