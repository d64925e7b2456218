#!/usr/bin/env bash
# Fills a fund with 1,000,000 ledger entries (and the running totals the service keeps
# beside them), starts the release binary and measures, over HTTP, GET /funds/{id}/status
# and a donor statement — on SQLite, and on PostgreSQL when it is reachable.
#
#   benches/ledger_1m.sh                 # both backends, 1,000,000 entries
#   ENTRIES=200000 BACKENDS=sqlite benches/ledger_1m.sh
#   PG_URL=postgres://postgres@127.0.0.1:5432/postgres benches/ledger_1m.sh
#
# Needs python3, sqlite3 and psql. Every run works in a fresh temporary folder and, for
# PostgreSQL, a fresh database that is dropped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

ENTRIES="${ENTRIES:-1000000}"
DONORS="${DONORS:-100}"
BACKENDS="${BACKENDS:-sqlite postgres}"
PG_URL="${PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
PORT="${PORT:-18089}"
N="${N:-300}"
BIN=target/release/trustfund
FUND=01900000-0000-7000-8000-00000000f00d
DONOR=01900000-0000-7000-8000-0000000d0000   # one of the donors: ENTRIES / DONORS / 2 receipts
ADMIN_EMAIL=bench-admin@example.org
ADMIN_PASSWORD='Bench-password-long-enough-42'

echo "== building the release binary"
cargo build --release --quiet

work=$(mktemp -d)
server_pid=""
pg_db=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  if [ -n "$pg_db" ]; then psql "$PG_URL" -qc "DROP DATABASE IF EXISTS $pg_db" >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

run_backend() {
  local backend=$1 url
  case "$backend" in
    sqlite) url="sqlite://$work/bench.db" ;;
    postgres)
      pg_db="trustfund_bench_$$"
      psql "$PG_URL" -qc "CREATE DATABASE $pg_db" >/dev/null
      url="${PG_URL%/*}/$pg_db" ;;
  esac
  export TRUSTFUND__DATABASE__URL="$url" TRUSTFUND__SERVER__ADDRESS="127.0.0.1:$PORT" \
    TRUSTFUND__LOG__LEVEL=warn TRUSTFUND__DATA_DIR="$work/data" TRUSTFUND__SERVER__WORKERS=2

  echo
  echo "== $backend: migrate, seed $ENTRIES ledger entries over $DONORS donors"
  "$BIN" migrate >/dev/null
  local start=$SECONDS
  case "$backend" in
    sqlite) python3 benches/seed_ledger.py --backend sqlite --entries "$ENTRIES" --donors "$DONORS" | sqlite3 "$work/bench.db" ;;
    postgres) python3 benches/seed_ledger.py --backend postgres --entries "$ENTRIES" --donors "$DONORS" | psql -q -v ON_ERROR_STOP=1 "$url" >/dev/null ;;
  esac
  echo "   seeded in $((SECONDS - start)) s"
  printf '%s\n' "$ADMIN_PASSWORD" | "$BIN" create-admin --email "$ADMIN_EMAIL" --name "Bench admin" >/dev/null

  "$BIN" serve >"$work/server-$backend.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$PORT/health/ready" >/dev/null 2>&1 && break
    sleep 0.1
  done
  local token
  token=$(curl -sf -H 'content-type: application/json' \
    -d "{\"email\":\"$ADMIN_EMAIL\",\"password\":\"$ADMIN_PASSWORD\"}" \
    "http://127.0.0.1:$PORT/api/v1/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')

  local base="http://127.0.0.1:$PORT" statement="/api/v1/organisations/$DONOR/statement?fund_id=$FUND"
  # a page from the middle of the history, reached with a cursor
  local cursor
  cursor=$(curl -sf -H "authorization: Bearer $token" "$base$statement&from=2024-06-01&limit=50" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["next_cursor"])')
  local entries
  entries=$(curl -sf -H "authorization: Bearer $token" "$base/api/v1/funds/$FUND/status" \
    | python3 -c 'import json,sys; s=json.load(sys.stdin); print(s["entries"], "entries; received", s["received"], s["base_currency"])')
  echo "   status reports $entries"
  local scan="SELECT COUNT(*) || ' entries; received ' || CAST(SUM(CASE WHEN kind = 'receipt' THEN base_amount_minor ELSE 0 END) AS BIGINT) || ' (minor units) by a full scan' FROM ledger_entries"
  case "$backend" in
    sqlite) echo "   the entries hold $(sqlite3 "$work/bench.db" "$scan")" ;;
    postgres) echo "   the entries hold $(psql -tAq "$url" -c "$scan")" ;;
  esac

  local t=(python3 benches/http_timing.py --base "$base" --token "$token" -n "$N")
  "${t[@]}" --name "GET /funds/{id}/status" --path "/api/v1/funds/$FUND/status"
  "${t[@]}" --name "statement, first page (50 lines)" --path "$statement"
  "${t[@]}" --name "statement, one month (from/to)" --path "$statement&from=2024-03-01&to=2024-03-31&limit=200"
  "${t[@]}" --name "statement, page by cursor mid-history" --path "$statement&from=2024-06-01&limit=50&cursor=$cursor"
  "${t[@]}" --name "statement, one month as CSV" --path "$statement&from=2024-03-01&to=2024-03-31" --accept text/csv -n 100

  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
  if [ "$backend" = postgres ]; then psql "$PG_URL" -qc "DROP DATABASE IF EXISTS $pg_db" >/dev/null; pg_db=""; fi
}

for backend in $BACKENDS; do
  if [ "$backend" = postgres ] && ! psql "$PG_URL" -qc 'SELECT 1' >/dev/null 2>&1; then
    echo "PostgreSQL at $PG_URL is not reachable; skipping it"
    continue
  fi
  run_backend "$backend"
done
