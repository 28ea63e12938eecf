"""The login forms of the site and the admin, both behind the one login throttle.

The throttle (billing_bff.throttle) is asked before the password is checked; a refused
attempt is a form error with code "throttled" and the form's `throttled` holds the
problem, so the view answers 429 with its `Retry-After`.
"""

from __future__ import annotations

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpResponse
from django.utils.translation import ngettext

from billing_bff import throttle


def throttled_message(retry_after: int) -> str:
    if retry_after < 60:
        return ngettext(
            "Too many failed attempts. Try again in %(seconds)s second.",
            "Too many failed attempts. Try again in %(seconds)s seconds.",
            retry_after,
        ) % {"seconds": retry_after}
    minutes = (retry_after + 59) // 60
    return ngettext(
        "Too many failed attempts. Try again in %(minutes)s minute.",
        "Too many failed attempts. Try again in %(minutes)s minutes.",
        minutes,
    ) % {"minutes": minutes}


class ThrottledLoginMixin:
    """For a subclass of AuthenticationForm: counts its failures, refuses past the limits."""

    throttled: throttle.LoginThrottled | None = None

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        password = self.cleaned_data.get("password")
        if not username:
            return super().clean()
        address = throttle.client_address(self.request)
        try:
            throttle.ensure_login_allowed(username=username, address=address)
        except throttle.LoginThrottled as exc:
            self.throttled = exc
            raise forms.ValidationError(
                throttled_message(exc.retry_after), code="throttled"
            ) from exc
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if password:
                throttle.record_login_failure(username=username, address=address)
            raise
        if self.get_user() is not None:
            throttle.record_login_success(username=username, address=address)
        return cleaned


class LoginForm(ThrottledLoginMixin, AuthenticationForm):
    """The site's login (/login/)."""


class AdminLoginForm(ThrottledLoginMixin, AdminAuthenticationForm):
    """The admin's login (/admin/login/): staff only, as Django's."""


def mark_throttled(response: HttpResponse, form) -> HttpResponse:
    """429 and Retry-After on a login page whose form the throttle refused."""
    refused = getattr(form, "throttled", None)
    if refused is not None:
        response.status_code = 429
        response["Retry-After"] = str(refused.retry_after)
    return response
