"""Invoice pages: the list and one invoice."""

from django.urls import path

from . import views

app_name = "invoice_pages"

urlpatterns = [
    path("invoices/", views.InvoiceListPage.as_view(), name="invoices"),
    path("invoices/<str:invoiceNo>/", views.InvoicePage.as_view(), name="invoice"),
]
