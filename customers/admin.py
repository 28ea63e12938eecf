"""Admin of the self-service catalogue: what end customers and agents may order."""

from django.contrib import admin

from customers.models import CatalogueProduct


@admin.register(CatalogueProduct)
class CatalogueProductAdmin(admin.ModelAdmin):
    list_display = [
        "product_code",
        "name_sv",
        "name_en",
        "unit_price",
        "vat_rate",
        "charge_interval",
        "level",
        "owners_may_order",
        "active",
    ]
    list_filter = ["active", "level", "owners_may_order", "charge_interval"]
    list_editable = ["active", "owners_may_order"]
    search_fields = ["product_code", "name_sv", "name_en"]
