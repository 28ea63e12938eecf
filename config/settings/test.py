"""The test suite: PostgreSQL when DATABASE_URL points at one, a Redis database of its own.

Tests flush their Redis database, so it is never REDIS_URL's: TEST_REDIS_URL or db 15.
The suite starts its own sandbox on SANDBOX_TEST_PORT (18001).
"""

import os

os.environ["REDIS_URL"] = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ.pop("CELERY_BROKER_URL", None)
os.environ.pop("CELERY_RESULT_BACKEND", None)
SANDBOX_TEST_PORT = int(os.environ.get("SANDBOX_TEST_PORT", "18001"))
os.environ["PAYEX_BASE_URL"] = f"http://127.0.0.1:{SANDBOX_TEST_PORT}"
os.environ["PAYEX_OWNER_NO"] = "501"
os.environ["PAYMENT_BANKGIRO"] = "5050-1055"
os.environ["PAYEX_TOKEN"] = "sandbox-501"  # noqa: S105 - the sandbox's public token
os.environ["PAYEX_SANDBOX"] = "true"

from .local import *  # noqa: E402, F403
from .local import CACHES  # noqa: E402

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES["default"]["KEY_PREFIX"] = "bff-test"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not SQLite's shared in-memory database: tests that run a real Celery
    # worker write from its thread while the test reads, and the shared cache answers
    # that with "database table is locked" at once instead of waiting for the writer.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "test-db.sqlite3")}  # noqa: F405
