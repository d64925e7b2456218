#!/usr/bin/env bash
# Startup time and idle memory of `trustfund serve` on SQLite.
# Usage: benches/startup.sh [runs]   (builds the release binary first)
# Startup = from exec until /health/ready answers 200, on a fresh database (migrations
# included) and on an already-migrated one. Idle memory = VmRSS after 5 s without traffic.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-10}"
cargo build --release --quiet
bin=target/release/trustfund
port=18181
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

now_ms() { date +%s%3N; }

measure() { # $1 = fresh|warm
  local total=0 best=999999 worst=0
  for i in $(seq "$runs"); do
    [ "$1" = fresh ] && rm -rf "$work/data"
    local start=$(now_ms)
    (cd "$work" && TRUSTFUND__SERVER__ADDRESS=127.0.0.1:$port TRUSTFUND__LOG__LEVEL=warn exec "$OLDPWD/$bin" serve) &
    local pid=$!
    until curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1; do sleep 0.005; done
    local took=$(( $(now_ms) - start ))
    total=$((total + took)); (( took < best )) && best=$took; (( took > worst )) && worst=$took
    if [ "$i" = "$runs" ] && [ "$1" = warm ]; then
      sleep 5
      echo "idle memory (VmRSS after 5 s, one worker per core): $(grep VmRSS /proc/$pid/status | awk '{print $2/1024 " MiB"}')"
    fi
    kill "$pid"; wait "$pid" 2>/dev/null || true
  done
  echo "startup to ready ($1 database, $runs runs): mean $((total / runs)) ms, best $best ms, worst $worst ms"
}

measure fresh
measure warm
