"""The customer pages: /profile/ and /subscriptions/<no>/, on the API's selectors and services.

An action is shown only when the resource's narrowed `operations` offer it, and a
posted action runs through the very services the API uses, so a forged form meets
the same policy (403 page for the role, a message for a state that does not allow
it). Successful posts redirect (PRG) with a message.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from rest_framework import serializers

from billing_bff.access import (
    CustomerPageMixin,
    NoCustomerSelected,
    page_customer_access,
    require_operation,
)
from billing_bff.api import meta_of
from billing_bff.errors_views import upstream_unavailable
from billing_bff.problems import Conflict, ValidationFailed
from billing_bff.upstream.errors import (
    UpstreamBadGateway,
    UpstreamConflict,
    UpstreamNotFound,
    UpstreamTimeout,
    UpstreamUnauthorized,
    UpstreamUnavailable,
    UpstreamValidation,
)
from billing_bff.views import home, switcher_context
from usage import selectors as usage_selectors

from . import forms, overview, selectors, services
from .formatting import to_decimal
from .validators import CustomerChangesInput, ProductChangesInput, ProductOrderInput

INPUT_ERRORS = (serializers.ValidationError, ValidationFailed, UpstreamValidation)


def page_url(name: str, **kwargs) -> str | None:
    """A page's URL, or None while the page does not exist (e.g. another team's)."""
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


# What an outage of the billing system looks like to a page with nothing cached to show.
OUTAGES = (UpstreamUnavailable, UpstreamTimeout, UpstreamBadGateway, UpstreamUnauthorized)


class UpstreamPageMixin:
    """Upstream trouble on a page: not found is the site's 404; an outage the site's
    outage page (503 and Retry-After; the user is told to try again)."""

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except UpstreamNotFound as exc:
            raise Http404(str(exc.detail)) from exc
        except OUTAGES as exc:
            return upstream_unavailable(request, exc)


class CustomerPage(CustomerPageMixin, UpstreamPageMixin, View):
    """Base of the customer pages: self.access resolved, upstream trouble handled."""


def product_rows(products: list[dict]) -> list[dict]:
    """Each product with the actions its narrowed operations offer, for the templates."""
    return [
        {
            "product": product,
            "can_update": selectors.has_operation(product, "partial-update"),
            "can_end": selectors.has_operation(product, "delete"),
        }
        for product in products
    ]


class ProductActionsMixin:
    """The product forms of a page: order from the catalogue, change quantity, end."""

    def product_action(self, request, *, subscription_no: str | None) -> None:
        access = self.access
        action = request.POST.get("action", "")
        product_id = request.POST.get("product_id", "")
        try:
            if action == "order":
                kind = "customer" if subscription_no is None else "subscription"
                require_operation(
                    access=access, kind=kind, rel="create-recurring-product", offered=None
                )
                order = ProductOrderInput(
                    data={
                        "productCode": request.POST.get("productCode", ""),
                        "quantity": request.POST.get("quantity", "1"),
                    }
                )
                order.is_valid(raise_exception=True)
                cached = services.recurring_product_order(
                    access=access,
                    subscription_no=subscription_no,
                    product_code=order.validated_data["productCode"],
                    quantity=order.validated_data["quantity"],
                    start_date=None,
                    reference=services.external_reference(forms.order_reference(request.POST)),
                )
                messages.success(
                    request,
                    _("%(product)s is ordered.")
                    % {"product": cached.data.get("description") or cached.data.get("productCode")},
                )
            elif action == "update":
                require_operation(
                    access=access, kind="recurring-product", rel="partial-update", offered=None
                )
                changes = ProductChangesInput(data={"quantity": request.POST.get("quantity", "")})
                changes.is_valid(raise_exception=True)
                services.recurring_product_update(
                    access=access,
                    subscription_no=subscription_no,
                    product_id=selectors.checked_id(product_id),
                    quantity=changes.validated_data["quantity"],
                )
                messages.success(request, _("The quantity is changed."))
            elif action == "end":
                require_operation(
                    access=access, kind="recurring-product", rel="delete", offered=None
                )
                services.recurring_product_end(
                    access=access,
                    subscription_no=subscription_no,
                    product_id=selectors.checked_id(product_id),
                )
                messages.success(request, _("The product is ended."))
            else:
                messages.error(request, _("Unknown action."))
        except INPUT_ERRORS as exc:
            for field, errors in forms.field_errors(exc).items():
                for error in errors:
                    messages.error(request, f"{_field_label(field)}: {error}")
        except (Conflict, UpstreamConflict):
            messages.error(
                request, _("That is not possible for this product in its current state.")
            )


def _field_label(name: str) -> str:
    labels = {
        "productCode": _("Product"),
        "quantity": _("Quantity"),
        "endDate": _("End date"),
        "startDate": _("Start date"),
    }
    return str(labels.get(name, name))


def _order_form(access, *, level: str, parent_body: dict) -> dict | None:
    """The catalogue order form, when the parent offers ordering and there is something."""
    if not selectors.has_operation(parent_body, "create-recurring-product"):
        return None
    products = list(selectors.orderable_products(access=access, level=level))
    if not products:
        return None
    return {"products": products, "reference": forms.new_reference()}


class ProfilePage(ProductActionsMixin, CustomerPage):
    template_name = "customers/profile.html"

    def _render(self, request, *, submitted=None, errors=None, status=200) -> HttpResponse:
        access = self.access
        customer = selectors.customer(access=access)
        body = selectors.present(customer.data, access=access, kind="customer")
        fields = forms.profile_form(body, submitted=submitted, errors=errors)
        subscriptions = selectors.subscriptions(access=access)
        products = selectors.recurring_products(access=access)
        context = {
            "customer": body,
            "can_edit": selectors.has_operation(body, "partial-update"),
            "fields": fields,
            "has_errors": bool(errors),
            "non_field_errors": forms.other_errors(fields, errors),
            "subscriptions": selectors.subscription_bodies(access=access, cached=subscriptions),
            "products": product_rows(selectors.product_bodies(access=access, cached=products)),
            "order": _order_form(access, level="customer", parent_body=body),
            "meta": meta_of(customer, subscriptions, products),
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        return self._render(request)

    def post(self, request):
        if request.POST.get("action", "profile") != "profile":
            self.product_action(request, subscription_no=None)
            return redirect("customer_pages:profile")
        require_operation(access=self.access, kind="customer", rel="partial-update", offered=None)
        try:
            changes = CustomerChangesInput(data=forms.profile_changes(request.POST))
            changes.is_valid(raise_exception=True)
            services.customer_update(access=self.access, changes=changes.validated_data)
        except INPUT_ERRORS as exc:
            return self._render(request, submitted=request.POST, errors=forms.field_errors(exc))
        except (Conflict, UpstreamConflict):
            messages.error(request, _("Your details cannot be changed right now."))
            return redirect("customer_pages:profile")
        messages.success(request, _("Your details are saved."))
        return redirect("customer_pages:profile")


class SubscriptionPage(ProductActionsMixin, CustomerPage):
    template_name = "customers/subscription.html"

    def get(self, request, subscriptionNo: str):
        subscription_no = subscriptionNo
        access = self.access
        subscription = selectors.subscription(access=access, subscription_no=subscription_no)
        products = selectors.recurring_products(access=access, subscription_no=subscription_no)
        body = selectors.present(subscription.data, access=access, kind="subscription")
        context = {
            "subscription": body,
            "products": product_rows(selectors.product_bodies(access=access, cached=products)),
            "order": _order_form(access, level="subscription", parent_body=body),
            "usage_url": page_url("usage_pages:unbilled", subscriptionNo=subscription_no),
            "meta": meta_of(subscription, products),
        }
        return render(request, self.template_name, context)

    def post(self, request, subscriptionNo: str):
        subscription_no = subscriptionNo
        # The subscription must exist for this customer before anything is done to it.
        selectors.subscription(access=self.access, subscription_no=subscription_no)
        self.product_action(request, subscription_no=subscription_no)
        return redirect("customer_pages:subscription", subscriptionNo=subscription_no)


class OverviewPage(View):
    """`/`: the chosen customer's overview, each section on its own (a failed one says so
    and the others render); without a chosen customer, the switcher page."""

    http_method_names = ["get", "head", "options"]
    template_name = "customers/overview.html"

    # Login is asked for by GET alone, so any other method is a 405 for everyone.
    @method_decorator(login_required)
    def get(self, request):
        try:
            access = page_customer_access(request)
        except NoCustomerSelected:
            return home(request)
        result = overview.load_overview(access=access)
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
            **switcher_context(request),
            "customer_no": access.customer_no,
            "profile": sections["profile"],
            "subscriptions": sections["subscriptions"],
            "invoices": sections["invoices"],
            "usage": sections["unbilledUsage"],
            "usage_total": sum(
                (to_decimal(row.get("totalAmount")) or Decimal(0) for row in usage_rows),
                Decimal(0),
            ),
            "meta": result.meta,
            "can_refresh": bool(usage_selectors.refresh_operations(access=access)),
        }
        return render(request, self.template_name, context)
