#!/usr/bin/env bash
# Make sure a Redis answers at REDIS_URL (default redis://127.0.0.1:6379/0).
# Uses it if it answers; else starts a local redis-server of our own; else installs
# redis-server with apt-get when we may; else stops with the exact command to run.
set -euo pipefail
REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
PY="${PYTHON:-.venv/bin/python}"

answers() {
  "$PY" - "$REDIS_URL" <<'PY' >/dev/null 2>&1
import sys, redis
redis.Redis.from_url(sys.argv[1], socket_connect_timeout=1).ping()
PY
}

if answers; then exit 0; fi

hostport=$("$PY" -c "import sys,urllib.parse as u; p=u.urlparse(sys.argv[1]); print(p.hostname or '127.0.0.1', p.port or 6379)" "$REDIS_URL")
host=${hostport% *}; port=${hostport#* }
case "$host" in 127.0.0.1|localhost|::1) ;; *)
  echo "Redis at $host:$port does not answer. Start it, or unset REDIS_URL to use a local one." >&2
  exit 1;;
esac

if ! command -v redis-server >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "redis-server is missing: installing it with apt-get" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server) >&2
  else
    echo "redis-server is missing. Install it with: sudo apt-get install -y redis-server" >&2
    exit 1
  fi
fi

mkdir -p var
echo "Starting a local redis-server on $host:$port" >&2
redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --save "" --appendonly no \
  --dir "$PWD/var" --logfile "$PWD/var/redis.log" --pidfile "$PWD/var/redis.pid"
for _ in $(seq 1 50); do answers && exit 0; sleep 0.1; done
echo "redis-server did not answer on $host:$port; see var/redis.log" >&2
exit 1
