"""The exports page."""

from django.urls import path

from . import views

app_name = "exports_pages"

urlpatterns = [
    path("exports/", views.ExportsPage.as_view(), name="exports"),
]
