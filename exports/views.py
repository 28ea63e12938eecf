"""The exports page: /exports/ (the customer's exports, start one, follow it, download).

A running export's progress bar is moved by exports/static/exports/exports.js polling
the exports API; without script the page refreshes itself while anything runs.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from billing_bff.access import require_operation
from billing_bff.web.pages import CustomerPageMixin

from . import selectors, services

RECENT = 20  # retention keeps a week of exports; a page of them is plenty


class ExportsPage(CustomerPageMixin, View):
    def get(self, request):
        access = self.access
        recent = selectors.exports_of(access)[:RECENT]
        rows = [{"export": export, **selectors.export_urls(export)} for export in recent]
        can_export = bool(selectors.export_operations(access))
        context = {
            "rows": rows,
            "can_export": can_export,
            "running": any(row["export"].active for row in rows),
            "retention_days": settings.EXPORT_RETENTION_DAYS,
        }
        return render(request, "exports/exports.html", context)

    def post(self, request):
        require_operation(access=self.access, kind="customer", rel="export", offered=None)
        _export, new = services.export_create(access=self.access)
        if new:
            messages.success(request, _("Your export has started. It is listed below."))
        else:
            messages.info(request, _("An export is already under way; it is listed below."))
        return redirect("exports_pages:exports")
