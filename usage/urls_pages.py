"""Usage pages: a subscription's usage since the last invoice, and on one invoice."""

from django.urls import path

from . import views

app_name = "usage_pages"

urlpatterns = [
    path(
        "subscriptions/<str:subscriptionNo>/usage/",
        views.UnbilledUsagePage.as_view(),
        name="unbilled",
    ),
    path(
        "invoices/<str:invoiceNo>/subscriptions/<str:subscriptionNo>/usage/",
        views.BilledUsagePage.as_view(),
        name="billed",
    ),
]
