"""The resilience matrix as data: what the user gets from each capability under each fault.

One `Row` per dependency and fault, one `Cell` per capability. A cell names the statuses
the user may get (any of them passes; a 500 never does) and says, in a few words, what
the user gets. docs/resilience.md's table is generated from this module
(`python -m tests.resilience.matrix` prints it) and test_doc.py keeps the two equal.

Conventions every cell follows (checked by test_matrix.py, not repeated per cell):
  - an API answer that is not 2xx is `application/problem+json`;
  - a 503 carries `Retry-After`, unless the row says `retry_after=False`;
  - `meta` names keys the `meta` of a 200 JSON answer must hold (e.g. source upstream);
  - "login" is both the API token (POST /api/v1/auth/token) and the site's /login/ form
    (its redirect counts as 200); "overview" is both the API and the site's `/` page.
"""

from __future__ import annotations

from dataclasses import dataclass, field

CAPABILITIES = {
    "login": "Login",
    "overview": "Overview",
    "profile_read": "Profile read",
    "profile_write": "Profile write",
    "invoices": "Invoices",
    "usage": "Usage pages",
    "csv": "CSV",
    "refresh": "Refresh",
    "export": "Export",
}


@dataclass(frozen=True)
class Cell:
    statuses: tuple[int, ...]
    gets: str
    meta: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Row:
    key: str
    fault: str
    cells: dict[str, Cell]
    lost: str = "nothing"
    retry_after: bool = True


def _cell(statuses, gets, **meta) -> Cell:
    return Cell(tuple(statuses) if isinstance(statuses, tuple | list) else (statuses,), gets, meta)


NORMAL = {
    "login": _cell(200, "signed in"),
    "overview": _cell(200, "the overview"),
    "profile_read": _cell(200, "the profile"),
    "profile_write": _cell(200, "saved"),
    "invoices": _cell(200, "the invoice list"),
    "usage": _cell(200, "usage summary and records"),
    "csv": _cell(200, "the CSV file"),
    "refresh": _cell(202, "refresh queued"),
    "export": _cell(202, "export queued, then done"),
}

# Reads while PayEx fails: the cached copy marked stale, else a problem.
_STALE = "the cached copy; none cached: {problem}"


def _upstream_reads(problem: str, statuses: tuple[int, ...], *, stale: bool = True) -> dict:
    meta = {"stale": True} if stale else {}
    gets = _STALE.format(problem=problem)
    return {
        "overview": _cell((200, *statuses), "sections from cache; a failed section says so"),
        "profile_read": _cell((200, *statuses), gets, **meta),
        "invoices": _cell((200, *statuses), gets, **meta),
        "usage": _cell((200, *statuses), f"cached usage; none cached: {problem}"),
        "csv": _cell((200, *statuses), f"the CSV from cache; none cached: {problem}"),
    }


def _upstream_row(key, fault, problem, statuses, **extra) -> Row:
    return Row(
        key,
        fault,
        {
            "login": NORMAL["login"],
            **_upstream_reads(problem, statuses),
            "profile_write": _cell(statuses, f"{problem}: not saved, try again"),
            "refresh": _cell((202, 503), "refresh queued (it fails in the background) or 503"),
            "export": _cell(202, "export queued; it retries in the background"),
            **extra,
        },
    )


ROWS: list[Row] = [
    Row("healthy", "nothing wrong (the baseline every row recovers to)", dict(NORMAL)),
    Row(
        "redis_down",
        "Redis down (killed)",
        {
            "login": _cell(200, "signed in (per-process throttle, database sessions)"),
            "overview": _cell(200, "the overview, read from PayEx", source="upstream"),
            "profile_read": _cell(200, "the profile, read from PayEx", source="upstream"),
            "profile_write": _cell((200, 503), "saved, or 503 + Retry-After: nothing saved"),
            "invoices": _cell(200, "the invoices, read from PayEx", source="upstream"),
            "usage": _cell(200, "usage read from PayEx"),
            "csv": _cell(200, "the CSV, read from PayEx"),
            "refresh": _cell((202, 503), "503 + Retry-After, or queued"),
            "export": _cell(
                (202, 503),
                "with an Idempotency-Key, 503 + Retry-After: nothing asked; "
                "without one, accepted and sent to the worker when Redis is back",
            ),
        },
    ),
    Row(
        "redis_slow",
        "Redis slow (CLIENT PAUSE 1.5 s)",
        {
            **{
                name: _cell(c.statuses, f"{c.gets}, late by the pause")
                for name, c in NORMAL.items()
            },
            "profile_write": _cell((200, 503), "saved late, or 503: nothing saved"),
            "refresh": _cell((202, 503), "refresh queued late, or 503"),
        },
    ),
    Row(
        "worker_killed",
        "Celery worker SIGKILLed mid-export, a new one started",
        {
            **NORMAL,
            "export": _cell(200, "the export's status readable (queued/running/failed)"),
        },
        lost="nothing: the recovery re-runs the export as its next attempt",
    ),
    Row(
        "beat_down",
        "Celery beat not running",
        {
            **NORMAL,
            "usage": _cell(200, "usage, refreshed on demand (no background warming)"),
        },
    ),
    Row(
        "database_down",
        "PostgreSQL unreachable (connections cut, new ones refused)",
        {
            **{name: _cell(503, "503 problem, no traceback") for name in CAPABILITIES},
            # Who the user is and what they may see is kept in Redis (the principal),
            # as are the documents: reads of a warm customer need no database.
            **{
                name: _cell(200, f"{NORMAL[name].gets}, from the caches")
                for name in ("overview", "profile_read", "invoices", "usage", "csv")
            },
            "refresh": _cell(202, "refresh queued (no database row)"),
        },
        retry_after=False,
    ),
    Row(
        "upstream_slow",
        "PayEx slow (1 s per call, under the read timeout)",
        {name: _cell(c.statuses, f"{c.gets}, slower") for name, c in NORMAL.items()},
    ),
    _upstream_row(
        "upstream_hanging",
        "PayEx hangs (every call, past the read timeout)",
        "504 + Retry-After",
        (504, 503),
    ),
    _upstream_row("upstream_5xx", "PayEx answers 503 to every call", "503 + Retry-After", (503,)),
    Row(
        "upstream_half_5xx",
        "PayEx answers 503 to half the calls",
        {
            "login": NORMAL["login"],
            **_upstream_reads("503 + Retry-After", (503,), stale=False),
            "profile_write": _cell((200, 503), "saved, or 503: not saved (PATCH is not retried)"),
            "refresh": _cell((202, 503), "refresh queued"),
            "export": _cell(202, "export queued"),
        },
    ),
    _upstream_row(
        "upstream_malformed",
        "PayEx answers 200 with a body cut in half",
        "502 + Retry-After",
        (502, 503),
    ),
    _upstream_row(
        "token_expired",
        "PayEx refuses the BFF's token (401)",
        "503 + Retry-After, operators alarmed",
        (503,),
    ),
    Row(
        "breaker_open",
        "the Invoice API's breaker open, PayEx itself healthy",
        {
            **NORMAL,
            "overview": _cell(
                (200, 503), "the overview; the invoice section from cache or says so"
            ),
            "invoices": _cell((200, 503), _STALE.format(problem="503 + Retry-After")),
        },
    ),
]

ROW_BY_KEY = {row.key: row for row in ROWS}


def markdown_table() -> str:
    """The matrix as the Markdown table of docs/resilience.md."""
    header = "| fault | " + " | ".join(CAPABILITIES.values()) + " | lost |"
    rule = "|---" * (len(CAPABILITIES) + 2) + "|"
    lines = [header, rule]
    for row in ROWS:
        cells = []
        for name in CAPABILITIES:
            cell = row.cells[name]
            statuses = "/".join(str(s) for s in cell.statuses)
            meta = ", ".join(f"meta.{k}: {str(v).lower()}" for k, v in cell.meta.items())
            cells.append(f"**{statuses}** {cell.gets}" + (f" (a 200 has {meta})" if meta else ""))
        lines.append(f"| {row.fault} | " + " | ".join(cells) + f" | {row.lost} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    import sys

    sys.stdout.write(markdown_table())
