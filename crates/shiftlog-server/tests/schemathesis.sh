#!/usr/bin/env bash
# Fuzzes the server's HTTP API from its own OpenAPI document with schemathesis: no answer may
# be a 5xx. Runs the real `shiftlog-server` binary on a loopback port, on SQLite and then on
# PostgreSQL, with a staff token (so the staff endpoints are reached, not just refused).
# schemathesis is installed into a venv under target/ (ignored by git).
set -euo pipefail
cd "$(dirname "$0")/../../.."
TARGET="${CARGO_TARGET_DIR:-target}"
VENV="$PWD/target/schemathesis/venv"
EXAMPLES="${SCHEMATHESIS_EXAMPLES:-40}"
PG_URL="${SHIFTLOG_TEST_PG:-postgres://root@127.0.0.1:5432/test}"

if [ ! -x "$VENV/bin/schemathesis" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "schemathesis==4.32.5"
fi
cargo build -q -p shiftlog-server
BIN="$TARGET/debug/shiftlog-server"

SERVER_PID=""
WORK="$(mktemp -d)"
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

run_against() {
  local name="$1"; shift
  local port; port="$(free_port)"
  local token
  token="$("$BIN" "$@" init-demo --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["staff_token"])')"
  "$BIN" "$@" serve --listen "127.0.0.1:$port" 2>"$WORK/$name.log" &
  SERVER_PID=$!
  for _ in $(seq 1 50); do
    curl -fsS "http://127.0.0.1:$port/api/v1/info" >/dev/null 2>&1 && break
    sleep 0.2
  done
  echo "schemathesis against $name (http://127.0.0.1:$port)"
  # From the scratch directory: schemathesis keeps its example database in the working directory.
  (cd "$WORK" && "$VENV/bin/schemathesis" run "http://127.0.0.1:$port/api/v1/openapi.json" \
    --checks not_a_server_error \
    --max-examples "$EXAMPLES" --seed 7 \
    --suppress-health-check all \
    -H "Authorization: Bearer $token" \
    --report-dir "$WORK/report-$name" \
    --warnings off) || {
    echo "server log ($name):" >&2; tail -20 "$WORK/$name.log" >&2; exit 1; }
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
  if grep -q "storage error" "$WORK/$name.log"; then
    echo "the server logged storage errors:" >&2; cat "$WORK/$name.log" >&2; exit 1
  fi
}

run_against sqlite --data-dir "$WORK/sqlite"
SCHEMA="schemathesis_$$"
run_against postgres --database-url "$PG_URL" --database-schema "$SCHEMA"
psql "$PG_URL" -q -c "DROP SCHEMA IF EXISTS $SCHEMA CASCADE" >/dev/null 2>&1 || true
echo "schemathesis: no server errors"
