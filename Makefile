# The two commands of the README: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BFF_PORT ?= 8000
SANDBOX_PORT ?= 8001
export BFF_PORT SANDBOX_PORT

.PHONY: run test sandbox install lint format check migrate seed clean static

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || { \
	  echo "Could not create a virtual environment. Install venv with: sudo apt-get install -y python3-venv" >&2; exit 1; }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

install: $(VENV)/.installed

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	@scripts/wait_for_sandbox.sh
	$(PY) manage.py seed_demo

## Static files under cache-busting names in staticfiles/, served by whitenoise.
static: install
	$(PY) manage.py collectstatic --noinput -v 0

## The whole stack in the foreground: sandbox, web, Celery worker and beat. Ctrl-C stops all.
run: install static
	@PYTHON=$(PY) scripts/ensure_redis.sh
	@scripts/run.sh

## The PayEx Billing sandbox alone, in the foreground.
sandbox: install
	$(PY) -m sandbox

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

check: install
	$(VENV)/bin/lint-imports --no-cache
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py spectacular --validate \
	  --fail-on-warn --lang en --file /dev/null
	@scripts/check_deploy.sh

## Lint, import contracts, migrations, deploy checks and the whole suite (PostgreSQL when DATABASE_URL says so).
test: install static
	@PYTHON=$(PY) REDIS_URL=$${TEST_REDIS_URL:-redis://127.0.0.1:6379/15} scripts/ensure_redis.sh
	@scripts/ensure_chromium.sh
	$(MAKE) --no-print-directory lint check
	$(VENV)/bin/pytest

clean:
	rm -rf $(VENV) staticfiles var test-artifacts db.sqlite3 db.sqlite3-wal db.sqlite3-shm

## The usage benchmark (by hand, not in `make test`): sandbox, Redis, gunicorn; see docs/benchmarks.md.
.PHONY: benchmark
benchmark: install
	@PYTHON=$(PY) scripts/ensure_redis.sh
	@scripts/ensure_wrk.sh
	$(PY) -m scripts.benchmark $(BENCHMARK_ARGS)

## The resilience matrix in its long form (docs/resilience.md): every fault held longer, each row three times.
.PHONY: resilience
resilience: install static
	@PYTHON=$(PY) REDIS_URL=$${TEST_REDIS_URL:-redis://127.0.0.1:6379/15} scripts/ensure_redis.sh
	RESILIENCE_FULL=1 $(VENV)/bin/pytest tests/resilience -q --timeout=900 $(PYTEST_ARGS)
