"""Overview pages: `/` and "refresh now"."""

from django.urls import path

from . import views

app_name = "overview_pages"

urlpatterns = [
    path("refresh/", views.refresh_now, name="refresh"),
]

# `/` keeps its global name: every page links home, and login lands there.
home_urlpatterns = [path("", views.OverviewPage.as_view(), name="home")]
