"""Customer routes under /api/v1/ (route names fixed by bff-api.md)."""

from django.urls import path

from . import apis

app_name = "customers"

C = "customers/<str:customerNo>"
S = f"{C}/subscriptions/<str:subscriptionNo>"
urlpatterns = [
    path(C, apis.CustomerApi.as_view(), name="customer"),
    path(f"{C}/subscriptions", apis.SubscriptionListApi.as_view(), name="subscriptions"),
    path(S, apis.SubscriptionApi.as_view(), name="subscription"),
    path(
        f"{C}/recurring-products",
        apis.RecurringProductListApi.as_view(),
        name="recurring-products",
    ),
    path(
        f"{C}/recurring-products/<str:recurringProductId>",
        apis.RecurringProductApi.as_view(),
        name="recurring-product",
    ),
    path(
        f"{S}/recurring-products",
        apis.RecurringProductListApi.as_view(),
        name="subscription-recurring-products",
    ),
    path(
        f"{S}/recurring-products/<str:recurringProductId>",
        apis.RecurringProductApi.as_view(),
        name="subscription-recurring-product",
    ),
    path(f"{C}/catalogue", apis.CatalogueApi.as_view(), name="catalogue"),
]
