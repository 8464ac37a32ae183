#!/usr/bin/env bash
# P8 cross-check without WebDriver: from launching the app to its PIN screen's header being on
# the X display (the pixel at 5,5 turns the header's green). Polling `import` adds up to a few
# tens of milliseconds. Run under Xvfb:
#   xvfb-run -a -s "-screen 0 1280x800x24" bash tests/e2e/bench-paint.sh <path to shiftlog-app> [runs]
set -euo pipefail
APP="$1"
RUNS="${2:-5}"
for i in $(seq 1 "$RUNS"); do
  DIR=$(mktemp -d)
  t0=$(date +%s%N)
  SHIFTLOG_DATA_DIR="$DIR" "$APP" >/dev/null 2>&1 &
  pid=$!
  while :; do
    case "$(import -window root -crop 1x1+5+5 txt:- 2>/dev/null | tail -1)" in
      *'srgb(11,94,67)'*) break ;;
    esac
    if [ $(( ($(date +%s%N) - t0) / 1000000 )) -gt 15000 ]; then echo "run $i: timed out"; break; fi
  done
  echo "run $i: $(( ($(date +%s%N) - t0) / 1000000 )) ms"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$DIR"
done
