"""The usage pages: /exports/ (the customer's exports, start one, follow it, download).

A running export's progress bar is moved by usage/static/usage/exports.js polling the
exports API; without script the page refreshes itself while anything runs.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from billing_bff.access import CustomerPageMixin, narrow_operations, require_operation

from . import exports
from .export_apis import export_urls
from .models import Export

RECENT = 20  # retention keeps a week of exports; a page of them is plenty


class ExportsPage(CustomerPageMixin, View):
    def get(self, request):
        access = self.access
        recent = Export.objects.filter(
            ledger_no=access.ledger_no, customer_no=access.customer_no
        ).order_by("-created_at")[:RECENT]
        rows = [{"export": export, **export_urls(export)} for export in recent]
        can_export = bool(
            narrow_operations(
                kind="customer",
                role=access.role,
                operations=[{"rel": "export", "method": "POST", "href": request.path}],
            )
        )
        context = {
            "rows": rows,
            "can_export": can_export,
            "running": any(row["export"].active for row in rows),
            "retention_days": settings.EXPORT_RETENTION_DAYS,
        }
        return render(request, "usage/exports.html", context)

    def post(self, request):
        require_operation(access=self.access, kind="customer", rel="export", offered=None)
        _export, new = exports.export_create(access=self.access)
        if new:
            messages.success(request, _("Your export has started. It is listed below."))
        else:
            messages.info(request, _("An export is already under way; it is listed below."))
        return redirect("usage_pages:exports")
