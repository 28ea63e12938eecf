"""The customer pages: /profile/ and /subscriptions/<no>/, on the API's selectors and services.

An action is shown only when the resource's narrowed `operations` offer it, and a
posted action runs through the very services the API uses, so a forged form meets
the same policy (403 page for the role, a message for a state that does not allow
it). Successful posts redirect (PRG) with a message.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from rest_framework import serializers

from billing_bff import documents
from billing_bff.access import require_operation
from billing_bff.problems import Conflict, ValidationFailed
from billing_bff.web.api import meta_of
from billing_bff.web.pages import CustomerPage, page_url

from . import forms, selectors, services
from .validators import CustomerChangesInput, ProductChangesInput, ProductOrderInput

# What a form's input may be refused for, by the BFF's rules or the billing system's.
INPUT_ERRORS = (serializers.ValidationError, ValidationFailed)


def product_rows(products: list[dict]) -> list[dict]:
    """Each product with the actions its narrowed operations offer, for the templates."""
    return [
        {
            "product": product,
            "can_update": documents.has_operation(product, "partial-update"),
            "can_end": documents.has_operation(product, "delete"),
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
                    product_id=documents.checked_id(product_id),
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
                    product_id=documents.checked_id(product_id),
                )
                messages.success(request, _("The product is ended."))
            else:
                messages.error(request, _("Unknown action."))
        except INPUT_ERRORS as exc:
            for field, errors in forms.field_errors(exc).items():
                for error in errors:
                    messages.error(request, f"{_field_label(field)}: {error}")
        except Conflict:
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
    if not documents.has_operation(parent_body, "create-recurring-product"):
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
        body = documents.present(customer.data, access=access, kind="customer")
        fields = forms.profile_form(body, submitted=submitted, errors=errors)
        subscriptions = selectors.subscriptions(access=access)
        products = selectors.recurring_products(access=access)
        context = {
            "customer": body,
            "can_edit": documents.has_operation(body, "partial-update"),
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
        except Conflict:
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
        body = documents.present(subscription.data, access=access, kind="subscription")
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
