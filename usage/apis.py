"""The usage API: summaries and record lists (JSON or streamed CSV).

Record lists are paged, filtered and sorted over the BFF's cached copy (usage.store);
`?format=csv` or `Accept: text/csv` streams the whole filtered view as CSV. The
customer's "refresh now" is the overview app's (overview.apis).
"""

from __future__ import annotations

from django.http import StreamingHttpResponse
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from billing_bff.access import audit_agent_read
from billing_bff.refresh import refresh_operations
from billing_bff.web.api import CustomerScopedAPIView, meta_of, paged

from . import openapi as shapes
from . import selectors, store
from .csv_rows import csv_lines
from .validators import UsageQuery


class CSVRenderer(BaseRenderer):
    """Lets content negotiation accept text/csv; the view streams the body itself."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes) else b""


class UnbilledSummaryApi(CustomerScopedAPIView):
    """Unbilled usage of the customer, per subscription, since the first unbilled day."""

    @shapes.unbilled_summary
    def get(self, request, customerNo):
        cached = selectors.unbilled_summary(access=self.access)
        operations = refresh_operations(self.access)
        return Response(selectors.summary_body(cached, operations=operations))


class BilledSummaryApi(CustomerScopedAPIView):
    """Billed usage on one invoice, per subscription."""

    @shapes.billed_summary
    def get(self, request, customerNo, invoiceNo):
        cached = selectors.billed_summary(access=self.access, invoice_no=invoiceNo)
        return Response(selectors.summary_body(cached, operations=[]))


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
        audit_agent_read(
            self.access, "usage.read", subscriptionNo=subscription_no, invoiceNo=invoice_no
        )
        return Response(
            paged(
                request,
                shape=shapes.PagedUsageRecordList,
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
        audit_agent_read(
            self.access, "usage.csv", subscriptionNo=subscription_no, invoiceNo=invoice_no
        )
        records = store.iter_view(set_key, cached.data, query)
        name = f"usage-{invoice_no or 'unbilled'}-{subscription_no}.csv"
        response = StreamingHttpResponse(csv_lines(records), content_type="text/csv; charset=utf-8")
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
