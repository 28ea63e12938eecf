"""The invoice API: headers (paged, newest first, filtered) and one invoice's charges."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from billing_bff import openapi as doc
from billing_bff.access import CustomerScopedAPIView
from billing_bff.api import page_slice, paged

from . import openapi as shapes
from . import selectors
from .validators import InvoiceQuery


class InvoiceListApi(CustomerScopedAPIView):
    """GET invoice headers; `year` and `status` filter, `page` and `page_size` page."""

    @extend_schema(
        tags=["invoices"],
        summary="Invoice headers, newest first",
        parameters=[InvoiceQuery, *doc.READ_HEADERS],
        responses={
            **doc.ok(shapes.PagedInvoiceList, shapes.INVOICES),
            **doc.NOT_MODIFIED,
            **doc.problems(*doc.LIST, errors={"status": ['"due" is not a valid choice.']}),
        },
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

    @extend_schema(
        tags=["invoices"],
        summary="One invoice: charges by subscription, VAT and totals",
        parameters=doc.READ_HEADERS,
        responses={
            **doc.ok(shapes.InvoiceDetailSerializer, shapes.INVOICE),
            **doc.NOT_MODIFIED,
            **doc.problems(*doc.READ),
        },
    )
    def get(self, request, customerNo, invoiceNo):
        cached = selectors.invoice(access=self.access, invoice_no=invoiceNo)
        body = selectors.invoice_detail(access=self.access, cached=cached)
        return Response({**body, "meta": cached.meta})
