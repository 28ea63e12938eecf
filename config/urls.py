"""The BFF's URLs: health, the JSON API under /api/v1/, the admin and the pages.

The sandbox is a separate service and is never mounted here.
"""

from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from billing_bff import health, metrics, views
from overview.urls_pages import home_urlpatterns

api_v1 = [
    path("", include("billing_bff.urls_api")),
    path("", include("customers.urls")),
    path("", include("invoices.urls")),
    path("", include("usage.urls")),
    path("", include("overview.urls")),
    path("", include("exports.urls")),
]

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("api/v1/", include(api_v1)),
    # The OpenAPI document and its docs page: public, they hold no data (billing_bff.web.openapi).
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI's icons are data: images; its script and styles are files of this origin.
    path(
        "api/docs/",
        csp_update({"img-src": ["data:"]})(
            SpectacularSwaggerSplitView.as_view(url_name="api-schema")
        ),
        name="api-docs",
    ),
    # The admin's login behind the login throttle (billing_bff.throttle), ahead of its URLs.
    path("admin/login/", views.admin_login),
    path("admin/", admin.site.urls),
    # The language form of every page posts to Django's set_language (i18n/setlang/).
    path("i18n/", include("django.conf.urls.i18n")),
    *home_urlpatterns,
    path("", include("billing_bff.urls_pages")),
    path("", include("customers.urls_pages")),
    path("", include("invoices.urls_pages")),
    path("", include("usage.urls_pages")),
    path("", include("overview.urls_pages")),
    path("", include("exports.urls_pages")),
]

handler400 = "billing_bff.web.errors.bad_request"
handler403 = "billing_bff.web.errors.permission_denied"
handler404 = "billing_bff.web.errors.not_found"
handler500 = "billing_bff.web.errors.server_error"
