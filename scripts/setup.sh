#!/usr/bin/env bash
# Installs what shiftlog needs on a fresh Debian 12 machine, skipping what is already there.
# Safe to run again. Run as root (or with sudo available).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# System packages: Tauri's WebKitGTK, the webview's WebDriver, a virtual display, sqlite3 for
# benchmarks, Chromium for the staff dashboard tests.
APT_PACKAGES=(
  build-essential pkg-config libssl-dev libwebkit2gtk-4.1-dev librsvg2-dev
  webkit2gtk-driver xvfb xauth imagemagick sqlite3 curl
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
say "ready"
