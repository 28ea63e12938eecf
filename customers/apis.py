"""The customer API: profile, subscriptions, recurring products and the self-service catalogue.

One view per route; each resolves `self.access` first (CustomerScopedAPIView), reads
through customers.selectors and writes through customers.services. Writes take an
`Idempotency-Key`; a POST's key also becomes the order's upstream `externalReference`.
"""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.response import Response

from billing_bff.access import require_operation
from billing_bff.documents import body_of, operations_of, present
from billing_bff.idempotency import idempotency_key, idempotent
from billing_bff.web import openapi as doc
from billing_bff.web.api import CustomerScopedAPIView, PageQuery, meta_of, page_slice, paged

from . import openapi as shapes
from . import selectors, services
from .validators import CustomerChangesInput, ProductChangesInput, ProductOrderInput


def _page(request) -> dict:
    """`page` and `page_size`, validated before anything is read."""
    query = PageQuery(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data


def _paged_list(request, query: dict, *, shape, results: list, meta: dict, **extra) -> Response:
    page, size = query["page"], query["page_size"]
    return Response(
        paged(
            request,
            shape=shape,
            results=page_slice(results, page=page, page_size=size),
            count=len(results),
            page=page,
            page_size=size,
            meta=meta,
            **extra,
        )
    )


def _read(summary: str, shape, example: dict, *, paged: bool = False, **extra):
    """The schema of a GET of customer data."""
    return doc.read_schema(
        "customers",
        summary,
        shape,
        example,
        statuses=doc.LIST if paged else doc.READ,
        parameters=[PageQuery] if paged else [],
        **extra,
    )


def _write(
    summary: str,
    *,
    request,
    request_example: dict | None,  # {example name: body}
    answer: dict,
    extra_parameters: tuple = (),
    **extra,
):
    """The schema of a write of customer data (all writes take an Idempotency-Key)."""
    examples = (
        [
            OpenApiExample(name, value=body, request_only=True)
            for name, body in request_example.items()
        ]
        if request_example
        else []
    )
    return extend_schema(
        tags=["customers"],
        summary=summary,
        request=request,
        examples=examples,
        parameters=[*doc.WRITE_HEADERS, *extra_parameters],
        responses={**answer, **doc.problems(*doc.WRITE)},
        **extra,
    )


class CustomerApi(CustomerScopedAPIView):
    """GET the profile; PATCH its contact fields."""

    @_read("The customer's profile", shapes.CustomerSerializer, shapes.CUSTOMER)
    def get(self, request, customerNo):
        cached = selectors.customer(access=self.access)
        return Response(body_of(cached, access=self.access, kind="customer"))

    @_write(
        "Change the customer's contact fields",
        description="Only the fields sent change; `billingAddress` is replaced whole.",
        request=CustomerChangesInput,
        request_example={"New contact details": shapes.CUSTOMER_CHANGES},
        answer=doc.ok(
            shapes.CustomerSerializer, shapes.CUSTOMER, description="The changed profile."
        ),
    )
    @idempotent
    def patch(self, request, customerNo):
        require_operation(access=self.access, kind="customer", rel="partial-update", offered=None)
        changes = CustomerChangesInput(data=request.data)
        changes.is_valid(raise_exception=True)
        cached = services.customer_update(access=self.access, changes=changes.validated_data)
        return Response(body_of(cached, access=self.access, kind="customer"))


class SubscriptionListApi(CustomerScopedAPIView):
    """GET the customer's subscriptions, paged."""

    @_read(
        "The customer's subscriptions",
        shapes.PagedSubscriptionList,
        shapes.SUBSCRIPTIONS,
        paged=True,
    )
    def get(self, request, customerNo):
        query = _page(request)
        cached = selectors.subscriptions(access=self.access)
        results = selectors.subscription_bodies(access=self.access, cached=cached)
        return _paged_list(
            request, query, shape=shapes.PagedSubscriptionList, results=results, meta=cached.meta
        )


class SubscriptionApi(CustomerScopedAPIView):
    """GET one subscription, with its recurring products."""

    @_read(
        "One subscription, with its recurring products",
        shapes.SubscriptionDetailSerializer,
        shapes.SUBSCRIPTION_DETAIL,
    )
    def get(self, request, customerNo, subscriptionNo):
        subscription = selectors.subscription(access=self.access, subscription_no=subscriptionNo)
        products = selectors.recurring_products(access=self.access, subscription_no=subscriptionNo)
        body = present(subscription.data, access=self.access, kind="subscription")
        body["recurringProducts"] = selectors.product_bodies(access=self.access, cached=products)
        body["meta"] = meta_of(subscription, products)
        return Response(body)


class _ProductsApi(CustomerScopedAPIView):
    """Shared by the customer-level and the subscription-level routes."""

    def _product_href(self, subscription_no: str | None, product_id: str) -> str:
        if subscription_no is None:
            return reverse(
                "customers:recurring-product",
                kwargs={"customerNo": self.access.customer_no, "recurringProductId": product_id},
            )
        return reverse(
            "customers:subscription-recurring-product",
            kwargs={
                "customerNo": self.access.customer_no,
                "subscriptionNo": subscription_no,
                "recurringProductId": product_id,
            },
        )


class RecurringProductListApi(_ProductsApi):
    """GET the recurring products of the customer or of one subscription; POST orders one."""

    @_read(
        "Recurring products (running ones first)",
        shapes.PagedRecurringProductList,
        shapes.PRODUCTS,
        paged=True,
    )
    def get(self, request, customerNo, subscriptionNo=None):
        query = _page(request)
        cached = selectors.recurring_products(access=self.access, subscription_no=subscriptionNo)
        parent_kind = "customer" if subscriptionNo is None else "subscription"
        return _paged_list(
            request,
            query,
            shape=shapes.PagedRecurringProductList,
            results=selectors.product_bodies(access=self.access, cached=cached),
            meta=cached.meta,
            # The list offers what its parent offers for ordering, narrowed to the role.
            operations=operations_of(cached.data, access=self.access, kind=parent_kind),
        )

    @_write(
        "Order a recurring product",
        description=(
            "`productCode` from the catalogue, at a level it lists. The Idempotency-Key also "
            "becomes the order's reference at the billing system, so a retry never orders twice."
        ),
        request=ProductOrderInput,
        request_example=shapes.PRODUCT_ORDERS,
        answer={
            **doc.ok(
                shapes.RecurringProductDetailSerializer,
                {**shapes.PRODUCT, "meta": shapes.META},
                status=201,
                description="Ordered; `Location` is the new product.",
            )
        },
        extra_parameters=[doc.LOCATION],
    )
    @idempotent
    def post(self, request, customerNo, subscriptionNo=None):
        kind = "customer" if subscriptionNo is None else "subscription"
        require_operation(
            access=self.access, kind=kind, rel="create-recurring-product", offered=None
        )
        order = ProductOrderInput(data=request.data)
        order.is_valid(raise_exception=True)
        data = order.validated_data
        cached = services.recurring_product_order(
            access=self.access,
            subscription_no=subscriptionNo,
            product_code=data["productCode"],
            quantity=data["quantity"],
            start_date=data.get("startDate"),
            reference=services.external_reference(idempotency_key(request)),
        )
        body = body_of(cached, access=self.access, kind="recurring-product")
        location = self._product_href(subscriptionNo, str(cached.data["recurringProductId"]))
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": location})


class RecurringProductApi(_ProductsApi):
    """GET one recurring product; PATCH its quantity or end date; DELETE ends it."""

    @_read(
        "One recurring product",
        shapes.RecurringProductDetailSerializer,
        {**shapes.PRODUCT, "meta": shapes.META},
    )
    def get(self, request, customerNo, recurringProductId, subscriptionNo=None):
        cached = selectors.recurring_product(
            access=self.access, subscription_no=subscriptionNo, product_id=recurringProductId
        )
        return Response(body_of(cached, access=self.access, kind="recurring-product"))

    @_write(
        "Change a recurring product's quantity or end date",
        request=ProductChangesInput,
        request_example={"More, until a day": shapes.PRODUCT_CHANGES},
        answer=doc.ok(
            shapes.RecurringProductDetailSerializer,
            {**shapes.PRODUCT, **shapes.PRODUCT_CHANGES, "meta": shapes.META},
            description="The changed product.",
        ),
    )
    @idempotent
    def patch(self, request, customerNo, recurringProductId, subscriptionNo=None):
        require_operation(
            access=self.access, kind="recurring-product", rel="partial-update", offered=None
        )
        changes = ProductChangesInput(data=request.data)
        changes.is_valid(raise_exception=True)
        cached = services.recurring_product_update(
            access=self.access,
            subscription_no=subscriptionNo,
            product_id=recurringProductId,
            quantity=changes.validated_data.get("quantity"),
            end_date=changes.validated_data.get("endDate"),
        )
        return Response(body_of(cached, access=self.access, kind="recurring-product"))

    @_write(
        "End a recurring product",
        request=None,
        request_example=None,
        answer=doc.NO_CONTENT,
    )
    @idempotent
    def delete(self, request, customerNo, recurringProductId, subscriptionNo=None):
        services.recurring_product_end(
            access=self.access, subscription_no=subscriptionNo, product_id=recurringProductId
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class CatalogueApi(CustomerScopedAPIView):
    """GET the self-service products this user may order for this customer, with levels."""

    @_read(
        "What this user may order for the customer, and at which level",
        shapes.PagedCatalogueList,
        shapes.CATALOGUE,
        paged=True,
    )
    def get(self, request, customerNo):
        query = _page(request)
        results, cached = selectors.catalogue(access=self.access)
        return _paged_list(
            request, query, shape=shapes.PagedCatalogueList, results=results, meta=cached.meta
        )
