#!/usr/bin/env bash
# Seconds from `make run` in a fresh clone to the app's first HTTP 200 (issue 16's first start).
#
#   benchmarks/first_start.sh [--cold] [PORT]
#
# Clones this checkout into a temporary directory and runs `make run` there (an empty data dir, so
# the pack is ingested from the shipped vectors), polling http://127.0.0.1:PORT/ every 0.5 s.
# --cold: an empty pip cache and no local wheel directory or pip config (everything comes from
# the package index). Prints the total, the install (until .venv/.installed appears) and the time
# from the end of the install to the first 200; stops the app and removes the clone.
set -euo pipefail
cold=0
if [ "${1:-}" = "--cold" ]; then cold=1; shift; fi
port="${1:-7871}"
here="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'pkill -f "$work/clone/.venv/bin/" 2>/dev/null || true; rm -rf "$work"' EXIT
git clone -q "$here" "$work/clone"
cd "$work/clone"
start=$(date +%s.%N)
if [ "$cold" = 1 ]; then
  mkdir -p "$work/pip-cache"
  env -u PIP_FIND_LINKS PIP_CONFIG_FILE=/dev/null PIP_CACHE_DIR="$work/pip-cache" VISITCOACH_PORT="$port" \
    make run > "$work/run.log" 2>&1 &
else
  VISITCOACH_PORT="$port" make run > "$work/run.log" 2>&1 &
fi
installed=""
until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/" || true)" = "200" ]; do
  if [ -z "$installed" ] && [ -f .venv/.installed ]; then installed=$(date +%s.%N); fi
  if ! jobs %1 >/dev/null 2>&1; then echo "make run stopped; see its log:" >&2; tail -20 "$work/run.log" >&2; exit 1; fi
  sleep 0.5
done
served=$(date +%s.%N)
installed="${installed:-$start}"
python3 -c "import sys; s, i, e = map(float, sys.argv[1:]); print(f'total {e - s:.1f} s; install {i - s:.1f} s; served {e - i:.1f} s after the install')" "$start" "$installed" "$served"
