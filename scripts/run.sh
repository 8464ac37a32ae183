#!/usr/bin/env bash
# The main job: a local organization server on SQLite with a demo organization, and the
# desktop app enrolled to it. Stop with Ctrl-C.
#   SHIFTLOG_PORT   server port (default 8787)
#   SHIFTLOG_HOME   where the demo keeps its data (default ./.shiftlog)
#   SHIFTLOG_PIN    the demo profile's PIN (default 246813); the app asks for it
# Without a display (no $DISPLAY), the app runs inside xvfb-run and a screenshot of it is
# saved to $SHIFTLOG_HOME/app.png after a few seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

PORT="${SHIFTLOG_PORT:-8787}"
HOME_DIR="$(realpath -m "${SHIFTLOG_HOME:-.shiftlog}")"
SERVER_DATA="$HOME_DIR/server"
export SHIFTLOG_DATA_DIR="$HOME_DIR/app"
# The demo profile is encrypted with this PIN (the CLI sets it up; the app asks for it).
export SHIFTLOG_PIN="${SHIFTLOG_PIN:-246813}"
mkdir -p "$SERVER_DATA" "$SHIFTLOG_DATA_DIR"

echo "[run] building (the first build takes a few minutes)"
cargo build --quiet -p shiftlog-server -p shiftlog-cli -p shiftlog-app
BIN=target/debug

"$BIN/shiftlog-server" --data-dir "$SERVER_DATA" init-demo --json > "$HOME_DIR/demo.json"
# A coordinator account for the staff dashboard (kept if it exists already).
DASH_USER=coordinator
DASH_PASSWORD="${SHIFTLOG_DEMO_PASSWORD:-demo password 2468}"
echo "$DASH_PASSWORD" | "$BIN/shiftlog-server" --data-dir "$SERVER_DATA" create-admin --org demo \
  --username "$DASH_USER" >/dev/null 2>&1 || true
CODE=$(sed -E 's/.*"enrollment_code":"([^"]+)".*/\1/' "$HOME_DIR/demo.json")
TOKEN=$(sed -E 's/.*"staff_token":"([^"]+)".*/\1/' "$HOME_DIR/demo.json")

"$BIN/shiftlog-server" --data-dir "$SERVER_DATA" serve --listen "127.0.0.1:$PORT" &
SERVER_PID=$!
trap 'kill $SERVER_PID 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do
  curl -fsS "http://127.0.0.1:$PORT/api/v1/info" >/dev/null 2>&1 && break
  sleep 0.2
done

if "$BIN/shiftlog" orgs --json | grep -q '"id":"demo"'; then
  echo "[run] app profile already enrolled to the demo organization"
else
  "$BIN/shiftlog" enroll "http://127.0.0.1:$PORT" "$CODE" --device-name "Demo laptop"
fi

cat <<INFO
[run] organization server: http://127.0.0.1:$PORT  (data: $SERVER_DATA)
[run] app profile:         $SHIFTLOG_DATA_DIR  (PIN $SHIFTLOG_PIN)
[run] staff dashboard:    http://127.0.0.1:$PORT/  (user "$DASH_USER", password "$DASH_PASSWORD")
[run] export the organization's records:
      curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:$PORT/api/v1/export/activities.csv
INFO

if [ -n "${DISPLAY:-}" ]; then
  "$BIN/shiftlog-app"
else
  echo "[run] no display: running the app under xvfb-run; screenshot in $HOME_DIR/app.png"
  xvfb-run -a -s "-screen 0 1280x800x24" bash -c "
    '$BIN/shiftlog-app' & APP=\$!
    sleep 6; import -window root '$HOME_DIR/app.png' || true
    wait \$APP"
fi
