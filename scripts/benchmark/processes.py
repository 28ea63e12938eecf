"""The processes a run starts (the sandbox and the BFF under gunicorn), and their ports."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from .common import HOST, OWNER_NO, ROOT, SANDBOX_TOKEN

START_TIMEOUT = 60.0


class Processes:
    """The processes this run started; all of them are stopped by stop_all()."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.started: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, args: list[str], env: dict, *, cwd: Path = ROOT) -> subprocess.Popen:
        log = (self.logs / f"{name}.log").open("wb")
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            args, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()  # the child holds its own descriptor
        self.started.append((name, process))
        return process

    def pid_of(self, name: str) -> int:
        return next(process.pid for started, process in self.started if started == name)

    def log_tail(self, name: str) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def stop_all(self) -> None:
        for _, process in reversed(self.started):
            if process.poll() is None:
                process.terminate()
        for _, process in reversed(self.started):
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def wait_until_ok(url: str, process: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{what} exited with {process.returncode} before answering")
        try:
            if requests.get(url, timeout=5).ok:
                return
        except requests.RequestException:  # not listening yet, or still loading
            pass
        time.sleep(0.1)
    raise SystemExit(f"{what} did not answer at {url} within {START_TIMEOUT:.0f}s")


def start_sandbox(procs: Processes) -> tuple[int, str]:
    """The sandbox, with the default world and no faults: its port and its URL."""
    sandbox_port = free_port()
    sandbox_env = {k: v for k, v in os.environ.items() if not k.startswith("SANDBOX_")}
    sandbox_env.pop("DJANGO_SETTINGS_MODULE", None)
    sandbox_env.update(
        SANDBOX_PORT=str(sandbox_port),
        SANDBOX_OWNER_NO=OWNER_NO,
        SANDBOX_TOKEN=SANDBOX_TOKEN,
        SANDBOX_LATENCY_MS="0",
        SANDBOX_JITTER_MS="0",
        SANDBOX_ERROR_RATE="0",
        SANDBOX_HANG_RATE="0",
        SANDBOX_MALFORMED_RATE="0",
    )
    sandbox_url = f"http://{HOST}:{sandbox_port}"
    sandbox = procs.start("sandbox", [sys.executable, "-m", "sandbox"], sandbox_env)
    wait_until_ok(f"{sandbox_url}/_sandbox/customers", sandbox, "the sandbox")
    return sandbox_port, sandbox_url


def start_bff(procs: Processes, env: dict, port: int, threads: int) -> subprocess.Popen:
    """The BFF under gunicorn (2 gthread workers, SO_REUSEPORT) on `port`, once it answers
    /healthz."""
    server = procs.start(
        "gunicorn",
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            "2",
            "--worker-class",
            "gthread",
            "--threads",
            str(threads),
            "--timeout",
            "60",
            "--graceful-timeout",
            "5",
            "--log-level",
            "warning",
            "--no-control-socket",
            # Each worker its own listening socket: the kernel spreads connections over
            # the workers, instead of whichever worker wakes first taking them all.
            "--reuse-port",
        ],
        env,
    )
    wait_until_ok(f"http://{HOST}:{port}/healthz", server, "the BFF under gunicorn")
    return server
