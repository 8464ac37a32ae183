#!/usr/bin/env bash
# Builds the two Debian packages into target/debian/:
#   shiftlog-server_<version>_amd64.deb  (cargo-deb: the server, man page, config, systemd unit)
#   shiftlog_<version>_amd64.deb         (the Tauri bundler: the desktop app)
# PROFILE=release (the default) for packages to hand out; CI uses PROFILE=debug, which
# reuses the binaries the tests already built (same code, no second optimized build).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
PROFILE="${PROFILE:-release}"
say() { printf '\033[1m[packages]\033[0m %s\n' "$*"; }

if ! command -v cargo-deb >/dev/null 2>&1; then
  say "installing cargo-deb"
  cargo install cargo-deb --locked --quiet --version "^3"
fi
if [ ! -x packaging/node_modules/.bin/tauri ]; then
  say "installing the Tauri command line (npm @tauri-apps/cli)"
  (cd packaging && npm ci --silent --no-audit --no-fund)
fi

if [ "$PROFILE" = release ]; then
  cargo build --quiet --release -p shiftlog-server -p shiftlog-app
  CARGO_PROFILE=release; TAURI_FLAGS=()
else
  cargo build --quiet -p shiftlog-server -p shiftlog-app
  CARGO_PROFILE=dev; TAURI_FLAGS=(--debug)
fi
bin_dir="target/$PROFILE"

say "shiftlog-server.deb ($PROFILE)"
"$bin_dir/shiftlog-server" man > target/shiftlog-server.1
cargo deb --quiet --no-build --profile "$CARGO_PROFILE" -p shiftlog-server -o target/debian/

say "shiftlog (desktop app) .deb ($PROFILE)"
(cd src-tauri && ../packaging/node_modules/.bin/tauri bundle "${TAURI_FLAGS[@]}" --bundles deb \
  --config '{"bundle":{"active":true}}' >/dev/null)
mkdir -p target/debian
cp "$bin_dir"/bundle/deb/*.deb target/debian/
ls -l target/debian/*.deb
