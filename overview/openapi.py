"""The shapes the OpenAPI document gives the overview and refresh routes, with examples.

Documentation only: overview.selectors builds the overview's body, and
billing_bff.refresh the refresh's.
"""

from __future__ import annotations

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework import serializers

from billing_bff.refresh import RefreshStatus, RefreshTask
from billing_bff.web import openapi as doc
from billing_bff.web.openapi import MetaSerializer
from customers.openapi import (
    CUSTOMER,
    META,
    SUBSCRIPTION,
    CustomerSerializer,
    SubscriptionSerializer,
)
from invoices.openapi import HEADER, InvoiceHeaderSerializer
from usage.openapi import UsageSummarySerializer

C = "/api/v1/customers/3996668"


# --- the overview ---------------------------------------------------------------------------
class SectionProblemSerializer(serializers.Serializer):
    """Why a section of the overview could not be read (a problem without `instance`)."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()


class FailedSectionMetaSerializer(serializers.Serializer):
    asOf = serializers.DateTimeField(allow_null=True, help_text="Null: no copy to show.")
    stale = serializers.BooleanField()
    source = serializers.CharField(help_text="`none`.")


class FailedSectionSerializer(serializers.Serializer):
    """A section whose upstream failed, with no kept copy to show instead."""

    error = SectionProblemSerializer()
    meta = FailedSectionMetaSerializer()


def _section(name: str, shape) -> PolymorphicProxySerializer:
    return PolymorphicProxySerializer(
        component_name=name,
        serializers=[shape, FailedSectionSerializer],
        resource_type_field_name=None,
    )


class OverviewSubscriptionsSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = SubscriptionSerializer(many=True)
    meta = MetaSerializer()


class OverviewInvoicesSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="All the customer's invoices.")
    results = InvoiceHeaderSerializer(many=True, help_text="The latest three, newest first.")
    meta = MetaSerializer()


class OverviewSerializer(serializers.Serializer):
    """The app's home screen: each section has its own meta and fails on its own."""

    customerNo = serializers.CharField()
    profile = _section("ProfileSection", CustomerSerializer)
    subscriptions = _section("SubscriptionsSection", OverviewSubscriptionsSerializer)
    invoices = _section("InvoicesSection", OverviewInvoicesSerializer)
    unbilledUsage = _section("UnbilledUsageSection", UsageSummarySerializer)
    meta = MetaSerializer(help_text="The oldest of the sections; stale when one failed.")


OVERVIEW = {
    "customerNo": "3996668",
    "profile": CUSTOMER,
    "subscriptions": {"count": 1, "results": [SUBSCRIPTION], "meta": META},
    "invoices": {"count": 12, "results": [HEADER], "meta": META},
    # A section whose upstream failed and had no kept copy: the others still render.
    "unbilledUsage": {
        "error": {
            "type": "/problems/upstream-timeout",
            "title": "Billing system too slow",
            "status": 504,
            "detail": "The billing system did not answer in time. Please try again.",
        },
        "meta": {"asOf": None, "stale": True, "source": "none"},
    },
    "meta": {**META, "stale": True},
}

overview = doc.read_schema(
    "customers",
    "The app's home screen in one call",
    OverviewSerializer,
    OVERVIEW,
    description=(
        "Profile, subscriptions, the latest three invoices and the unbilled usage summary, "
        "read concurrently. Each section has its own `meta`; a section whose billing "
        "system call failed holds an `error` (its stale copy, when one is kept, is shown "
        "instead, marked stale) while the others render. Only when every section fails "
        "is the answer itself a problem."
    ),
)


# --- refresh ---------------------------------------------------------------------------------
TASK = {
    "taskId": "e5e5597c50b84b71a78faa9dd4566810",
    "status": "queued",
    "statusUrl": f"{C}/refresh/e5e5597c50b84b71a78faa9dd4566810",
}
refresh = extend_schema(
    tags=["usage"],
    summary="Ask for fresh data now",
    description=(
        "Queues one reload of the customer's data from the billing system (a refresh already "
        "queued or running is answered instead of a second one). Follow `statusUrl`."
    ),
    request=None,
    parameters=[*doc.WRITE_HEADERS, doc.LOCATION],
    responses={
        **doc.ok(RefreshTask, TASK, status=202, description="Queued."),
        **doc.problems(400, 401, 403, 404, 409, 422),
    },
)
refresh_status = doc.read_schema(
    "usage",
    "Where a refresh stands",
    RefreshStatus,
    {"taskId": TASK["taskId"], "status": "done"},
    statuses=(401, 404),
)
