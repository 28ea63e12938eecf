"""Usage exports (exports.services): where the files are kept, how long, the task's limits."""

from pathlib import Path

from .environment import BASE_DIR, env

# Outside STATIC_ROOT and any media root: an export is served only through its authorised
# download view, never by a static file server.
EXPORT_ROOT = Path(env.str("EXPORT_ROOT", default=str(BASE_DIR / "var" / "exports")))
EXPORT_RETENTION_DAYS = env.int("EXPORT_RETENTION_DAYS", default=7)
# A CSV larger than this is delivered zipped (deflate).
EXPORT_ZIP_THRESHOLD_BYTES = env.int("EXPORT_ZIP_THRESHOLD_BYTES", default=5 * 1024 * 1024)
# The hard limit stays under the broker's visibility timeout, or an acks_late export still
# running would be handed to a second worker.
EXPORT_TASK_SOFT_TIME_LIMIT = env.int("EXPORT_TASK_SOFT_TIME_LIMIT", default=25 * 60)
EXPORT_TASK_TIME_LIMIT = env.int("EXPORT_TASK_TIME_LIMIT", default=30 * 60)
EXPORT_TASK_MAX_RETRIES = env.int("EXPORT_TASK_MAX_RETRIES", default=3)
