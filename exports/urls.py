"""Export routes under /api/v1/."""

from django.urls import path

from . import apis

app_name = "exports"

C = "customers/<str:customerNo>"
urlpatterns = [
    path(f"{C}/exports", apis.ExportListApi.as_view(), name="exports"),
    path(f"{C}/exports/<str:exportId>", apis.ExportDetailApi.as_view(), name="export"),
    path(
        f"{C}/exports/<str:exportId>/download",
        apis.ExportDownloadApi.as_view(),
        name="export-download",
    ),
]
