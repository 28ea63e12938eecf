"""Browser pages of identity: login, logout, the customer switcher and its page.

`home` is the switcher page: what `/` shows while no customer is chosen (a user with
several customers, an agent before a search). Once one is, `/` is the customer's
overview (overview.views.OverviewPage), which falls back to this page. The customers
the user acts for come from the context processor every page has
(billing_bff.web.context_processors).
"""

from __future__ import annotations

import re

from django.contrib import admin, messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from billing_bff.access import SESSION_CUSTOMER_KEY, get_customer_access
from billing_bff.forms import LoginForm, mark_throttled
from billing_bff.models import AuditLog
from billing_bff.problems import NotFound


class LoginView(auth_views.LoginView):
    """Django's login behind the login throttle: refused attempts answer 429."""

    http_method_names = ["get", "post", "head", "options"]
    redirect_authenticated_user = True
    authentication_form = LoginForm

    def form_invalid(self, form):
        return mark_throttled(super().form_invalid(form), form)


def admin_login(request: HttpRequest, extra_context=None) -> HttpResponse:
    """The admin's login page (admin.site.login, with billing_bff.forms.AdminLoginForm).

    Mounted at /admin/login/ ahead of the admin's own URLs, so its refusals are 429.
    """
    response = admin.site.login(request, extra_context)
    return mark_throttled(response, (getattr(response, "context_data", None) or {}).get("form"))


@require_safe
@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "billing_bff/home.html")


@require_POST
@login_required
def select_customer(request: HttpRequest) -> HttpResponse:
    """Store the customer the pages are about; only one the user may see is accepted."""
    # People type numbers with spaces or dashes in them, as printed on an invoice.
    customer_no = re.sub(r"[\s-]", "", request.POST.get("customer_no", ""))
    try:
        access = get_customer_access(
            user=request.user,
            customer_no=customer_no,
            channel=AuditLog.Channel.WEB,
            session_ref=request.session.session_key,
        )
    except NotFound:
        # Same words for "not yours" and "does not exist": numbers cannot be probed.
        context = {
            "error": _("There is no customer with that number for you."),
            "searched": customer_no[:30],
        }
        return render(request, "billing_bff/home.html", context, status=404)
    request.session[SESSION_CUSTOMER_KEY] = access.customer_no
    messages.success(request, _("You now act for customer %(no)s.") % {"no": access.customer_no})
    return redirect("home")
