"""Where settings come from: the project directory and the environment.

Every settings module imports `BASE_DIR` and `env` from here; this module imports no
other settings module, so nothing circles back. A developer's `.env` is read once, at
first import, and never overrides a variable that is already set.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A developer's own overrides, never committed; a deployment sets real variables.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# The SECRET_KEY of local runs and tests; production refuses it (billing_bff.checks).
LOCAL_SECRET_KEY = "local-only-insecure-key-do-not-use-in-production"  # noqa: S105
