"""The sandbox's environment: every SANDBOX_* variable, read once and validated.

Names are fixed because the Makefile, the test fixture and the benchmarks set them.
A bad value stops the process at start-up with a message naming the variable.
"""

import os
from dataclasses import dataclass, field
from functools import lru_cache


class ConfigError(ValueError):
    pass


def _int(name: str, default: int, *, low: int, high: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not an integer") from None
    if not low <= value <= high:
        raise ConfigError(f"{name}={value} is outside {low}..{high}")
    return value


def _rate(name: str) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return 0.0
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a number") from None
    if not 0.0 <= value <= 1.0:
        raise ConfigError(f"{name}={value} is outside 0..1")
    return value


def _bool(name: str) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if raw in ("", "0", "false", "no", "off"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    raise ConfigError(f"{name}={raw!r} is not a boolean (true/false)")


def _str(name: str, default: str) -> str:
    return os.environ.get(name, "").strip() or default


@dataclass(frozen=True)
class Config:
    port: int
    seed: str
    customers: int
    owner_no: str
    token: str
    hang_seconds: float
    # The fault settings the process starts with; /_sandbox/faults/reset returns here.
    faults: dict = field(hash=False)


def load() -> Config:
    """Read the environment now (tests call this; the server uses `get`)."""
    return Config(
        port=_int("SANDBOX_PORT", 8001, low=1, high=65535),
        seed=_str("SANDBOX_SEED", "payex"),
        customers=_int("SANDBOX_CUSTOMERS", 200, low=2, high=99_999),
        owner_no=_str("SANDBOX_OWNER_NO", "501"),
        token=_str("SANDBOX_TOKEN", "sandbox-501"),
        hang_seconds=float(_int("SANDBOX_HANG_SECONDS", 30, low=0, high=3600)),
        faults={
            "latencyMs": _int("SANDBOX_LATENCY_MS", 0, low=0, high=600_000),
            "jitterMs": _int("SANDBOX_JITTER_MS", 0, low=0, high=600_000),
            "errorRate": _rate("SANDBOX_ERROR_RATE"),
            "errorStatus": _int("SANDBOX_ERROR_STATUS", 503, low=500, high=599),
            "hangRate": _rate("SANDBOX_HANG_RATE"),
            "malformedRate": _rate("SANDBOX_MALFORMED_RATE"),
            "tokenExpired": _bool("SANDBOX_TOKEN_EXPIRED"),
        },
    )


@lru_cache(maxsize=1)
def get() -> Config:
    return load()
