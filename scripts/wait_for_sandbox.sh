#!/usr/bin/env bash
# Wait until the sandbox answers on SANDBOX_PORT (default 8001), at most 60 seconds.
set -euo pipefail
url="http://127.0.0.1:${SANDBOX_PORT:-8001}/_sandbox/customers"
for _ in $(seq 1 600); do
  if curl -fsS -o /dev/null "$url" 2>/dev/null; then exit 0; fi
  sleep 0.1
done
echo "The sandbox did not answer at $url within 60 s" >&2
exit 1
