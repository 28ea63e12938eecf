"""The pages' shared layer: the base of every customer page, upstream trouble, links.

- `CustomerPageMixin` (class-based pages) and `customer_page` (function views) resolve
  the customer the session has chosen (billing_bff.access.page_customer_access) and
  enter its cache scope (billing_bff.web.scoping) before the handler runs; without a
  usable choice the user is sent to the home page's switcher. The policy's problems
  become Django's own 404 and 403 pages.
- `CustomerPage` adds upstream trouble: not found is the site's 404, an outage the
  site's outage page (503 and Retry-After).
- `page_url` is a page's URL by name; a name that does not resolve is an error.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View

from billing_bff.access import CustomerAccess, NoCustomerSelected, page_customer_access
from billing_bff.problems import Forbidden, NotFound, ServiceUnavailable
from billing_bff.upstream.errors import UpstreamError

from . import scoping
from .errors import upstream_unavailable


def page_url(name: str, **kwargs) -> str:
    """A page's URL (NoReverseMatch when the name or its arguments do not fit)."""
    return reverse(name, kwargs=kwargs or None)


@contextmanager
def _as_page_errors():
    """The policy's problems as Django's own 404 and 403 pages."""
    try:
        yield
    except NotFound as exc:
        raise Http404(str(exc.detail)) from exc
    except Forbidden as exc:
        raise PermissionDenied(str(exc.detail)) from exc


class CustomerPageMixin(LoginRequiredMixin):
    """For class-based browser pages about one customer: `self.access` before the handler.

    Without a usable customer choice the user is sent to the home page's switcher.
    """

    access: CustomerAccess

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        try:
            access = page_customer_access(request)
        except NoCustomerSelected:
            return redirect("home")
        self.access = scoping.enter(access)
        with _as_page_errors():
            response = super().dispatch(request, *args, **kwargs)
        scoping.finish(self.access, status_code=response.status_code)
        return response


def customer_page(view: Callable) -> Callable:
    """The same for function views: the view is called with `access=` as a keyword."""

    @wraps(view)
    @login_required
    def wrapped(request: HttpRequest, *args, **kwargs):
        try:
            access = scoping.enter(page_customer_access(request))
        except NoCustomerSelected:
            return redirect("home")
        with _as_page_errors():
            response = view(request, *args, access=access, **kwargs)
        scoping.finish(access, status_code=response.status_code)
        return response

    return wrapped


class UpstreamPageMixin:
    """An outage of the billing system on a page (an upstream error answered with 5xx)
    is the site's outage page (503 and Retry-After; the user is told to try again).
    Not found is the site's 404, as every NotFound (CustomerPageMixin)."""

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except (UpstreamError, ServiceUnavailable) as exc:
            if exc.status_code < 500:
                raise
            return upstream_unavailable(request, exc)


class CustomerPage(CustomerPageMixin, UpstreamPageMixin, View):
    """Base of the customer pages: self.access resolved, upstream trouble handled."""
