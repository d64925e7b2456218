#!/usr/bin/env bash
# `../shared/bench/ratio.sh` for a trustfund binary already built, so that two builds (the
# one before a change and the one after) are measured the same way without rebuilding:
#   BIN=/tmp/trustfund-before benches/ratio_of.sh sqlite 5 2
# Run from the project's root. It builds the actix hello world as ratio.sh does.
set -eu
root=$(pwd)
shared=${SHARED_BENCH:-$root/../shared/bench}
: "${BIN:?set BIN to the trustfund binary to measure}"
script=$(mktemp)
trap 'rm -f "$script"' EXIT
sed -e 's|^cargo build --release --quiet \|\| exit 2$|:|' \
    -e 's|^bin="$root/target/release/trustfund"; |bin="$BIN"; |' \
    -e "s|^here=.*|here=$shared|" "$shared/ratio.sh" >"$script"
grep -q 'bin="$BIN"' "$script" || { echo "ratio.sh changed shape; edit benches/ratio_of.sh" >&2; exit 2; }
bash "$script" "$@"
