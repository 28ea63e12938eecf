"""Logging: structured lines with the request id; never tokens or personal data.

The request id is django-guid's (DJANGO_GUID, the X-Request-Id header), put on every
line by the correlation_id filter. Django's request lines (django.request, django.server,
django.security) carry the request's path, which holds customer and subscription
numbers: the redact_paths filter (billing_bff.logfilters) writes each path as its route
template, and drops the traceback of a client's error (4xx).
"""

from .environment import env

# --- Correlation ids: one id from the browser to PayEx ----------------------------------
DJANGO_GUID = {
    "GUID_HEADER_NAME": "X-Request-Id",
    "VALIDATE_GUID": True,
    "RETURN_HEADER": True,
    "EXPOSE_HEADER": True,
}

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "correlation_id": {"()": "django_guid.log_filters.CorrelationId"},
        "redact_paths": {"()": "billing_bff.logfilters.RedactRequestPaths"},
    },
    "formatters": {
        "line": {
            "format": "%(asctime)s %(levelname)s %(name)s request_id=%(correlation_id)s %(message)s"
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "line",
            "filters": ["correlation_id", "redact_paths"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django_guid": {"level": "WARNING"},
        # runserver's access lines: through the console handler (and its filters), not
        # Django's own django.server handler, which writes them with every number.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
