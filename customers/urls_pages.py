"""Customer pages: the profile and one subscription."""

from django.urls import path

from . import views

app_name = "customer_pages"

urlpatterns = [
    path("profile/", views.ProfilePage.as_view(), name="profile"),
    path(
        "subscriptions/<str:subscriptionNo>/",
        views.SubscriptionPage.as_view(),
        name="subscription",
    ),
]
