"""Usage routes under /api/v1/ (names fixed by bff-api.md)."""

from django.urls import path

from . import apis, export_apis

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
    path(f"{C}/refresh", apis.RefreshApi.as_view(), name="refresh"),
    path(f"{C}/refresh/<str:taskId>", apis.RefreshStatusApi.as_view(), name="refresh-status"),
]

# Exports (usage.export_apis)

urlpatterns += [
    path(f"{C}/exports", export_apis.ExportListApi.as_view(), name="exports"),
    path(f"{C}/exports/<str:exportId>", export_apis.ExportDetailApi.as_view(), name="export"),
    path(
        f"{C}/exports/<str:exportId>/download",
        export_apis.ExportDownloadApi.as_view(),
        name="export-download",
    ),
]
