"""The benchmark's URLconf: every route of config.urls, and the bare view at bench/json."""

from django.urls import path

from config.urls import handler400, handler403, handler404, handler500, urlpatterns

from .views import bare_json

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]

urlpatterns = [path("bench/json", bare_json, name="bench-json"), *urlpatterns]
