"""Admin: usage exports, read-only (rows change only through exports.services)."""

from django.contrib import admin

from billing_bff.admin import ReadOnlyAdmin

from .models import Export


@admin.register(Export)
class ExportAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "customer_no",
        "requested_by",
        "status",
        "percent",
        "rows",
        "size",
        "failure_reason",
        "expires_at",
    ]
    list_filter = ["status", "failure_reason"]
    search_fields = ["customer_no", "id"]
    date_hierarchy = "created_at"
