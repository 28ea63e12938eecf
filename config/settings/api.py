"""The JSON API: Django REST framework, and the OpenAPI document drf-spectacular builds."""

# --- Django REST framework ----------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "billing_bff.auth.PrincipalJWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # DRF's JSON parser with a bound on nesting (billing_bff.web.parsers).
    "DEFAULT_PARSER_CLASSES": ["billing_bff.web.parsers.BoundedJSONParser"],
    "EXCEPTION_HANDLER": "billing_bff.problems.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "billing_bff.web.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

# --- The OpenAPI document (/api/schema/) and its docs (/api/docs/), see billing_bff.web.openapi
# Both are public: the document describes the API and holds no data. Swagger UI's files
# come from drf-spectacular-sidecar through the static files, never from a CDN.
SPECTACULAR_SETTINGS = {
    "TITLE": "PayEx Billing my pages: mobile API",
    "VERSION": "1.0.0",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True},
    # Enums that share a field name get their own names (values are import paths).
    "ENUM_NAME_OVERRIDES": {
        "SubscriptionStatusEnum": "billing_bff.web.openapi.SUBSCRIPTION_STATUSES",
        "InvoiceStatusEnum": "invoices.openapi.STATUSES",
        "RefreshStatusEnum": "billing_bff.refresh.STATUSES",
        "ExportStatusEnum": "exports.models.Export.Status",
    },
    # Description, tags and the other texts are the code's (billing_bff.web.openapi).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "billing_bff.web.openapi.finish_document",
    ],
}
