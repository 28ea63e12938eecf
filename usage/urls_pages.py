"""Usage pages."""

from django.urls import path

from . import views

app_name = "usage_pages"

urlpatterns = [
    path("exports/", views.ExportsPage.as_view(), name="exports"),
]
