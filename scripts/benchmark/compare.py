"""Two checkouts side by side: the same warm routes, driven by wrk, in alternating windows.

    .venv/bin/python -m scripts.benchmark.compare --base 9b11e85 [--seconds 5 --rounds 4]

Checks out `--base` into a temporary git worktree (sharing this checkout's .venv), starts
one sandbox, and two BFFs under the same gunicorn (2 gthread workers x 8 threads,
config.settings.local, DEBUG=false): the base and this working tree, each with its own
throwaway SQLite database and Redis key prefix. Each gets one owner of the same sandbox
customer, logged in through the API. After a warm-up, wrk (Debian's `wrk`, a compiled load
generator) drives each route on each server in turn, `--rounds` times, windows of
`--seconds`: the two servers meet the same machine noise, and only their ratio is reported.
wrk's own CPU time is measured per window (scripts.benchmark.wrk), so a saturated client shows.

Redis: REDIS_URL (default redis://127.0.0.1:6379/0); every key is under a prefix of the
run's own, deleted at exit.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import subprocess
import tempfile
from pathlib import Path

import redis
import requests

from . import wrk
from .common import HOST, OWNER_NO, ROOT, SANDBOX_TOKEN, say
from .processes import Processes, free_port, start_sandbox, wait_until_ok

ROUTES = {
    "overview": "/api/v1/customers/{no}/overview",
    "me": "/api/v1/me",
    "profile": "/api/v1/customers/{no}",
}
SEED = """
from django.conf import settings
from django.contrib.auth import get_user_model
from billing_bff.models import CustomerLink
user = get_user_model().objects.create_user("bench", password="bench-password-1")
CustomerLink.objects.create(user=user, ledger_no=settings.PAYEX_OWNER_NO,
    customer_no="{no}", role="owner", display_name="Bench")
"""


def run_wrk(url: str, token: str, seconds: float, connections: int) -> tuple[float, float]:
    """(requests per second, wrk's CPU seconds) of one window (scripts.benchmark.wrk)."""
    window = wrk.window(
        url,
        headers={"Authorization": f"Bearer {token}"},
        seconds=int(seconds),
        connections=connections,
    )
    if window.non_2xx or window.socket_errors:
        raise SystemExit(
            f"{url}: {window.non_2xx} answers were not 2xx, {window.socket_errors} socket errors"
        )
    return window.rps, window.cpu_seconds


def start(procs: Processes, name: str, tree: Path, sandbox_url: str, customer_no: str, prefix: str):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DEBUG="false",
        DATABASE_URL=f"sqlite:///{procs.logs}/{name}.sqlite3",
        PAYEX_BASE_URL=sandbox_url,
        PAYEX_OWNER_NO=OWNER_NO,
        PAYEX_TOKEN=SANDBOX_TOKEN,
        CACHE_KEY_PREFIX=f"{prefix}-{name}",
        REDIS_URL=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        PYTHONPATH=str(tree),
    )
    python = str(ROOT / ".venv" / "bin" / "python")
    manage = [python, str(tree / "manage.py")]
    subprocess.run([*manage, "migrate", "-v", "0"], env=env, cwd=tree, check=True)  # noqa: S603
    subprocess.run(  # noqa: S603
        [*manage, "shell", "-c", SEED.replace("{no}", customer_no)], env=env, cwd=tree, check=True
    )
    server = procs.start(
        f"gunicorn-{name}",
        [python, "-m", "gunicorn", "config.wsgi:application", "--bind", f"{HOST}:{port}",
         "--workers", "2", "--threads", "8", "--worker-class", "gthread", "--log-level", "warning",
         "--reuse-port"],
        env,
        cwd=tree,
    )  # fmt: skip
    base = f"http://{HOST}:{port}"
    wait_until_ok(f"{base}/healthz", server, f"the {name} BFF")
    login = requests.post(
        f"{base}/api/v1/auth/token",
        json={"username": "bench", "password": "bench-password-1"},
        timeout=10,
    )
    login.raise_for_status()
    return base, login.json()["access"]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base", required=True, help="the git revision to compare with")
    parser.add_argument("--seconds", type=int, default=5, help="one wrk window, whole seconds")
    parser.add_argument("--rounds", type=int, default=4, help="windows per route and server")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections")
    parser.add_argument(
        "--routes", default=",".join(ROUTES), help="comma-separated: " + ", ".join(ROUTES)
    )
    args = parser.parse_args()
    wrk.executable()  # stops with what to install before anything starts
    prefix = f"bench-{secrets.token_hex(4)}"
    work = Path(tempfile.mkdtemp(prefix="bff-compare-"))
    base_tree = work / "base"
    _git("worktree", "add", "-q", "--detach", str(base_tree), args.base)
    (base_tree / ".venv").symlink_to(ROOT / ".venv")
    procs = Processes(work)
    try:
        _, sandbox_url = start_sandbox(procs)
        customers = requests.get(f"{sandbox_url}/_sandbox/customers", timeout=10).json()
        customer_no = next(c["customerNo"] for c in customers if c["legalEntity"] == "consumer")
        servers = {
            "base": start(procs, "base", base_tree, sandbox_url, customer_no, prefix),
            "this": start(procs, "this", ROOT, sandbox_url, customer_no, prefix),
        }
        routes = [r.strip() for r in args.routes.split(",") if r.strip()]
        for base, token in servers.values():  # warm: caches, connections, imports
            for route in routes:
                url = base + ROUTES[route].format(no=customer_no)
                for _ in range(20):
                    requests.get(
                        url, headers={"Authorization": f"Bearer {token}"}, timeout=30
                    ).raise_for_status()
        results: dict = {route: {name: [] for name in servers} for route in routes}
        for _ in range(args.rounds):
            for route in routes:
                for name, (base, token) in servers.items():
                    url = base + ROUTES[route].format(no=customer_no)
                    results[route][name].append(run_wrk(url, token, args.seconds, args.connections))
        say(
            f"base {args.base} vs this working tree; wrk -t2 -c{args.connections}, "
            f"{args.rounds} alternating windows of {args.seconds:g} s per route and server"
        )
        say(f"{'route':10} {'base/s':>8} {'this/s':>8} {'this/base':>10} {'wrk CPU/s':>10}")
        report = {}
        for route in routes:
            base_rps = statistics.median(r for r, _ in results[route]["base"])
            this_rps = statistics.median(r for r, _ in results[route]["this"])
            cpu = max(c for name in servers for _, c in results[route][name]) / args.seconds
            ratio = this_rps / base_rps
            report[route] = {"base": base_rps, "this": this_rps, "ratio": ratio, "wrk_cpu": cpu}
            say(f"{route:10} {base_rps:8.0f} {this_rps:8.0f} {ratio:10.2f} {cpu:10.2f}")
        say(json.dumps(report))
    finally:
        procs.stop_all()
        _git("worktree", "remove", "--force", str(base_tree))
        r = redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
        keys = list(r.scan_iter(f"{prefix}*"))
        if keys:
            r.delete(*keys)


def _git(*args: str) -> None:
    subprocess.run(["git", *args], cwd=ROOT, check=True)  # noqa: S603, S607 - git, our arguments


if __name__ == "__main__":
    main()
