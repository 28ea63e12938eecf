"""`python -m sandbox`: serve the sandbox in the foreground with gunicorn.

One worker process, so that writes, fault settings and stats are shared by every
request; many threads (gthread), so that slow or hanging requests do not starve the rest.
"""

import sys

from gunicorn.app.base import BaseApplication

from . import config

THREADS = 32


class SandboxServer(BaseApplication):
    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from .wsgi import application

        return application


def _ready(cfg: config.Config):
    def when_ready(server):
        sys.stderr.write(
            f"PayEx Billing sandbox on http://127.0.0.1:{cfg.port} "
            f"(owner {cfg.owner_no}, token {cfg.token}, seed {cfg.seed!r}, "
            f"{cfg.customers} customers)\n"
        )
        sys.stderr.flush()

    return when_ready


def main() -> None:
    try:
        cfg = config.get()
    except config.ConfigError as error:
        sys.exit(f"sandbox: {error}")
    SandboxServer(
        {
            "bind": f"127.0.0.1:{cfg.port}",
            "workers": 1,
            "worker_class": "gthread",
            "threads": THREADS,
            "accesslog": None,
            "errorlog": "-",
            "loglevel": "warning",
            # A hang fault holds a thread for SANDBOX_HANG_SECONDS; shutting down should
            # not wait for it.
            "graceful_timeout": 2,
            "timeout": 120,
            "keepalive": 5,
            "proc_name": "payex-sandbox",
            # Several sandboxes (dev, tests) may run at once; none needs gunicorn's
            # control socket, and a shared default path would collide.
            "control_socket_disable": True,
            "when_ready": _ready(cfg),
        }
    ).run()


if __name__ == "__main__":
    main()
