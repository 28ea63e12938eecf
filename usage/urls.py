"""Usage routes under /api/v1/ (names fixed by bff-api.md)."""

from django.urls import path

from . import apis

app_name = "usage"

C = "customers/<str:customerNo>"
urlpatterns = [
    path(f"{C}/usage", apis.UnbilledSummaryApi.as_view(), name="unbilled-summary"),
    path(
        f"{C}/subscriptions/<str:subscriptionNo>/usage",
        apis.UnbilledRecordsApi.as_view(),
        name="unbilled-records",
    ),
    path(
        f"{C}/invoices/<str:invoiceNo>/usage",
        apis.BilledSummaryApi.as_view(),
        name="billed-summary",
    ),
    path(
        f"{C}/invoices/<str:invoiceNo>/subscriptions/<str:subscriptionNo>/usage",
        apis.BilledRecordsApi.as_view(),
        name="billed-records",
    ),
]
