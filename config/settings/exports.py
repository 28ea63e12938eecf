"""Usage exports (exports.services): where the files are kept, how long, the task's limits,
and how an export whose task was never sent or whose worker died is picked up again.

- EXPORT_RECOVER_INTERVAL (60 s): how often beat runs `usage.tasks.recover_exports`.
- EXPORT_SEND_GRACE (10 s): a queued export whose task could not be sent (the broker was
  down when its row committed) is sent by the next recovery this long after its creation.
- EXPORT_STALL_SECONDS (120 s): a running export whose heartbeat (written with its
  progress, at least every EXPORT_STALL_SECONDS / 4) is older than this lost its worker;
  the next recovery queues it again as a new attempt. Bound: a dead worker's export is
  picked up again within EXPORT_STALL_SECONDS + EXPORT_RECOVER_INTERVAL (3 min).
  Beats are written before each set and every thousand rows, so the window must
  outlast the slowest upstream load of one set (its requests are bounded by
  PAYEX_REQUEST_DEADLINE each).
- EXPORT_MAX_ATTEMPTS (3): attempts before such an export is failed with the reason
  `worker-lost` (the user then starts a new one).
"""

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
EXPORT_RECOVER_INTERVAL = env.int("EXPORT_RECOVER_INTERVAL", default=60)
EXPORT_SEND_GRACE = env.int("EXPORT_SEND_GRACE", default=10)
EXPORT_STALL_SECONDS = env.int("EXPORT_STALL_SECONDS", default=120)
EXPORT_MAX_ATTEMPTS = env.int("EXPORT_MAX_ATTEMPTS", default=3)
