"""Invoice routes under /api/v1/ (route names fixed by bff-api.md)."""

from django.urls import path

from . import apis

app_name = "invoices"

C = "customers/<str:customerNo>"
urlpatterns = [
    path(f"{C}/invoices", apis.InvoiceListApi.as_view(), name="invoices"),
    path(f"{C}/invoices/<str:invoiceNo>", apis.InvoiceApi.as_view(), name="invoice"),
]
