#!/usr/bin/env bash
# `make run`: migrate, start every process of the Procfile in the foreground, seed the
# demo data once the sandbox answers, then print where to log in. Ctrl-C stops them all.
set -euo pipefail
PY=.venv/bin/python
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-config.settings.local}"
mkdir -p var

"$PY" manage.py migrate --noinput

.venv/bin/honcho start -f Procfile &
honcho_pid=$!
trap 'kill -INT $honcho_pid 2>/dev/null; wait $honcho_pid 2>/dev/null; exit 0' INT TERM

scripts/wait_for_sandbox.sh
"$PY" manage.py seed_demo

for _ in $(seq 1 300); do
  curl -fsS -o /dev/null "http://127.0.0.1:${BFF_PORT:-8000}/healthz" 2>/dev/null && break
  sleep 0.2
done
cat <<MSG

  PayEx Billing my pages is running.
    Open:      http://127.0.0.1:${BFF_PORT:-8000}/
    API:       http://127.0.0.1:${BFF_PORT:-8000}/api/v1/
    Readiness: http://127.0.0.1:${BFF_PORT:-8000}/readyz
    Sandbox:   http://127.0.0.1:${SANDBOX_PORT:-8001}/_sandbox/customers
  Demo logins (password ${DEMO_PASSWORD:-mypages-demo}):
    anna     owner of a consumer customer
    bertil   viewer of anna's customer
    cecilia  owner of a business customer and of a second consumer customer
    service  customer-service agent
  Ctrl-C stops everything.

MSG
wait $honcho_pid
