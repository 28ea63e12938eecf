"""The invoice API: headers (paged, newest first, filtered) and one invoice's charges."""

from __future__ import annotations

from rest_framework.response import Response

from billing_bff.access import audit_agent_read
from billing_bff.web import openapi as doc
from billing_bff.web.api import CustomerScopedAPIView, page_slice, paged

from . import openapi as shapes
from . import selectors
from .validators import InvoiceQuery


class InvoiceListApi(CustomerScopedAPIView):
    """GET invoice headers; `year` and `status` filter, `page` and `page_size` page."""

    @doc.read_schema(
        "invoices",
        "Invoice headers, newest first",
        shapes.PagedInvoiceList,
        shapes.INVOICES,
        statuses=doc.LIST,
        parameters=[InvoiceQuery],
        errors={"status": ['"due" is not a valid choice.']},
    )
    def get(self, request, customerNo):
        query = InvoiceQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        cached = selectors.invoice_list(access=self.access)
        items = selectors.matching_invoices(
            cached, year=params.get("year"), status=params.get("status")
        )
        page, size = params["page"], params["page_size"]
        return Response(
            paged(
                request,
                shape=shapes.PagedInvoiceList,
                results=selectors.present_headers(
                    page_slice(items, page=page, page_size=size), access=self.access
                ),
                count=len(items),
                page=page,
                page_size=size,
                meta=cached.meta,
            )
        )


class InvoiceApi(CustomerScopedAPIView):
    """GET one invoice: header, charges by subscription with subtotals, VAT, totals."""

    @doc.read_schema(
        "invoices",
        "One invoice: charges by subscription, VAT and totals",
        shapes.InvoiceDetailSerializer,
        shapes.INVOICE,
    )
    def get(self, request, customerNo, invoiceNo):
        cached = selectors.invoice(access=self.access, invoice_no=invoiceNo)
        body = selectors.invoice_detail(access=self.access, cached=cached)
        audit_agent_read(self.access, "invoice.read", invoiceNo=invoiceNo)
        return Response({**body, "meta": cached.meta})
