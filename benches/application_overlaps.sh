#!/usr/bin/env bash
# What the registry check adds to a submission, against the release binary, over HTTP:
# the same submissions (benches/application_overlaps.py: draft, proposal, then the timed
# POST /applications/{id}/submit) into an empty registry and into one seeded with
# BENCH_PROJECTS projects (100,000 by default) the way benches/registry.sh seeds it (the
# same generated IATI file, cached in $BENCH_DIR, imported with `trustfund import iati`).
# The check's own time inside each submission is read from the server's debug line
# ("application checked against the registry", micros=…), and its parts (the index's
# state, the candidate pool, fetching the candidates, their features, scoring, writing
# the flags) from the debug lines of the check and of `registry::search`.
#
# Usage: benches/application_overlaps.sh [sqlite|postgres]
#   BENCH_DIR           work folder (default /tmp/trustfund-bench, shared with registry.sh)
#   BENCH_PROJECTS      projects in the seeded registry (default 100000)
#   BENCH_APPLICATIONS  submissions timed per registry (default 300)
#   BENCH_BIN           a trustfund binary to measure instead of building the release one
#   BENCH_PG_URL        PostgreSQL server (default postgres://postgres@127.0.0.1:5432); the
#                       database trustfund_bench_apps on it is dropped and recreated
set -euo pipefail

BACKEND=${1:-sqlite}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${BENCH_DIR:-/tmp/trustfund-bench}
PROJECTS=${BENCH_PROJECTS:-100000}
APPS=${BENCH_APPLICATIONS:-300}
PG=${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432}
PORT=${BENCH_PORT:-18091}
BIN=${BENCH_BIN:-$ROOT/target/release/trustfund}

mkdir -p "$WORK"
if [ -z "${BENCH_BIN:-}" ]; then
  echo "== building the release binary"
  (cd "$ROOT" && cargo build --release --quiet)
fi
SEED="$WORK/seed-$PROJECTS.xml"
[ -s "$SEED" ] || python3 "$ROOT/benches/registry_gen.py" "$SEED" "$PROJECTS" --prefix S --seed 7

export TRUSTFUND__LOG__LEVEL="warn,trustfund::applications::overlaps=debug,trustfund::registry::search=debug"
export TRUSTFUND__SERVER__ADDRESS="127.0.0.1:$PORT"
export TRUSTFUND__AUTH__ACCESS_TOKEN_TTL_SECS=3600
export TRUSTFUND__DATA_DIR="$WORK/data-apps"

SERVER=""
stop() { if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; SERVER=""; fi; }
trap stop EXIT

run() {
  local label=$1 projects=$2
  case "$BACKEND" in
    sqlite)
      rm -f "$WORK"/apps.db "$WORK"/apps.db-wal "$WORK"/apps.db-shm
      export TRUSTFUND__DATABASE__URL="sqlite://$WORK/apps.db"
      ;;
    postgres)
      psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS trustfund_bench_apps" >/dev/null
      psql "$PG/postgres" -qc "CREATE DATABASE trustfund_bench_apps" >/dev/null
      export TRUSTFUND__DATABASE__URL="$PG/trustfund_bench_apps"
      ;;
    *) echo "usage: $0 [sqlite|postgres]" >&2; exit 2 ;;
  esac
  "$BIN" migrate >/dev/null
  if [ "$projects" -gt 0 ]; then
    echo "== $BACKEND: seeding $projects projects with trustfund import iati"
    "$BIN" import iati "$SEED" >/dev/null 2>&1
  fi
  "$BIN" seed-load-test --ngos "$APPS" --closes-in-minutes 240 >"$WORK/apps-seed.json"
  local log="$WORK/apps-server-$BACKEND-$label.log"
  "$BIN" serve >"$log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 300); do
    curl -sf "http://127.0.0.1:$PORT/health/ready" >/dev/null && break
    sleep 0.2
  done
  echo "== $BACKEND, $label registry ($projects projects): $APPS submissions (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  python3 "$ROOT/benches/application_overlaps.py" "http://127.0.0.1:$PORT" "$WORK/apps-seed.json" "$APPS"
  stop
  python3 - "$log" <<'PY'
import re, sys
text = re.sub(r"\x1b\[[0-9;]*m", "", open(sys.argv[1]).read())
micros = [int(m.group(1)) / 1000 for m in re.finditer(r"micros=(\d+)", text)]
if micros:
    first, rest = micros[0], sorted(micros[1:])
    pick = lambda q: rest[min(len(rest) - 1, int(q * len(rest)))]
    print(f"   the check inside submit: first {first:.1f} ms; then p50 {pick(.5):.2f} ms  "
          f"p95 {pick(.95):.2f} ms  p99 {pick(.99):.2f} ms  max {rest[-1]:.2f} ms")
# its parts, from the debug lines of the check and of the registry's scoring
parts = {}
for name in ["index_us", "pool_us", "fetch_us", "features_us", "score_us", "write_us"]:
    values = sorted(int(v) / 1000 for v in re.findall(rf"\b{name}=(\d+)", text)[1:])
    if values:
        pick = lambda q: values[min(len(values) - 1, int(q * len(values)))]
        parts[name[:-3]] = f"{pick(.5):.2f}/{pick(.99):.2f}"
if parts:
    print("   its parts, p50/p99 ms: " + "  ".join(f"{k} {v}" for k, v in parts.items()))
PY
}

run empty 0
run seeded "$PROJECTS"
