#!/usr/bin/env bash
# Installs what shiftlog needs on a fresh Debian 12 machine, skipping what is already there.
# Safe to run again. Run as root (or with sudo available).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# System packages: Tauri's WebKitGTK, the webview's WebDriver, a virtual display, sqlite3 for
# benchmarks, D-Bus and GNOME Keyring (a real Secret Service for the keystore test).
APT_PACKAGES=(
  build-essential pkg-config libssl-dev libwebkit2gtk-4.1-dev librsvg2-dev
  webkit2gtk-driver xvfb xauth imagemagick sqlite3 curl dbus gnome-keyring
)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing system packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# tauri-driver: the WebDriver bridge to the real Tauri webview.
if ! command -v tauri-driver >/dev/null 2>&1 && [ ! -x "$HOME/.cargo/bin/tauri-driver" ]; then
  say "installing tauri-driver"
  cargo install tauri-driver --locked --quiet
fi

command -v node >/dev/null 2>&1 || { echo "Node.js 20+ is required (apt-get install nodejs)" >&2; exit 1; }

# The organization server's tests (crates/shiftlog-server, tests/dashboard): PostgreSQL on
# 127.0.0.1:5432 with trust auth for local connections, Chromium for the staff dashboard test,
# python3-venv for schemathesis (installed into target/schemathesis/venv by its script),
# nginx as the real proxy in front of two instances (tests/behind_nginx.rs), and npm
# playwright-core.
SERVER_PACKAGES=(postgresql chromium chromium-driver python3-venv nginx-light)
missing=()
for p in "${SERVER_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing packages for the server tests: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
  # The tests start nginx with configurations of their own; the package's own site on port
  # 80 is not needed.
  if [[ " ${missing[*]} " == *" nginx-light "* ]]; then
    $SUDO service nginx stop >/dev/null 2>&1 || true
  fi
fi
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  say "starting PostgreSQL"
  $SUDO pg_ctlcluster "$(ls /etc/postgresql | sort -V | tail -1)" main start || $SUDO service postgresql start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
if ! psql "postgres://$(id -un)@127.0.0.1:5432/test" -qtAc 'SELECT 1' >/dev/null 2>&1; then
  say "configuring PostgreSQL for the tests (trust on 127.0.0.1, role $(id -un), database test)"
  HBA="$($SUDO -u postgres psql -qtAc 'SHOW hba_file' 2>/dev/null || su postgres -c "psql -qtAc 'SHOW hba_file'")"
  grep -q '^host all all 127.0.0.1/32 trust' "$HBA" || $SUDO sed -i '1i host all all 127.0.0.1/32 trust' "$HBA"
  su postgres -c "psql -qc \"SELECT pg_reload_conf()\"" >/dev/null
  su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='$(id -un)'\"" | grep -q 1 \
    || su postgres -c "psql -qc 'CREATE ROLE \"$(id -un)\" SUPERUSER LOGIN'"
  for db in test "$(id -un)"; do
    su postgres -c "psql -qtAc \"SELECT 1 FROM pg_database WHERE datname='$db'\"" | grep -q 1 \
      || su postgres -c "psql -qc 'CREATE DATABASE \"$db\" OWNER \"$(id -un)\"'"
  done
fi
if [ ! -d tests/dashboard/node_modules/playwright-core ] || [ ! -d tests/dashboard/node_modules/jsqr ]; then
  say "installing playwright-core for the dashboard test"
  (cd tests/dashboard && npm install --silent --no-audit --no-fund)
fi
# xwininfo (x11-utils): the end-to-end test sees the print dialog open on the X display.
if ! command -v xwininfo >/dev/null 2>&1; then
  say "installing x11-utils"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends x11-utils
fi

# xdotool: the lock test (tests/e2e/lock.test.mjs) moves focus to another X window.
if ! command -v xdotool >/dev/null 2>&1; then
  say "installing xdotool"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends xdotool
fi

# Exports and print checks: pdftoppm (poppler-utils) turns the printed summary into images
# (tests/e2e/print.test.mjs); openpyxl, a real spreadsheet reader, opens the server's XLSX
# exports (crates/shiftlog-server/tests/export_spreadsheet.rs) from target/spreadsheet-venv.
if ! command -v pdftoppm >/dev/null 2>&1; then
  say "installing poppler-utils"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends poppler-utils
fi
if [ ! -x target/spreadsheet-venv/bin/python ] || ! target/spreadsheet-venv/bin/python -c 'import openpyxl' 2>/dev/null; then
  say "installing openpyxl (PyPI) into target/spreadsheet-venv"
  python3 -m venv target/spreadsheet-venv
  target/spreadsheet-venv/bin/pip install -q openpyxl==3.1.5
fi

# The UI's test tools (axe-core, run inside the real webview by the end-to-end tests).
if [ ! -f ui/node_modules/axe-core/axe.min.js ]; then
  say "installing the UI's test packages (npm)"
  (cd ui && npm ci --no-audit --no-fund --silent)
fi

say "ready"
