#!/usr/bin/env bash
# Deadline rush: NGOS organisations (1,000 by default) each create a draft, complete it,
# upload a 1 MB document and submit, all at once in the last minutes of a call, against
# the release binary, on SQLite and on PostgreSQL. Reports errors, lost applications
# (accepted submissions missing when counted after, and again after a restart) and the
# latency percentiles of each step, submit included.
#
#   benches/deadline_rush.sh [sqlite|postgres|both]
#
# Environment: NGOS (1000), DOC_BYTES (1048576), SPREAD_SECS (0 = every start at once;
# N spreads the starts evenly over N seconds), PORT (18466, must be free),
# PG_URL (postgres://postgres@127.0.0.1:5432/postgres; a database is created and dropped).
set -euo pipefail
cd "$(dirname "$0")/.."

which_backends=${1:-both}
NGOS=${NGOS:-1000}
DOC_BYTES=${DOC_BYTES:-1048576}
SPREAD_SECS=${SPREAD_SECS:-0}
PORT=${PORT:-18466}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}
BASE="http://127.0.0.1:${PORT}"

echo "== building the release binary and the load generator"
cargo build --release --bin trustfund
cargo bench --bench deadline_rush --no-run

server_pid=""
start_server() {
  if (exec 3<>"/dev/tcp/127.0.0.1/${PORT}") 2>/dev/null; then
    echo "port ${PORT} is already in use; set PORT to a free one" >&2
    return 1
  fi
  target/release/trustfund serve >"$work/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 100); do
    if ! kill -0 "$server_pid" 2>/dev/null; then break; fi
    if curl -fsS "$BASE/health/ready" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  echo "the server did not become ready; see $work/server.log" >&2
  cat "$work/server.log" >&2
  return 1
}
stop_server() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
  fi
}

run_backend() {
  local backend=$1 db=""
  work=$(mktemp -d)
  case $backend in
    sqlite) url="sqlite://${work}/rush.db" ;;
    postgres)
      db="trustfund_rush_$(date +%s)_$$"
      psql "$PG_URL" -qc "CREATE DATABASE ${db}"
      url="${PG_URL%/*}/${db}"
      ;;
  esac
  export TRUSTFUND__DATABASE__URL="$url"
  export TRUSTFUND__DATA_DIR="${work}/data"
  export TRUSTFUND__SERVER__ADDRESS="127.0.0.1:${PORT}"
  export TRUSTFUND__LOG__LEVEL=warn
  export TRUSTFUND__AUTH__ACCESS_TOKEN_TTL_SECS=3600
  echo
  echo "== ${backend}: seeding ${NGOS} NGOs and a call closing in 10 minutes"
  target/release/trustfund seed-load-test --ngos "$NGOS" --closes-in-minutes 10 >"${work}/seed.json"
  start_server || return 1
  echo "== ${backend}: the rush"
  local status=0
  cargo bench --bench deadline_rush -- --base "$BASE" --seed "${work}/seed.json" \
    --spread-secs "$SPREAD_SECS" --doc-bytes "$DOC_BYTES" || status=$?
  stop_server
  echo "== ${backend}: restarted, counted again"
  start_server || return 1
  cargo bench --bench deadline_rush -- --base "$BASE" --seed "${work}/seed.json" --count-only || status=$?
  stop_server
  if [ -n "$db" ]; then psql "$PG_URL" -qc "DROP DATABASE ${db}" || true; fi
  rm -rf "$work"
  return $status
}

trap stop_server EXIT
overall=0
case $which_backends in
  sqlite) run_backend sqlite || overall=$? ;;
  postgres) run_backend postgres || overall=$? ;;
  both) run_backend sqlite || overall=$?; run_backend postgres || overall=$? ;;
  *) echo "usage: $0 [sqlite|postgres|both]" >&2; exit 2 ;;
esac
exit $overall
