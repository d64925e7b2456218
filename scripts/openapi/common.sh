# Shared by scripts/openapi-check and scripts/schemathesis (sourced, from the repository
# root): the PyPI tools in a venv, the server binary, and a demo server on a free port.

# Installs the tools pinned in scripts/openapi/requirements.txt into $venv (under the cargo
# target folder) unless that venv already has exactly them.
openapi_tools() {
  local target="${CARGO_TARGET_DIR:-target}"
  mkdir -p "$target"
  target=$(cd "$target" && pwd)
  venv="$target/openapi-venv"
  local requirements=scripts/openapi/requirements.txt
  if ! cmp -s "$requirements" "$venv/requirements.txt" 2>/dev/null; then
    echo "== installing the OpenAPI tools from PyPI into $venv"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
    cp "$requirements" "$venv/requirements.txt"
  fi
  if [ -z "${TRUSTFUND_BIN:-}" ]; then
    cargo build --quiet --bin trustfund
    bin="$target/debug/trustfund"
  else
    bin="$TRUSTFUND_BIN"
  fi
}

# Starts `serve --demo` on a free loopback port with its database and data in the new
# folder $1 and waits until it is ready; sets $base and $server_pid. Access tokens last an
# hour, so that one sign-in serves a whole run.
start_demo_server() {
  local dir="$1"
  mkdir -p "$dir"
  local port
  port=$("$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  base="http://127.0.0.1:$port"
  echo "== starting $bin serve --demo on $base"
  TRUSTFUND__SERVER__ADDRESS="127.0.0.1:$port" \
  TRUSTFUND__DATA_DIR="$dir/data" \
  TRUSTFUND__DATABASE__URL="sqlite://$dir/trustfund.db" \
  TRUSTFUND__SERVER__WORKERS=2 \
  TRUSTFUND__AUTH__ACCESS_TOKEN_TTL_SECS=3600 \
  RUST_LOG=warn \
    "$bin" serve --demo >"$dir/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 240); do
    curl -sf "$base/health/ready" >/dev/null 2>&1 && return 0
    if ! kill -0 "$server_pid" 2>/dev/null; then
      cat "$dir/server.log" >&2
      echo "the server stopped before it was ready" >&2
      return 1
    fi
    sleep 0.5
  done
  echo "the server was not ready within two minutes" >&2
  return 1
}

stop_demo_server() {
  if [ -n "${server_pid:-}" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
  fi
}

# Prints an access token of the account $1 with password $2.
sign_in() {
  curl -sf -X POST "$base/api/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"email\":\"$1\",\"password\":\"$2\"}" |
    "$venv/bin/python" -c 'import json, sys; print(json.load(sys.stdin)["access_token"])'
}
