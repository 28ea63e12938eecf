"""The overview pages: `/` (the chosen customer's home screen) and "refresh now"."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_POST

from billing_bff import amounts, refresh, rendered
from billing_bff.access import CustomerAccess, NoCustomerSelected, page_customer_access
from billing_bff.views import home
from billing_bff.web import scoping
from billing_bff.web.pages import customer_page, page_url

from . import selectors


class OverviewPage(View):
    """`/`: the chosen customer's overview, each section on its own (a failed one says so
    and the others render); without a chosen customer, the switcher page."""

    http_method_names = ["get", "head", "options"]
    template_name = "overview/overview.html"

    # Login is asked for by GET alone, so any other method is a 405 for everyone.
    @method_decorator(login_required)
    def get(self, request):
        try:
            access = page_customer_access(request)
        except NoCustomerSelected:
            return home(request)
        kept_key = rendered.page_key_for(request, access)
        access = scoping.enter(access, also=kept_key)
        if kept_key is not None and (kept := rendered.answer(access.scope)) is not None:
            return kept
        result = selectors.load_overview(access=access)
        sections = result.sections
        # Unbilled usage is listed by the subscriptions' descriptions, linked to its page.
        described = {
            s["subscriptionNo"]: s.get("description")
            for s in sections["subscriptions"].get("results", ())
        }
        usage_rows = sections["unbilledUsage"].get("subscriptions", [])
        for row in usage_rows:
            number = row["subscriptionNo"]
            row["description"] = described.get(number) or ""
            row["usage_page"] = page_url("usage_pages:unbilled", subscriptionNo=number)
        context = {
            "customer_no": access.customer_no,
            "profile": sections["profile"],
            "subscriptions": sections["subscriptions"],
            "invoices": sections["invoices"],
            "usage": sections["unbilledUsage"],
            "usage_total": sum(
                (amounts.amount(row.get("totalAmount")) for row in usage_rows), amounts.ZERO
            ),
            "meta": result.meta,
            "can_refresh": bool(refresh.refresh_operations(access)),
        }
        response = render(request, self.template_name, context)
        scoping.finish(access, status_code=response.status_code)
        if kept_key is not None:
            rendered.keep(kept_key, access.scope, response, minute_of_age=True)
        return response


@customer_page
@require_POST
def refresh_now(request: HttpRequest, *, access: CustomerAccess) -> HttpResponse:
    """Queue a refresh of the customer's data (deduplicated) through the policy.

    The page's script asks for JSON and follows the refresh in the API's status
    (statusUrl); a plain form post is redirected back with a message.
    """
    body = refresh.request_refresh(access)
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse(body, status=202)
    messages.info(
        request,
        _(
            "We are fetching the latest figures from the billing system. "
            "Reload the page in a minute to see them."
        ),
    )
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("home")
    return redirect(next_url)
