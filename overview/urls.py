"""Overview and refresh routes under /api/v1/ (paths fixed by bff-api.md)."""

from django.urls import path

from . import apis

app_name = "overview"

C = "customers/<str:customerNo>"
urlpatterns = [
    path(f"{C}/overview", apis.OverviewApi.as_view(), name="overview"),
    path(f"{C}/refresh", apis.RefreshApi.as_view(), name="refresh"),
    path(f"{C}/refresh/<str:taskId>", apis.RefreshStatusApi.as_view(), name="refresh-status"),
]
