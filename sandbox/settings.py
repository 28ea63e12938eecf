"""Django settings of the sandbox: a separate, stateless-HTTP service with no database.

Nothing here is secret: the sandbox simulates PayEx for development and tests only.
"""

SECRET_KEY = "payex-sandbox-not-a-secret"  # noqa: S105 - a simulator, signs nothing
DEBUG = False
ALLOWED_HOSTS = ["*"]
APPEND_SLASH = False

INSTALLED_APPS: list[str] = []
MIDDLEWARE = ["sandbox.gateway.CorrelationIdMiddleware"]
ROOT_URLCONF = "sandbox.urls"
WSGI_APPLICATION = "sandbox.wsgi.application"
DATABASES: dict = {}

USE_TZ = True
TIME_ZONE = "Europe/Stockholm"
USE_I18N = False
DEFAULT_CHARSET = "utf-8"
# Bodies are small JSON documents; this only bounds what a client can make us read.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    # 4xx answers are the point of a simulator; only real failures are worth a line.
    "loggers": {"django": {"handlers": ["stderr"], "level": "ERROR", "propagate": False}},
}
