"""The embedded default database (SQLite, `make run`) holds concurrent writers.

A threaded web server and Celery workers write at the same time: export requests, each
with its audit entry, from several threads at once must all succeed. On PostgreSQL
(CI's DATABASE_URL) there is nothing of SQLite's to prove, so these tests skip there.
"""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from django.test import Client

from billing_bff.models import AuditLog
from exports.models import Export
from tests.access.actors import link, make_user

CUSTOMER = "7100001"
THREADS = 8
REQUESTS_PER_THREAD = 5

on_sqlite = pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="about the embedded SQLite default; the suite runs on another database",
)


@pytest.fixture(autouse=True)
def export_root(settings, tmp_path):
    settings.EXPORT_ROOT = tmp_path / "exports"


@on_sqlite
@pytest.mark.django_db
def test_every_connection_runs_in_wal_mode_and_waits_for_the_lock():
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] >= 10_000
    assert connection.transaction_mode == "IMMEDIATE"


@on_sqlite
@pytest.mark.django_db(transaction=True)
def test_concurrent_export_requests_and_their_audit_entries_all_succeed():
    clients = []
    for n in range(THREADS):
        user = make_user(f"owner{n}")
        link(user, CUSTOMER, "owner")
        client = Client()
        client.force_login(user)
        clients.append(client)

    def post_exports(client: Client) -> list[int]:
        try:
            return [
                client.post(f"/api/v1/customers/{CUSTOMER}/exports").status_code
                for _ in range(REQUESTS_PER_THREAD)
            ]
        finally:
            connections.close_all()  # this thread's own connection

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        statuses = [code for codes in pool.map(post_exports, clients) for code in codes]

    assert statuses == [202] * THREADS * REQUESTS_PER_THREAD
    assert AuditLog.objects.filter(action="customer.export").count() == len(statuses)
    # The requests were serialised, not just retried: one export, however many asked.
    assert Export.objects.filter(customer_no=CUSTOMER).count() == 1
