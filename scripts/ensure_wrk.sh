#!/usr/bin/env bash
# `make benchmark` drives the server with wrk (Debian's package `wrk`, a compiled load generator).
set -euo pipefail
if command -v wrk >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "wrk is missing: installing Debian's wrk with apt-get" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk) >&2
  exit 0
fi
echo "wrk is missing. Install it with: sudo apt-get install -y wrk" >&2
exit 1
