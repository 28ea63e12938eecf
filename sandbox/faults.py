"""Fault injection for /billing/ routes: latency, server errors, hangs, malformed bodies,
expired tokens. Settings start from the SANDBOX_* environment and change at run time
through /_sandbox/faults; every request reads one consistent snapshot.
"""

import random
import threading
import time

from django.http import HttpResponse

from . import config
from .problems import Problem

# key: (check, what a valid value is)
_RULES = {
    "latencyMs": (lambda v: _is_int(v) and 0 <= v <= 600_000, "an integer 0..600000"),
    "jitterMs": (lambda v: _is_int(v) and 0 <= v <= 600_000, "an integer 0..600000"),
    "errorRate": (lambda v: _is_number(v) and 0 <= v <= 1, "a number 0..1"),
    "errorStatus": (lambda v: _is_int(v) and 500 <= v <= 599, "an integer 500..599"),
    "hangRate": (lambda v: _is_number(v) and 0 <= v <= 1, "a number 0..1"),
    "malformedRate": (lambda v: _is_number(v) and 0 <= v <= 1, "a number 0..1"),
    "tokenExpired": (lambda v: isinstance(v, bool), "true or false"),
}


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class Faults:
    def __init__(self, defaults: dict):
        self._defaults = dict(defaults)
        self._current = dict(defaults)
        self._lock = threading.Lock()

    def snapshot(self) -> dict:
        with self._lock:
            return dict(self._current)

    def update(self, changes) -> dict:
        """Apply `changes` (only the keys it names), all or nothing."""
        if not isinstance(changes, dict):
            problems = [{"body": "Not an object"}]
            raise Problem("validation", "The body must be a JSON object.", problems)
        problems = []
        for key, value in changes.items():
            rule = _RULES.get(key)
            if rule is None:
                problems.append({key: f"Unknown fault setting; known: {', '.join(_RULES)}"})
            elif not rule[0](value):
                problems.append({key: f"Must be {rule[1]}"})
        if problems:
            raise Problem("validation", "Some fault settings are invalid.", problems)
        with self._lock:
            for key, value in changes.items():
                self._current[key] = float(value) if key.endswith("Rate") else value
            return dict(self._current)

    def reset(self) -> dict:
        with self._lock:
            self._current = dict(self._defaults)
            return dict(self._current)


_faults: Faults | None = None
_faults_lock = threading.Lock()


def get_faults() -> Faults:
    global _faults
    with _faults_lock:
        if _faults is None:
            _faults = Faults(config.get().faults)
        return _faults


def delay(settings: dict) -> None:
    milliseconds = settings["latencyMs"] + random.uniform(0, settings["jitterMs"])
    if milliseconds > 0:
        time.sleep(milliseconds / 1000)


def chance(rate: float) -> bool:
    return rate > 0 and random.random() < rate


def injected_error(settings: dict) -> Problem:
    status = settings["errorStatus"]
    code = {500: "internal-error"}.get(status, "service-unavailable")
    return Problem(code, f"Injected by the sandbox (errorRate={settings['errorRate']}).")


def hang() -> None:
    time.sleep(config.get().hang_seconds)


def malformed(response: HttpResponse) -> HttpResponse:
    """A 200 whose body is cut in half, so it never parses as JSON."""
    body = bytes(response.content)
    cut = body[: len(body) // 2] if len(body) > 2 else b'{"'
    return HttpResponse(cut, status=200, content_type="application/json")
