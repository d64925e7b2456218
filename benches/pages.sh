#!/usr/bin/env bash
# Page weights and the time to answer them, on the release binary with the demo data
# (SQLite), signed in as the demo NGO and donor, in English, French and Spanish.
# Usage: benches/pages.sh [requests per page]   (builds the release binary first)
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-200}"
cargo build --release --quiet
bin="$PWD/target/release/trustfund"
port=18182
work=$(mktemp -d)
(cd "$work" && TRUSTFUND__SERVER__ADDRESS=127.0.0.1:$port TRUSTFUND__LOG__LEVEL=warn \
  TRUSTFUND__DATA_DIR="$work/data" exec "$bin" serve --demo) &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
until curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1; do sleep 0.1; done
for lang in en fr es; do
  python3 benches/pages.py --base "http://127.0.0.1:$port" --lang "$lang" -n "$n" \
    --email ngo@hope-shelter.example --password "saffron bridge meadow 96" \
    --path /home --path /calls --path /applications --path /grants --find-draft
done
python3 benches/pages.py --base "http://127.0.0.1:$port" --lang fr -n "$n" \
  --email donor@luxembourg.example --password "indigo harbour violin 17" --path /giving
