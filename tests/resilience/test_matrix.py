"""Every cell of docs/resilience.md, proved against real processes (tests.fixtures.stack).

For each row: sign in while all is well, apply the fault, sweep every capability (as
anna: the API with a JWT, the site with a session and its CSRF token), check each answer
against the row's cell, check the web log holds no traceback and no 500, clear the
fault, and sweep again until every capability is normal, with no restart.
"""

from __future__ import annotations

import re
import subprocess
import time
import uuid
from dataclasses import dataclass

import pytest
import requests

from tests.fixtures.stack import ROOT, VENV_BIN, wait_until

from .conftest import CYCLES, HOLD_SECONDS
from .matrix import CAPABILITIES, ROW_BY_KEY, Row

pytestmark = pytest.mark.timeout(300)

USER, PASSWORD = "anna", "mypages-demo"
CUSTOMER = "3996668"
API = f"/api/v1/customers/{CUSTOMER}"
RECOVERY_SECONDS = 25.0


@dataclass
class Answer:
    label: str
    status: int
    content_type: str
    retry_after: str | None
    body: object

    @classmethod
    def of(cls, label: str, response: requests.Response, status: int | None = None):
        content_type = response.headers.get("Content-Type", "")
        body = None
        if "json" in content_type:
            try:
                body = response.json()
            except ValueError:
                body = response.text[:200]
        return cls(
            label,
            status if status is not None else response.status_code,
            content_type,
            response.headers.get("Retry-After"),
            body,
        )

    def __str__(self):
        return f"{self.label}: {self.status}"


class User:
    """anna, signed in on the API (a JWT) and on the site (a session)."""

    def __init__(self, stack):
        self.stack = stack
        self.url = stack.url
        self.token = None
        self.site = None
        self.subscription = None

    def sign_in(self) -> None:
        response = requests.post(
            f"{self.url}/api/v1/auth/token",
            json={"username": USER, "password": PASSWORD},
            timeout=10,
        )
        assert response.status_code == 200, response.text
        self.token = response.json()["access"]
        self.site = site_session()
        assert self.site_login(self.site) == 200
        self.site.post(
            f"{self.url}/customer/",
            data={"customer_no": CUSTOMER, "csrfmiddlewaretoken": self.site.cookies["csrftoken"]},
            headers={"Referer": f"{self.url}/"},
            timeout=10,
        )
        subscriptions = self.get(f"{API}/subscriptions").json()["results"]
        self.subscription = subscriptions[0]["subscriptionNo"]

    def site_login(self, session: requests.Session) -> int:
        """200 when /login/ signs in (its redirect home), else the status it answered."""
        page = session.get(f"{self.url}/login/", timeout=10)
        if page.status_code != 200:
            return page.status_code
        token = session.cookies.get("csrftoken") or _form_token(page.text)
        response = session.post(
            f"{self.url}/login/",
            data={"username": USER, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{self.url}/login/"},
            allow_redirects=False,
            timeout=15,
        )
        if response.status_code == 302 and "/login/" not in response.headers.get("Location", ""):
            return 200
        return response.status_code if response.status_code != 302 else 401

    @property
    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.token}"}

    def get(self, path: str, **kwargs) -> requests.Response:
        return requests.get(f"{self.url}{path}", headers=self.headers, timeout=15, **kwargs)

    def send(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = {**self.headers, "Idempotency-Key": uuid.uuid4().hex}
        return requests.request(method, f"{self.url}{path}", headers=headers, timeout=15, **kwargs)

    # --- the capabilities: each returns the answers the user got ---

    def login(self) -> list[Answer]:
        api = requests.post(
            f"{self.url}/api/v1/auth/token",
            json={"username": USER, "password": PASSWORD},
            timeout=15,
        )
        fresh = site_session()
        site_status = self.site_login(fresh)
        return [Answer.of("api token", api), Answer("site /login/", site_status, "", None, None)]

    def overview(self) -> list[Answer]:
        page = self.site.get(f"{self.url}/", timeout=15, allow_redirects=False)
        return [Answer.of("api overview", self.get(f"{API}/overview")), Answer.of("site /", page)]

    def profile_read(self) -> list[Answer]:
        return [Answer.of("api profile", self.get(API))]

    def profile_write(self) -> list[Answer]:
        email = f"anna.{uuid.uuid4().hex[:8]}@example.com"
        answer = Answer.of(
            "api profile PATCH", self.send("PATCH", API, json={"emailAddress": email})
        )
        answer.written = email
        return [answer]

    def invoices(self) -> list[Answer]:
        return [Answer.of("api invoices", self.get(f"{API}/invoices"))]

    def usage(self) -> list[Answer]:
        return [
            Answer.of("api usage", self.get(f"{API}/usage")),
            Answer.of(
                "api usage records", self.get(f"{API}/subscriptions/{self.subscription}/usage")
            ),
        ]

    def csv(self) -> list[Answer]:
        response = self.get(
            f"{API}/subscriptions/{self.subscription}/usage", params={"format": "csv"}
        )
        answer = Answer.of("api usage CSV", response)
        if response.status_code == 200 and "text/csv" not in answer.content_type:
            answer.status = -1  # a 200 that is not a CSV is not what the user asked for
        return [answer]

    def refresh(self) -> list[Answer]:
        return [Answer.of("api refresh", self.send("POST", f"{API}/refresh"))]

    def export(self) -> list[Answer]:
        answer = Answer.of("api export", self.send("POST", f"{API}/exports"))
        if answer.status == 202 and isinstance(answer.body, dict):
            status = self.get(f"{API}/exports/{answer.body['id']}")
            return [answer, Answer.of("api export status", status)]
        return [answer]

    def sweep(self) -> dict[str, list[Answer]]:
        return {name: getattr(self, name)() for name in CAPABILITIES}


def site_session() -> requests.Session:
    """A browser-like session that opens a connection per request: a kept-alive one that
    gunicorn closes while idle would race the next request (a client artefact, not a fault)."""
    session = requests.Session()
    session.headers["Connection"] = "close"
    return session


def _form_token(html: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    return found.group(1) if found else ""


def check(row: Row, answers: dict[str, list[Answer]], *, only=None) -> list[str]:
    """Every way the answers break the row's cells (empty when all hold)."""
    wrong = []
    for name, got in answers.items():
        if only is not None and name not in only:
            continue
        cell = row.cells[name]
        for answer in got:
            if answer.status == 500:
                wrong.append(f"{name}: {answer} (a 500)")
                continue
            allowed = cell.statuses
            if answer.label in ("api export status",):
                allowed = (200,)
            if answer.status not in allowed:
                wrong.append(f"{name}: {answer}, expected one of {allowed} ({cell.gets})")
                continue
            api = answer.label.startswith("api")
            if api and answer.status >= 400:
                if "application/problem+json" not in answer.content_type:
                    wrong.append(f"{name}: {answer} is not problem+json ({answer.content_type})")
                if answer.status == 503 and row.retry_after and not answer.retry_after:
                    wrong.append(f"{name}: {answer} has no Retry-After")
            if api and answer.status == 200 and cell.meta and isinstance(answer.body, dict):
                meta = answer.body.get("meta") or {}
                for key, value in cell.meta.items():
                    if meta.get(key) != value:
                        wrong.append(
                            f"{name}: {answer} meta.{key} is {meta.get(key)!r}, not {value!r}"
                        )
    return wrong


def statuses(answers: dict[str, list[Answer]]) -> str:
    return "; ".join(f"{n}=" + ",".join(str(a.status) for a in got) for n, got in answers.items())


def recover(user: User) -> None:
    """Sweep until every capability is normal again (no restart), or fail."""
    healthy = ROW_BY_KEY["healthy"]
    last = {}

    def normal() -> bool:
        nonlocal last
        last = user.sweep()
        return not check(healthy, last)

    assert wait_until(normal, timeout=RECOVERY_SECONDS, interval=0.5), (
        "not recovered without a restart: " + "; ".join(check(healthy, last))
    )


# Rows where PayEx fails: the copies they find in the cache must be stale ones.
STALE_ROWS = ("upstream", "token_expired", "breaker_open")


@pytest.fixture
def user(stack):
    stack.sandbox.reset_faults()
    wait_until(lambda: requests.get(f"{stack.url}/readyz", timeout=5).status_code == 200, 20)
    anna = User(stack)
    anna.sign_in()
    anna.sweep()  # warm the caches, as a user who was here a minute ago would have
    stack.mark_logs()
    yield anna
    stack.sandbox.reset_faults()


def run_row(stack, user: User, key: str, apply, clear) -> dict:
    row = ROW_BY_KEY[key]
    observed = {}
    for _ in range(CYCLES):
        if key.startswith(STALE_ROWS):
            time.sleep(1.2)  # past the one-second fresh windows: cached copies are stale now
        apply()
        try:
            observed = user.sweep()
            stack.observed[key] = statuses(observed)
            problems = check(row, observed)
            end = time.monotonic() + HOLD_SECONDS
            while not problems and time.monotonic() < end:
                problems = check(row, user.sweep())
        finally:
            clear()
        assert not problems, f"{row.fault}: " + "; ".join(problems)
        stack.assert_web_log_clean()
        recover(user)
        stack.assert_web_log_clean()
    return observed


# --- the rows ------------------------------------------------------------------------------


def test_healthy(stack, user):
    run_row(stack, user, "healthy", lambda: None, lambda: None)


def _wait_for_export(user: User, export_id: str, want: set[str], timeout: float) -> str:
    seen = {}

    def reached() -> bool:
        seen["status"] = user.get(f"{API}/exports/{export_id}").json()["status"]
        return seen["status"] in want

    wait_until(reached, timeout=timeout, interval=0.2)
    return seen.get("status", "")


def _exports_idle(user: User) -> bool:
    found = user.get(f"{API}/exports", params={"page_size": 100}).json()["results"]
    return all(e["status"] in ("done", "failed", "expired") for e in found)


def _kill_worker_mid_export(stack, user: User, holder: dict) -> None:
    # Earlier sweeps' exports first, so this one runs as soon as it is queued.
    wait_until(lambda: _exports_idle(user), timeout=30, interval=0.5)
    stack.sandbox.faults(latencyMs=300)  # an export long enough to be killed halfway
    answer = user.send("POST", f"{API}/exports")
    assert answer.status_code == 202, answer.text
    holder["id"] = answer.json()["id"]
    status = _wait_for_export(user, holder["id"], {"running", "done", "failed"}, 20)
    holder["before_kill"] = status
    stack.kill_worker()
    stack.sandbox.reset_faults()
    stack.start_worker()


def _export_status_sweep(user: User, holder: dict):
    """The worker row's export cell: the killed export's status, readable."""
    return [Answer.of("api export status", user.get(f"{API}/exports/{holder['id']}"))]


def test_worker_killed(stack, user):
    row = ROW_BY_KEY["worker_killed"]
    holder: dict = {}
    _kill_worker_mid_export(stack, user, holder)
    assert holder["before_kill"] == "running", (
        f"the export was {holder['before_kill']!r} when the worker was killed"
    )
    answers = user.sweep()
    answers["export"] = _export_status_sweep(user, holder)
    stack.observed["worker_killed"] = statuses(answers)
    problems = check(row, answers)
    assert not problems, "; ".join(problems)
    stack.assert_web_log_clean()
    recover(user)
    stack.assert_web_log_clean()
    stack.worker_killed_export = holder["id"]


def test_worker_killed_export_completes_after_recovery(stack, user):
    export_id = getattr(stack, "worker_killed_export", None)
    if export_id is None:
        holder: dict = {}
        _kill_worker_mid_export(stack, user, holder)
        if holder["before_kill"] != "running":
            pytest.skip(f"the export was {holder['before_kill']!r}, not running, when killed")
        export_id = holder["id"]
    time.sleep(float(stack.env()["EXPORT_STALL_SECONDS"]) + 1)
    _run_recovery(stack)
    assert _wait_for_export(user, export_id, {"done"}, 10) == "done"


def _run_recovery(stack) -> bool:
    """What beat does every EXPORT_RECOVER_INTERVAL (the stack runs no beat): the task.
    False, so a wait can call it between two looks."""
    subprocess.run(
        [str(VENV_BIN / "celery"), "-A", "config", "call", "usage.tasks.recover_exports"],
        cwd=ROOT,
        env=stack.env(),
        capture_output=True,
        timeout=30,
        check=True,
    )
    return False


def test_upstream_slow(stack, user):
    run_row(
        stack,
        user,
        "upstream_slow",
        lambda: stack.sandbox.faults(latencyMs=1000),
        stack.sandbox.reset_faults,
    )


def test_upstream_hanging(stack, user):
    run_row(
        stack,
        user,
        "upstream_hanging",
        lambda: stack.sandbox.faults(hangRate=1),
        stack.sandbox.reset_faults,
    )


def test_upstream_5xx(stack, user):
    run_row(
        stack,
        user,
        "upstream_5xx",
        lambda: stack.sandbox.faults(errorRate=1, errorStatus=503),
        stack.sandbox.reset_faults,
    )


def test_upstream_half_5xx(stack, user):
    run_row(
        stack,
        user,
        "upstream_half_5xx",
        lambda: stack.sandbox.faults(errorRate=0.5, errorStatus=503),
        stack.sandbox.reset_faults,
    )


def test_upstream_malformed(stack, user):
    run_row(
        stack,
        user,
        "upstream_malformed",
        lambda: stack.sandbox.faults(malformedRate=1),
        stack.sandbox.reset_faults,
    )


def test_token_expired(stack, user):
    run_row(
        stack,
        user,
        "token_expired",
        lambda: stack.sandbox.faults(tokenExpired=True),
        stack.sandbox.reset_faults,
    )


def _open_invoice_breaker(stack, user: User) -> None:
    """Fail Invoice API calls (invoices nobody read before) until its breaker opens."""
    stack.sandbox.faults(errorRate=1, errorStatus=503)
    try:

        def is_open() -> bool:
            for _ in range(3):
                user.get(f"{API}/invoices/{uuid.uuid4().int % 10**10:010d}")
            ready = requests.get(f"{stack.url}/readyz", timeout=5).json()
            return ready["breakers"]["invoice"] == "open"

        assert wait_until(is_open, timeout=15, interval=0), "the Invoice API's breaker never opened"
    finally:
        stack.sandbox.reset_faults()


def test_breaker_open(stack, user):
    run_row(stack, user, "breaker_open", lambda: _open_invoice_breaker(stack, user), lambda: None)


def test_redis_slow(stack, user):
    run_row(
        stack, user, "redis_slow", lambda: stack.redis.pause(1.5), lambda: stack.redis.unpause()
    )


def test_redis_down(stack, user):
    row = ROW_BY_KEY["redis_down"]
    for _ in range(CYCLES):
        stack.redis.stop()
        try:
            answers = user.sweep()
            stack.observed["redis_down"] = statuses(answers)
            problems = check(row, answers)
            end = time.monotonic() + HOLD_SECONDS
            while time.monotonic() < end:
                problems += check(row, user.sweep())
            ready = requests.get(f"{stack.url}/readyz", timeout=10)
            health = requests.get(f"{stack.url}/healthz", timeout=10)
            if ready.status_code != 503 or ready.json()["checks"]["redis"] == "ok":
                problems.append(f"/readyz answered {ready.status_code}: {ready.text[:200]}")
            if health.status_code != 200:
                problems.append(f"/healthz answered {health.status_code}")
        finally:
            stack.redis.start()
        assert not problems, f"{row.fault}: " + "; ".join(problems) + f" [{statuses(answers)}]"
        stack.assert_web_log_clean()
        recover(user)
        # What was accepted during the outage is not lost: a saved profile stays saved.
        for answer in answers["profile_write"]:
            if answer.status == 200:
                assert user.get(API).json()["emailAddress"] == answer.written
        stack.assert_web_log_clean()


def test_redis_down_export_is_sent_when_redis_is_back(stack, user):
    """Asked for without an Idempotency-Key while the broker is down: accepted (its row
    committed, its task unsent), then sent by the recovery once Redis is back.

    No export of the customer is in flight first, so the answer is the new one (an export
    a worker had taken when Redis went away is the worker row's case)."""
    # The Redis row before may have ended the worker (Celery's Redis transport): a
    # supervisor starts it again, then the recovery sends what waited.
    assert wait_until(
        lambda: stack.supervise_worker() or _exports_idle(user) or _run_recovery(stack),
        timeout=60,
        interval=3,
    )
    stack.redis.stop()
    try:
        answer = requests.post(f"{stack.url}{API}/exports", headers=user.headers, timeout=15)
    finally:
        stack.redis.start()
    assert answer.status_code == 202, answer.text
    recover(user)
    stack.supervise_worker()
    time.sleep(float(stack.env()["EXPORT_SEND_GRACE"]) + 0.5)
    _run_recovery(stack)
    assert _wait_for_export(user, answer.json()["id"], {"done"}, 20) == "done"


def test_beat_down(stack, user):
    stack.stop_beat()  # the stack runs no beat: this row is what users get without one
    run_row(stack, user, "beat_down", lambda: None, lambda: None)


def test_database_down(stack, user):
    if stack.db_proxy is None:
        pytest.skip(f"the database row needs PostgreSQL: {stack.postgres_missing}")
    row = ROW_BY_KEY["database_down"]
    for _ in range(CYCLES):
        stack.db_proxy.cut()
        try:
            answers = user.sweep()
            stack.observed["database_down"] = statuses(answers)
            problems = check(row, answers)
            health = requests.get(f"{stack.url}/healthz", timeout=10)
            if health.status_code != 200:
                problems.append(f"/healthz answered {health.status_code}")
            ready = requests.get(f"{stack.url}/readyz", timeout=10)
            if ready.status_code != 503:
                problems.append(f"/readyz answered {ready.status_code}")
        finally:
            stack.db_proxy.restore()
        assert not problems, f"{row.fault}: " + "; ".join(problems)
        stack.assert_web_log_clean()
        recover(user)
        stack.assert_web_log_clean()
