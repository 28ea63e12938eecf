#!/bin/sh
# Keep one process running, as systemd's Restart=always or Kubernetes would: whenever
# it exits on its own, start it again after 2 s. Used by the Procfile for the Celery
# worker, which Celery's Redis transport may end when the broker goes away mid-task
# ("Unrecoverable error"): the local stack then recovers as production would.
# INT or TERM stops the process and this loop.
trap 'kill -TERM "$child" 2>/dev/null; wait "$child" 2>/dev/null; exit 0' INT TERM
while :; do
  "$@" &
  child=$!
  wait "$child"
  status=$?
  echo "supervise: $1 exited with status $status; starting it again in 2 s" >&2
  sleep 2
done
