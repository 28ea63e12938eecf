"""The invoice pages: /invoices/ (filtered, paged) and /invoices/<no>/ (charges and totals)."""

from __future__ import annotations

from django.shortcuts import render

from billing_bff.access import audit_agent_read
from billing_bff.documents import subscription_descriptions
from billing_bff.web.api import page_links, page_slice
from billing_bff.web.pages import CustomerPage, page_url

from . import selectors
from .openapi import STATUSES
from .validators import InvoiceQuery

PAGE_SIZE = 12  # a year of monthly invoices


class InvoiceListPage(CustomerPage):
    def get(self, request):
        data = request.GET.copy()
        data.setdefault("page_size", str(PAGE_SIZE))
        query = InvoiceQuery(data=data)
        valid = query.is_valid()
        # Bad filters are shown next to the form; the page lists everything meanwhile.
        params = query.validated_data if valid else {"page": 1, "page_size": PAGE_SIZE}
        cached = selectors.invoice_list(access=self.access)
        items = selectors.matching_invoices(
            cached, year=params.get("year"), status=params.get("status")
        )
        page, size = params["page"], params["page_size"]
        next_url, previous_url = page_links(request, page=page, page_size=size, count=len(items))
        context = {
            "invoices": selectors.present_headers(
                page_slice(items, page=page, page_size=size), access=self.access
            ),
            "count": len(items),
            "years": selectors.years_of(cached),
            "statuses": STATUSES,
            "year": params.get("year"),
            "status": params.get("status"),
            "filter_errors": {} if valid else query.errors,
            "next_url": next_url,
            "previous_url": previous_url,
            "meta": cached.meta,
        }
        return render(request, "invoices/list.html", context, status=200 if valid else 400)


class InvoicePage(CustomerPage):
    def get(self, request, invoiceNo: str):
        cached = selectors.invoice(access=self.access, invoice_no=invoiceNo)
        invoice = selectors.invoice_detail(access=self.access, cached=cached)
        audit_agent_read(self.access, "invoice.read", invoiceNo=invoiceNo)
        # Subscriptions are shown by their description where the list still has them.
        described = subscription_descriptions(self.access)
        for index, group in enumerate(invoice["subscriptions"], start=1):
            group["anchor"] = f"subscription-{index}"
            group["description"] = described.get(group["subscriptionNo"]) or ""
            group["page"] = page_url(
                "customer_pages:subscription", subscriptionNo=group["subscriptionNo"]
            )
            group["usage_page"] = (
                page_url(
                    "usage_pages:billed",
                    invoiceNo=invoice["invoiceNo"],
                    subscriptionNo=group["subscriptionNo"],
                )
                if group["usage"]
                else None
            )
        return render(request, "invoices/detail.html", {"invoice": invoice, "meta": cached.meta})
