"""A real Celery worker process killed (SIGKILL, the whole process group) in the middle of
an export: the recovery queues it again, a second worker runs it, and the file is whole.

The workers are separate processes on the suite's broker (TEST_REDIS_URL) and database:
the test commits its rows (transaction=True) to the test database (a file with SQLite,
the test database with PostgreSQL), which the workers reach through DATABASE_URL.
"""

import os
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from exports import services as exports
from exports.models import Export
from tests.exports.test_exports import downloaded_rows, expected_counts, start
from tests.fixtures.worker import wait_for

ROOT = Path(__file__).resolve().parents[2]
CELERY = Path(sys.executable).with_name("celery")
STALL_SECONDS = 2


def database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}{port}/{db['NAME']}"


@contextmanager
def worker_process(name: str, export_root: Path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url(),
        "TEST_REDIS_URL": os.environ["REDIS_URL"],
        "SANDBOX_TEST_PORT": str(django_settings.SANDBOX_TEST_PORT),
        "EXPORT_ROOT": str(export_root),
        "EXPORT_STALL_SECONDS": str(STALL_SECONDS),
        # The killed worker's single-flight locks (billing_bff.caching) outlive it by
        # these timeouts (+5 s): short ones let the second worker load sooner.
        "PAYEX_CONNECT_TIMEOUT": "1",
        "PAYEX_READ_TIMEOUT": "2",
    }
    with tempfile.TemporaryFile(prefix="worker-") as log:
        process = subprocess.Popen(
            [
                str(CELERY),
                "-A",
                "config",
                "worker",
                "-Q",
                "default,refresh,export",
                "--concurrency",
                "1",
                "-P",
                "prefork",
                "-n",
                f"{name}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-l",
                "info",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: killed whole, children too
        )
        try:
            yield process
        finally:
            if process.poll() is None:
                process.terminate()  # a warm shutdown of the main process
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=5)
            log.seek(0)
            output = log.read().decode(errors="replace")
            sys.stderr.write(f"--- worker {name} ---\n{output[-3000:]}\n")  # shown on failure


@pytest.mark.django_db(transaction=True)
def test_an_export_whose_worker_was_killed_is_finished_by_another_with_nothing_lost(
    api, owner_of, big_customer, sandbox, settings, tmp_path
):
    settings.EXPORT_ROOT = tmp_path / "exports"
    settings.EXPORT_STALL_SECONDS = STALL_SECONDS
    # Slow enough upstream that the export is caught halfway.
    sandbox.faults(latencyMs=40)
    client = api(owner_of(big_customer))
    customer_no = big_customer["customerNo"]

    with worker_process("first", settings.EXPORT_ROOT) as first:
        body = start(client, customer_no)
        running = wait_for(
            lambda: Export.objects.filter(
                pk=body["id"], status="running", percent__gte=10
            ).exists(),
            timeout=30,
        )
        assert running, "the first worker never started the export"
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=5)
    killed = Export.objects.get(pk=body["id"])
    assert (killed.status, killed.attempt) == ("running", 1)
    assert 10 <= killed.percent < 100
    killed_at = timezone.now()
    sandbox.faults(latencyMs=0)

    with worker_process("second", settings.EXPORT_ROOT):
        # Within the stall window the export counts as alive: nothing is re-queued.
        assert exports.exports_recover()["requeued"] == 0
        time.sleep(max(0, STALL_SECONDS + 0.2 - (timezone.now() - killed_at).total_seconds()))
        # The beat's next run (every EXPORT_RECOVER_INTERVAL) takes it over.
        assert exports.exports_recover()["requeued"] == 1
        assert Export.objects.get(pk=body["id"]).attempt == 2
        assert wait_for(
            lambda: Export.objects.get(pk=body["id"]).status in ("done", "failed"), timeout=40
        )

    export = Export.objects.get(pk=body["id"])
    assert (export.status, export.attempt, export.failure_reason) == ("done", 2, "")
    status = client.get(body["statusUrl"]).json()
    rows = downloaded_rows(client.get(status["downloadUrl"]))
    expected = expected_counts(client, sandbox, customer_no)
    assert export.rows == len(rows) == sum(expected.values()) > 0
    # No temporary file of the killed run is left in the export root beside the file.
    assert [p.name for p in settings.EXPORT_ROOT.iterdir() if not p.name.startswith(".")] == [
        f"{export.id}{Path(export.file_name).suffix}"
    ]
