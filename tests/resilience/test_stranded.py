"""Background work is never stranded: over the real Redis broker and the suite's database.

- An export requested while the broker is down is answered 202 and sent later.
- An export whose worker died (no heartbeat for EXPORT_STALL_SECONDS) is queued again as
  its next attempt by the recovery (beat, every EXPORT_RECOVER_INTERVAL): picked up
  within EXPORT_STALL_SECONDS + EXPORT_RECOVER_INTERVAL; after EXPORT_MAX_ATTEMPTS it is
  failed with `worker-lost`. A late message of an older attempt does nothing.
- A refresh whose worker died is taken over REFRESH_TASK_TIME_LIMIT +
  REFRESH_STALE_MARGIN after it started.

No worker runs here unless a test starts one: the messages stay in the broker, where the
tests read them.
"""

import base64
import json
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from kombu.exceptions import OperationalError

from billing_bff import refresh
from billing_bff.redis import get_redis
from config.celery import app
from exports import services as exports
from exports.models import Export
from exports.tasks import export_customer_usage, recover_exports
from overview.tasks import refresh_customer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def export_root(settings, tmp_path):
    settings.EXPORT_ROOT = tmp_path / "exports"
    return settings.EXPORT_ROOT


@pytest.fixture
def broker_down(monkeypatch):
    """Every send to the broker fails as kombu fails when Redis refuses connections."""

    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(app, "send_task", refuse)
    return monkeypatch


def exports_url(customer_no: str) -> str:
    return f"/api/v1/customers/{customer_no}/exports"


def sent_messages(queue: str = "export") -> list[dict]:
    """The tasks waiting in a queue of the real broker: (name, args) of each."""
    messages = []
    for raw in get_redis().lrange(queue, 0, -1):
        message = json.loads(raw)
        body = message["body"]
        args = json.loads(base64.b64decode(body))[0]
        messages.append({"task": message["headers"]["task"], "args": args})
    return messages


def age(export: Export, seconds: float) -> None:
    """Move the export's clock back: created, sent and last heard of `seconds` ago."""
    then = timezone.now() - timedelta(seconds=seconds)
    fields = {"created_at": then, "sent_at": then}
    if export.status == Export.Status.RUNNING:
        fields["heartbeat_at"] = then
    Export.objects.filter(pk=export.pk).update(**fields)


def test_an_export_asked_for_while_the_broker_is_down_is_accepted_and_sent_later(
    api, owner_of, small_customer, broker_down, django_capture_on_commit_callbacks
):
    client = api(owner_of(small_customer))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(exports_url(small_customer["customerNo"]))
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "queued"
    export = Export.objects.get(pk=body["id"])
    assert export.sent_at is None
    assert sent_messages() == []
    # Still down at the next recovery: nothing lost, nothing raised.
    age(export, 60)
    Export.objects.filter(pk=export.pk).update(sent_at=None)
    assert exports.exports_recover()["sent"] == 0

    broker_down.undo()  # the broker is back
    assert exports.exports_recover() == {"sent": 1, "requeued": 0, "failed": 0}
    assert sent_messages() == [{"task": exports.EXPORT_TASK, "args": [body["id"], 1]}]
    assert Export.objects.get(pk=export.pk).sent_at is not None
    assert exports.exports_recover()["sent"] == 0  # sent once

    # The message the recovery sent runs the export to the end.
    assert exports.export_run(export_id=body["id"], attempt=1).status == "done"


def test_a_committed_export_is_sent_at_once_when_the_broker_is_up(
    api, owner_of, small_customer, django_capture_on_commit_callbacks
):
    client = api(owner_of(small_customer))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        body = client.post(exports_url(small_customer["customerNo"])).json()
    assert len(callbacks) == 1
    assert sent_messages() == [{"task": exports.EXPORT_TASK, "args": [body["id"], 1]}]
    assert Export.objects.get(pk=body["id"]).sent_at is not None


def test_a_running_export_without_a_heartbeat_is_queued_again_as_its_next_attempt(
    api, owner_of, small_customer, settings
):
    settings.EXPORT_STALL_SECONDS = 120
    client = api(owner_of(small_customer))
    body = client.post(exports_url(small_customer["customerNo"])).json()
    Export.objects.filter(pk=body["id"]).update(
        status="running", percent=40, sent_at=timezone.now()
    )
    export = Export.objects.get(pk=body["id"])
    age(export, 119)
    assert exports.exports_recover()["requeued"] == 0  # heard of within the window
    age(export, 121)
    assert exports.exports_recover() == {"sent": 0, "requeued": 1, "failed": 0}
    export.refresh_from_db()
    assert (export.status, export.attempt, export.percent) == ("queued", 2, 40)
    assert sent_messages() == [{"task": exports.EXPORT_TASK, "args": [body["id"], 2]}]

    # The dead attempt's message, redelivered late (acks_late), changes nothing.
    late = exports.export_run(export_id=body["id"], attempt=1)
    assert (late.status, late.attempt, late.heartbeat_at) == ("queued", 2, None)
    # Nor does the one-argument form of a message sent before attempts existed.
    assert export_customer_usage.apply(args=(body["id"],)).get() == "queued"
    assert exports.export_run(export_id=body["id"], attempt=2).status == "done"
    done = Export.objects.get(pk=body["id"])
    assert (done.status, done.attempt, done.percent) == ("done", 2, 100)
    assert exports.export_run(export_id=body["id"], attempt=2).finished_at == done.finished_at


def test_after_its_last_attempt_a_stalled_export_fails_with_a_reason_and_a_new_one_starts(
    api, owner_of, small_customer, settings
):
    settings.EXPORT_MAX_ATTEMPTS = 2
    client = api(owner_of(small_customer))
    customer_no = small_customer["customerNo"]
    body = client.post(exports_url(customer_no)).json()
    for attempt in (1, 2):
        # A worker takes it, then dies.
        Export.objects.filter(pk=body["id"]).update(status="running")
        age(Export.objects.get(pk=body["id"]), settings.EXPORT_STALL_SECONDS + 1)
        counts = recover_exports()  # the beat task's body
        assert counts["requeued" if attempt == 1 else "failed"] == 1
    status = client.get(body["statusUrl"]).json()
    assert (status["status"], status["failureReason"]) == ("failed", exports.WORKER_LOST)
    page = client.get("/exports/").content.decode()
    assert "please start a new export" in page or "starta en ny export" in page.lower()
    again = client.post(exports_url(customer_no))
    assert again.status_code == 202
    assert again.json()["id"] != body["id"] and again.json()["status"] == "queued"


def test_a_new_request_never_gets_a_stalled_export_as_the_one_in_flight(
    api, owner_of, small_customer, django_capture_on_commit_callbacks
):
    client = api(owner_of(small_customer))
    body = client.post(exports_url(small_customer["customerNo"])).json()
    Export.objects.filter(pk=body["id"]).update(status="running", percent=3)
    age(Export.objects.get(pk=body["id"]), 3600)
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(exports_url(small_customer["customerNo"])).json()
    # The same export, queued again as its next attempt and sent now: not left "running 3 %".
    assert (again["id"], again["status"], again["percent"]) == (body["id"], "queued", 3)
    assert Export.objects.get(pk=body["id"]).attempt == 2
    assert sent_messages()[-1] == {"task": exports.EXPORT_TASK, "args": [body["id"], 2]}


def test_heartbeats_are_written_while_an_export_runs(
    api, owner_of, small_customer, settings, monkeypatch
):
    settings.EXPORT_STALL_SECONDS = 0.2  # a beat due every 50 ms
    monkeypatch.setattr(exports, "PROGRESS_INTERVAL", 3600)  # no percent writes to ride on
    client = api(owner_of(small_customer))
    body = client.post(exports_url(small_customer["customerNo"])).json()
    beats = []
    real_loaded_set = exports._loaded_set

    def slow_set(access, part):
        time.sleep(0.06)
        beats.append(Export.objects.get(pk=body["id"]).heartbeat_at)
        return real_loaded_set(access, part)

    monkeypatch.setattr(exports, "_loaded_set", slow_set)
    assert exports.export_run(export_id=body["id"]).status == "done"
    assert len(beats) >= 3
    assert len(set(beats)) >= len(beats) - 1  # a fresh beat before (nearly) every set


# --- refresh ----------------------------------------------------------------------------
IDS = {"ledger_no": "501", "customer_no": "7200001"}


def test_a_refresh_whose_worker_died_is_taken_over_after_its_time_limit(settings):
    settings.REFRESH_TASK_TIME_LIMIT = 1
    settings.REFRESH_STALE_MARGIN = 0
    dead, _ = refresh.queue_refresh(**IDS, resource="all")
    # A worker took it, then was killed: status running, the lock held.
    assert refresh.refresh_started(**IDS, resource="all", task_id=dead)
    assert refresh.queue_refresh(**IDS, resource="all") == (dead, False)
    time.sleep(1.2)  # past the hard time limit: no live run can still hold it
    fresh, new = refresh.queue_refresh(**IDS, resource="all")
    assert new and fresh != dead
    assert refresh.refresh_status(**IDS, task_id=dead) == "failed"
    assert refresh.refresh_status(**IDS, task_id=fresh) == "queued"
    # The dead run's message redelivered (acks_late) does nothing, and keeps the lock.
    assert refresh_customer.apply(args=(*IDS.values(), "all"), task_id=dead).get() == 0
    assert refresh.refresh_status(**IDS, task_id=dead) == "failed"
    assert refresh.queue_refresh(**IDS, resource="all") == (fresh, False)


def test_a_running_refresh_within_its_time_limit_keeps_its_lock(settings):
    settings.REFRESH_TASK_EXPIRES = 0
    settings.REFRESH_STALE_MARGIN = 0
    settings.REFRESH_TASK_TIME_LIMIT = 30
    running, _ = refresh.queue_refresh(**IDS)
    time.sleep(0.2)  # past the queue expiry: started late, but it did start
    assert refresh.refresh_started(**IDS, resource="unbilled", task_id=running)
    time.sleep(0.2)
    assert refresh.queue_refresh(**IDS) == (running, False)
    assert refresh.refresh_status(**IDS, task_id=running) == "running"
