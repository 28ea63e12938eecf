"""Usage pages."""

from django.urls import path

from . import views

app_name = "usage_pages"

urlpatterns = [
    path("exports/", views.ExportsPage.as_view(), name="exports"),
]

# Usage records and "refresh now" (usage.pages)
from . import pages  # noqa: E402

urlpatterns += [
    path(
        "subscriptions/<str:subscriptionNo>/usage/",
        pages.UnbilledUsagePage.as_view(),
        name="unbilled",
    ),
    path(
        "invoices/<str:invoiceNo>/subscriptions/<str:subscriptionNo>/usage/",
        pages.BilledUsagePage.as_view(),
        name="billed",
    ),
    path("refresh/", pages.refresh_now, name="refresh"),
]
