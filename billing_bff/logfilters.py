"""Log filters: no personal number, e-mail address or token in a request's log line.

Django's request loggers write the request's path ("Not Found: /api/v1/customers/
3996668/subscriptions/46765474359"), and a path holds customer and subscription numbers
(phone numbers), invoice numbers, sometimes an e-mail address in a query. The
`RedactRequestPaths` filter, on the console handler (config.settings.logging), rewrites
every path in the records of django.request, django.server and django.security to its
route template ("/api/v1/customers/{customerNo}/subscriptions/{subscriptionNo}"); a
path that matches no route keeps only its plain words ("/api/v1/customers/*/nothing"),
and a query string only its parameter names ("?page=*&q=*").

A client's error (a 4xx answer) is the client's: its record loses the traceback Django
attaches to some of them (a body too large, a bad Host header), so a log carries no
stack for what the client did wrong. Nor does a 503 whose cause is the database or
Redis not answering (billing_bff.problems.DEPENDENCY_ERRORS): the line names the
exception's class, which says all an operator needs, and /readyz says which one is down.
"""

from __future__ import annotations

import logging
import re

from django.urls import Resolver404, resolve

from billing_bff.problems import DEPENDENCY_ERRORS

REQUEST_LOGGERS = ("django.request", "django.server", "django.security")

# A path in a message: a "/" at the start or after white space or a quote, up to white
# space or a quote (so "HTTP/1.1" is not one).
_PATH = re.compile(r"(?<![^\s\"'(])/[^\s\"'<>]*")
# `<str:customerNo>` -> `{customerNo}`.
_CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")
# A path segment kept as it is when a path matches no route: a plain word ("v1" too);
# anything with more digits, an "@", a "." or a "%" is masked.
_WORD = re.compile(r"[A-Za-z0-9_-]{1,40}")
_MAX_DIGITS = 2


def _plain(word: str) -> bool:
    return bool(_WORD.fullmatch(word)) and sum(c.isdigit() for c in word) <= _MAX_DIGITS


def route_template(path: str, match=None) -> str:
    """The route a path resolves to, as "/api/v1/customers/{customerNo}"; a path that
    resolves to none with every segment but plain words masked."""
    if match is None:
        try:
            match = resolve(path)
        except (Resolver404, ValueError):
            match = None
    route = getattr(match, "route", None)
    if route:
        return "/" + _CONVERTER.sub(r"{\1}", route.lstrip("^").rstrip("$"))
    return "/".join(
        segment if not segment or _plain(segment) else "*" for segment in path.split("/")
    )


def redact_path(text: str, match=None) -> str:
    """`text` (a path, with or without a query) with its path as its route template."""
    path, sep, query = text.partition("?")
    redacted = route_template(path, match)
    if sep:
        names = [part.partition("=")[0] for part in query.split("&") if part]
        redacted += "?" + "&".join(f"{name}=*" if _plain(name) else "*" for name in names)
    return redacted


def redact_paths(text: str, match=None) -> str:
    """Every path in a message, redacted."""
    return _PATH.sub(lambda found: redact_path(found.group(0), match), text)


class RedactRequestPaths(logging.Filter):
    """On a handler: request records with route templates for paths, and no traceback
    for a client's error. Other records pass unchanged."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith(REQUEST_LOGGERS):
            return True
        request = getattr(record, "request", None)
        match = getattr(request, "resolver_match", None)
        if isinstance(record.msg, str):
            record.msg = redact_paths(record.msg, match)
        if isinstance(record.args, tuple):
            record.args = tuple(
                redact_paths(arg, match) if isinstance(arg, str) else arg for arg in record.args
            )
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and (400 <= status < 500 or _dependency_outage(record)):
            if record.exc_info and record.exc_info[1] is not None:
                record.msg = f"{record.msg} ({type(record.exc_info[1]).__name__})"
            record.exc_info = None
            record.exc_text = None
        return True


def _dependency_outage(record: logging.LogRecord) -> bool:
    error = record.exc_info[1] if record.exc_info else None
    return getattr(record, "status_code", None) == 503 and isinstance(error, DEPENDENCY_ERRORS)
