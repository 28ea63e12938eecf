"""The usage API: summaries, record lists (JSON or streamed CSV), refresh.

Record lists are paged, filtered and sorted over the BFF's cached copy (usage.store);
`?format=csv` or `Accept: text/csv` streams the whole filtered view as CSV.
"""

from __future__ import annotations

import csv

from django.http import StreamingHttpResponse
from django.urls import reverse
from rest_framework import serializers, status
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from billing_bff.access import CustomerScopedAPIView, require_operation
from billing_bff.api import PageQuery, meta_of, paged
from billing_bff.idempotency import idempotent
from billing_bff.problems import NotFound

from . import openapi as shapes
from . import selectors, services, store

CSV_COLUMNS = (
    "usageId",
    "startTime",
    "usageType",
    "destination",
    "destinationCode",
    "zone",
    "roaming",
    "volume",
    "volumeCode",
    "unitPrice",
    "amount",
    "currency",
    "detailInfo",
)


class CSVRenderer(BaseRenderer):
    """Lets content negotiation accept text/csv; the view streams the body itself."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes) else b""


class CommaList(serializers.ListField):
    """`usage_type=voice,sms` and `usage_type=voice&usage_type=sms` alike."""

    def get_value(self, dictionary):
        values = dictionary.getlist(self.field_name) if hasattr(dictionary, "getlist") else []
        if not values:
            return serializers.empty
        return [part for value in values for part in value.split(",") if part]


class UsageQuery(PageQuery):
    usage_type = CommaList(child=serializers.ChoiceField(choices=store.USAGE_TYPES), required=False)
    zone = CommaList(child=serializers.ChoiceField(choices=store.ZONES), required=False)
    roaming = serializers.BooleanField(required=False, allow_null=True, default=None)
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)
    q = serializers.CharField(required=False, max_length=64, allow_blank=True, default="")
    sort = serializers.ChoiceField(choices=store.SORTS, default="-time")

    def validate(self, attrs):
        if (
            attrs.get("date_from")
            and attrs.get("date_to")
            and attrs["date_from"] > attrs["date_to"]
        ):
            raise serializers.ValidationError({"date_to": ["Must not be before date_from."]})
        return attrs

    def to_query(self) -> store.Query:
        data = self.validated_data
        return store.Query(
            usage_types=tuple(data.get("usage_type") or ()),
            zones=tuple(data.get("zone") or ()),
            roaming=data.get("roaming"),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            search=data.get("q", "").strip(),
            sort=data["sort"],
            page=data["page"],
            page_size=data["page_size"],
        )


class UnbilledSummaryApi(CustomerScopedAPIView):
    """Unbilled usage of the customer, per subscription, since the first unbilled day."""

    @shapes.unbilled_summary
    def get(self, request, customerNo):
        cached = selectors.unbilled_summary(access=self.access)
        operations = selectors.refresh_operations(access=self.access)
        return Response({**cached.data, "operations": operations, "meta": cached.meta})


class BilledSummaryApi(CustomerScopedAPIView):
    """Billed usage on one invoice, per subscription."""

    @shapes.billed_summary
    def get(self, request, customerNo, invoiceNo):
        cached = selectors.billed_summary(access=self.access, invoice_no=invoiceNo)
        return Response({**cached.data, "operations": [], "meta": cached.meta})


class _RecordsApi(CustomerScopedAPIView):
    renderer_classes = (JSONRenderer, CSVRenderer)

    def _list(self, request, *, subscription_no: str, invoice_no: str | None):
        params = UsageQuery(data=request.query_params)
        params.is_valid(raise_exception=True)
        query = params.to_query()
        wants_csv = request.accepted_renderer.format == "csv"
        if wants_csv:
            return self._csv(subscription_no=subscription_no, invoice_no=invoice_no, query=query)
        page = selectors.usage_page(
            access=self.access, subscription_no=subscription_no, invoice_no=invoice_no, query=query
        )
        return Response(
            paged(
                request,
                results=page.records,
                count=page.count,
                page=query.page,
                page_size=query.page_size,
                meta=meta_of(page.cached),
                totals=page.totals,
                subscriptionNo=subscription_no,
                invoiceNo=invoice_no,
            )
        )

    def _csv(self, *, subscription_no: str, invoice_no: str | None, query: store.Query):
        set_key, cached = selectors.usage_set(
            access=self.access, subscription_no=subscription_no, invoice_no=invoice_no
        )

        class Echo:
            def write(self, value):
                return value

        writer = csv.writer(Echo())

        def rows():
            yield writer.writerow(CSV_COLUMNS).encode()
            for record in store.iter_view(set_key, cached.data, query):
                yield writer.writerow([record.get(column, "") for column in CSV_COLUMNS]).encode()

        name = f"usage-{invoice_no or 'unbilled'}-{subscription_no}.csv"
        response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class UnbilledRecordsApi(_RecordsApi):
    """Unbilled usage records of one subscription: paged, filtered, sorted, with totals."""

    @shapes.records(UsageQuery, "Unbilled usage records of one subscription")
    def get(self, request, customerNo, subscriptionNo):
        return self._list(request, subscription_no=subscriptionNo, invoice_no=None)


class BilledRecordsApi(_RecordsApi):
    """Billed usage records of one subscription on one invoice."""

    @shapes.records(UsageQuery, "Billed usage records of one subscription on one invoice")
    def get(self, request, customerNo, invoiceNo, subscriptionNo):
        return self._list(request, subscription_no=subscriptionNo, invoice_no=invoiceNo)


class RefreshApi(CustomerScopedAPIView):
    """Ask for fresh data now: 202 and a link to follow the refresh."""

    @shapes.refresh
    @idempotent
    def post(self, request, customerNo):
        require_operation(access=self.access, kind="customer", rel="refresh", offered=None)
        task_id, _ = services.queue_refresh(
            ledger_no=self.access.ledger_no, customer_no=self.access.customer_no, resource="all"
        )
        href = reverse("usage:refresh-status", kwargs={"customerNo": customerNo, "taskId": task_id})
        state = services.refresh_status(
            ledger_no=self.access.ledger_no, customer_no=self.access.customer_no, task_id=task_id
        )
        return Response(
            {"taskId": task_id, "status": state or "queued", "statusUrl": href},
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": href},
        )


class RefreshStatusApi(CustomerScopedAPIView):
    """Where a refresh of this customer stands: queued, running, done or failed."""

    @shapes.refresh_status
    def get(self, request, customerNo, taskId):
        state = services.refresh_status(
            ledger_no=self.access.ledger_no, customer_no=self.access.customer_no, task_id=taskId
        )
        if state is None:
            raise NotFound()
        return Response({"taskId": taskId, "status": state})
