"""Which web worker holds each of wrk's connections, from /proc (Linux).

With 8 connections and 2 workers, the throughput of a window depends on how the
connections landed: a worker holding none leaves its core idle, and the window measures
one worker. Each window counts, once wrk has connected, the server-side sockets whose
peer is one of wrk's own sockets, by the worker that owns them.
"""

from __future__ import annotations

import os
from pathlib import Path


def _tcp_table() -> list[tuple[int, int, int]]:
    """(local port, remote port, inode) of every established TCP socket on the machine."""
    rows = []
    for name in ("tcp", "tcp6"):
        try:
            lines = Path(f"/proc/net/{name}").read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[3] != "01":  # ESTABLISHED
                continue
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            remote_port = int(fields[2].rsplit(":", 1)[1], 16)
            rows.append((local_port, remote_port, int(fields[9])))
    return rows


def socket_inodes(pid: int) -> set[int]:
    """The inodes of the sockets a process holds open."""
    found = set()
    try:
        entries = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return found
    for entry in entries:
        try:
            target = os.readlink(f"/proc/{pid}/fd/{entry}")
        except OSError:
            continue
        if target.startswith("socket:["):
            found.add(int(target[8:-1]))
    return found


def by_worker(client_pid: int, server_port: int, workers: list[int]) -> dict[int, int]:
    """How many of the client's connections to `server_port` each worker holds."""
    table = _tcp_table()
    client = socket_inodes(client_pid)
    client_ports = {
        local for local, remote, inode in table if inode in client and remote == server_port
    }
    served = {
        inode for local, remote, inode in table if local == server_port and remote in client_ports
    }
    return {pid: len(socket_inodes(pid) & served) for pid in workers}
