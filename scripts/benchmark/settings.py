"""The benchmark's BFF: the local settings, with the benchmark's URLconf.

The run starts gunicorn (and sets up Django in its own process) with
DJANGO_SETTINGS_MODULE=scripts.benchmark.settings; everything else comes from the
environment the run sets, as for config.settings.local.
"""

from config.settings.local import *  # noqa: F403

ROOT_URLCONF = "scripts.benchmark.urls"
