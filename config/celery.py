"""The Celery application: Redis as broker, tasks discovered in every app's tasks.py."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("billing_bff")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
