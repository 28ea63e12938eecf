"""`python -m scripts.benchmark`: the command line of the benchmark (see the package's docstring).

The package, by concern:

    common      paths, the sandbox's owner, output, timed requests and their statistics
    processes   the processes a run starts (sandbox, gunicorn), stopped at exit
    data        the two sets picked from the sandbox, the database, owners and logins
    pages       (1) and (2): warm pages of both sets, and the store alone in-process
    cold        (3) concurrent requests for a cold set, and the upstream calls they cost
    memory      (4) the web workers' memory, read and sampled from /proc
    overview    (5) and (6): the overview cold and warm
    report      the machine, and the figures as printed
    run         one run: everything above in turn
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
    parser.add_argument("--requests", type=int, default=200, help="requests per timed series")
    parser.add_argument("--concurrency", type=int, default=50, help="concurrent cold requests")
    parser.add_argument("--threads", type=int, default=8, help="gthread threads per worker")
    parser.add_argument(
        "--overview-rounds", type=int, default=20, help="cold overview and profile pairs"
    )
    parser.add_argument("--rps-clients", type=int, default=16, help="clients for (6)")
    parser.add_argument("--rps-seconds", type=float, default=5.0, help="one window of (6)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    if not 1 <= args.requests <= 10_000 or not 1 <= args.concurrency <= 500:
        parser.error("--requests must be 1..10000 and --concurrency 1..500")

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
