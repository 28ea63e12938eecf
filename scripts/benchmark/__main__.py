"""`python -m scripts.benchmark`: the command line of the benchmark (see the package's docstring).

The package, by concern:

    common      paths, the sandbox's owner, output, timed requests and their statistics
    processes   the processes a run starts (sandbox, gunicorn), stopped at exit
    data        the two sets picked from the sandbox, the database, owners and logins
    wrk         the load generator: one window of wrk, its output parsed, its CPU
    throughput  goals 1, 2, 5: warm routes in alternating wrk windows
    goals       issue 12's targets, the validity of a window, the verdicts (pure)
    cold        goal 4 (cold first page against the upstream), cold concurrency
    memory      goal 3 (Redis bytes of a set); the web workers' memory from /proc
    pages       sequential warm pages of both sets, and the store alone in-process
    overview    the cold overview against one upstream call
    report      the machine, and the figures as printed
    run         one run: everything above in turn
    compare     two checkouts side by side (its own command; uses wrk the same way)
"""

from __future__ import annotations

import argparse
import json
import secrets
import signal
import sys
import tempfile
from pathlib import Path

from . import __doc__ as DESCRIPTION
from . import wrk
from .common import say
from .data import cleanup_redis
from .processes import Processes
from .report import report
from .run import run


def _interrupt(signum, frame) -> None:
    # SIGTERM ends the run as Ctrl-C does: through main's finally, which stops everything.
    raise KeyboardInterrupt()


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.benchmark",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--window-seconds", type=int, default=3, help="one wrk window, whole seconds"
    )
    parser.add_argument("--rounds", type=int, default=5, help="wrk windows per route")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections")
    parser.add_argument(
        "--cold-rounds", type=int, default=3, help="cold loads (and upstream fetches) of goal 4"
    )
    parser.add_argument(
        "--requests", type=int, default=100, help="requests per sequential timed series"
    )
    parser.add_argument("--concurrency", type=int, default=50, help="concurrent cold requests")
    parser.add_argument("--threads", type=int, default=8, help="gthread threads per worker")
    parser.add_argument(
        "--overview-rounds", type=int, default=20, help="cold overview and profile pairs"
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    if not 1 <= args.requests <= 10_000 or not 1 <= args.concurrency <= 500:
        parser.error("--requests must be 1..10000 and --concurrency 1..500")
    if args.window_seconds < 1 or args.rounds < 1 or args.cold_rounds < 1:
        parser.error("--window-seconds, --rounds and --cold-rounds must be at least 1")
    try:
        wrk.executable()  # before anything starts
    except SystemExit as exc:
        say(f"benchmark failed: {exc}", err=True)
        return 2

    signal.signal(signal.SIGTERM, _interrupt)
    state = {"prefix": f"bench-{secrets.token_hex(4)}", "django": False}
    with tempfile.TemporaryDirectory(prefix="bff-benchmark-") as tmp:
        work = Path(tmp)
        procs = Processes(work)
        try:
            results = run(args, procs, work, state)
        except KeyboardInterrupt:
            say("\ninterrupted: stopping what this run started", err=True)
            return 130
        except SystemExit as exc:
            say(f"benchmark failed: {exc}", err=True)
            for name, _ in procs.started:
                say(f"--- {name} log (tail) ---\n{procs.log_tail(name)}", err=True)
            return 1
        finally:
            procs.stop_all()
            if state["django"]:
                removed = cleanup_redis(state["prefix"])
                say(f"removed {removed} Redis keys under {state['prefix']}:*", err=True)
    report(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
