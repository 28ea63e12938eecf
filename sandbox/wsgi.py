"""WSGI entry point of the sandbox (used by `python -m sandbox`)."""

import os

from django.core.wsgi import get_wsgi_application

# Forced, not defaulted: the sandbox is often started from a shell or a test run whose
# DJANGO_SETTINGS_MODULE points at the BFF's settings.
os.environ["DJANGO_SETTINGS_MODULE"] = "sandbox.settings"

application = get_wsgi_application()
