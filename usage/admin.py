"""Admin: usage exports, read-only (rows change only through usage.exports)."""

from django.contrib import admin

from .models import Export


@admin.register(Export)
class ExportAdmin(admin.ModelAdmin):
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
    readonly_fields = [f.name for f in Export._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
