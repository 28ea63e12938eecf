#!/usr/bin/env bash
# `manage.py check --deploy` against the production settings, with a production-shaped
# environment made up for the check (nothing here is a real secret).
set -euo pipefail
PY="${PYTHON:-.venv/bin/python}"
env -i PATH="$PATH" HOME="${HOME:-/tmp}" \
  DJANGO_SETTINGS_MODULE=config.settings.production \
  SECRET_KEY="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')" \
  ALLOWED_HOSTS=mypages.example.com \
  DATABASE_URL=sqlite:////tmp/check-deploy.sqlite3 \
  REDIS_URL=redis://127.0.0.1:6379/0 \
  PAYEX_BASE_URL=https://lf-api.payex.com PAYEX_OWNER_NO=501 PAYEX_TOKEN=check-only \
  PAYEX_CLIENT_CERT=/etc/payex/client.crt PAYEX_CLIENT_KEY=/etc/payex/client.key \
  "$PY" manage.py check --deploy --fail-level WARNING
