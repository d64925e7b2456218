#!/usr/bin/env bash
# Registry benchmark against the release binary, over HTTP, rerunnable:
#   1. generates a synthetic IATI file of 100,000 activities (and a 20,000-activity one to
#      upload), once, in $BENCH_DIR;
#   2. seeds a fresh database with `trustfund import iati` (the command line import: its
#      throughput and peak memory are printed);
#   3. starts `trustfund serve` and measures search, overlap, matrix and gaps latencies
#      with benches/registry_load.py (one client, keep-alive, p50/p95/p99);
#   4. uploads the 20,000-activity file to POST /api/v1/registry/import/iati (new projects),
#      then again (every activity unchanged), and prints MB/s.
#
# Usage: benches/registry.sh [sqlite|postgres]
#   BENCH_DIR       work folder (default /tmp/trustfund-bench)
#   BENCH_PROJECTS  projects to seed (default 100000)
#   BENCH_PG_URL    PostgreSQL server (default postgres://postgres@127.0.0.1:5432); the
#                   database trustfund_bench on it is dropped and recreated
set -euo pipefail

BACKEND=${1:-sqlite}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${BENCH_DIR:-/tmp/trustfund-bench}
PROJECTS=${BENCH_PROJECTS:-100000}
UPLOAD=${BENCH_UPLOAD:-20000}
PG=${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432}
PORT=${BENCH_PORT:-18089}
BIN="$ROOT/target/release/trustfund"

mkdir -p "$WORK"
echo "== building the release binary"
(cd "$ROOT" && cargo build --release --quiet)

SEED="$WORK/seed-$PROJECTS.xml"
UPLOAD_FILE="$WORK/upload-$UPLOAD.xml"
[ -s "$SEED" ] || python3 "$ROOT/benches/registry_gen.py" "$SEED" "$PROJECTS" --prefix S --seed 7
DENSE_FILE="$WORK/upload-dense-$UPLOAD.xml"
[ -s "$UPLOAD_FILE" ] || python3 "$ROOT/benches/registry_gen.py" "$UPLOAD_FILE" "$UPLOAD" --prefix U --seed 8
[ -s "$DENSE_FILE" ] || python3 "$ROOT/benches/registry_gen.py" "$DENSE_FILE" "$UPLOAD" --prefix D --seed 9 --dense

case "$BACKEND" in
  sqlite)
    rm -f "$WORK"/bench.db "$WORK"/bench.db-wal "$WORK"/bench.db-shm
    URL="sqlite://$WORK/bench.db"
    ;;
  postgres)
    psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS trustfund_bench" >/dev/null
    psql "$PG/postgres" -qc "CREATE DATABASE trustfund_bench" >/dev/null
    URL="$PG/trustfund_bench"
    ;;
  *)
    echo "usage: $0 [sqlite|postgres]" >&2
    exit 2
    ;;
esac

export TRUSTFUND__DATABASE__URL="$URL"
export TRUSTFUND__LOG__LEVEL=warn
export TRUSTFUND__SERVER__ADDRESS="127.0.0.1:$PORT"
export TRUSTFUND__REGISTRY__MAX_IMPORT_BYTES=2000000000
export TRUSTFUND__DATA_DIR="$WORK/data"

mb() { python3 -c "import os,sys; print(f'{os.path.getsize(sys.argv[1]) / 1e6:.1f}')" "$1"; }

echo "== $BACKEND: seeding $PROJECTS projects from $(mb "$SEED") MB with trustfund import iati"
"$BIN" migrate >/dev/null
start=$(date +%s.%N)
/usr/bin/time -f "   peak memory %M KiB" "$BIN" import iati "$SEED"
end=$(date +%s.%N)
python3 -c "import sys; s=float(sys.argv[3])-float(sys.argv[2]); print(f'   command line import: {s:.1f} s, {float(sys.argv[1])/s:.1f} MB/s')" "$(mb "$SEED")" "$start" "$end"

printf 'Tf-9f3K!q2Zx7wL-k\n' | "$BIN" create-admin --email registry-operator@example.org --name "Registry operator" >/dev/null
"$BIN" serve >"$WORK/server-$BACKEND.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$PORT/health/ready" >/dev/null && break
  sleep 0.2
done
TOKEN=$(curl -sf -H 'content-type: application/json' \
  -d '{"email":"registry-operator@example.org","password":"Tf-9f3K!q2Zx7wL-k"}' \
  "http://127.0.0.1:$PORT/api/v1/auth/login" | jq -r .access_token)

echo "== $BACKEND: latencies over HTTP (load average before: $(cut -d' ' -f1-3 /proc/loadavg))"
python3 "$ROOT/benches/registry_load.py" "http://127.0.0.1:$PORT" "$TOKEN"
echo "   (load average after: $(cut -d' ' -f1-3 /proc/loadavg); the machine's other work competes for its cores)"

upload() {
  local file=$1 label=$2
  seconds=$(curl -sf -o "$WORK/import-$label.json" -w '%{time_total}' \
    -H "authorization: Bearer $TOKEN" -H 'content-type: application/xml' \
    --data-binary @"$file" "http://127.0.0.1:$PORT/api/v1/registry/import/iati")
  python3 -c "import json,sys; r=json.load(open(sys.argv[3])); s=float(sys.argv[2]); print(f'   {sys.argv[4]:16}: {float(sys.argv[1]):6.1f} MB in {s:5.2f} s = {float(sys.argv[1])/s:5.1f} MB/s, {r[\"activities\"]/s:6.0f} activities/s (created {r[\"created\"]}, updated {r[\"updated\"]}, unchanged {r[\"unchanged\"]}, skipped {r[\"skipped\"]})')" \
    "$(mb "$file")" "$seconds" "$WORK/import-$label.json" "$label"
}
echo "== $BACKEND: POST /api/v1/registry/import/iati, $UPLOAD activities per file, into the seeded registry"
upload "$UPLOAD_FILE" "new"
upload "$UPLOAD_FILE" "same again"
upload "$DENSE_FILE" "new, dense file"
