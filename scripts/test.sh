#!/usr/bin/env bash
# Every test: formatting and lints, Rust unit and integration tests (SQLite and loopback
# HTTP), the UI's tests, and the end-to-end test driving the real desktop app through
# tauri-driver under Xvfb.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

# A full run writes several gigabytes under target/; on a nearly full disk the linker dies
# with "Bus error" halfway through, which reads like a broken build. Say so up front.
free_kb=$(df -Pk . | awk 'NR==2 {print $4}')
if [ "${free_kb:-0}" -lt 8000000 ]; then
  echo "error: only $((free_kb / 1024)) MiB free on $(df -P . | awk 'NR==2 {print $6}'); a full test run needs about 8 GiB." >&2
  echo "Free some space (old target/ folders, /tmp clones) and run again." >&2
  exit 1
fi
export PATH="$HOME/.cargo/bin:$PATH"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy"
cargo clippy --workspace --all-targets --quiet -- -D warnings

step "Rust tests"
cargo test --workspace --quiet

step "fuzz: the push decoder and validator, and the words of every refusal (bounded runs)"
bash scripts/fuzz.sh push messages statement packed

step "UI tests"
(cd ui && npm test --silent)

step "organization server: staff dashboard in Chromium, schemathesis against its OpenAPI"
cargo build --quiet -p shiftlog-server
(cd tests/dashboard && node --test --test-concurrency=1 .)
echo "dashboard screenshots: tests/dashboard/out/"
bash crates/shiftlog-server/tests/schemathesis.sh

step "end-to-end: the real desktop app under Xvfb"
# The three jobs of the domain brief, a first run, and every main screen at phone and desktop
# sizes in English and French with axe-core inside the webview (about a minute and a half).
cargo build --quiet -p shiftlog-server -p shiftlog-cli -p shiftlog-app
xvfb-run -a -s "-screen 0 1280x800x24" node --test --test-concurrency=1 tests/e2e/
echo "screenshots: tests/e2e/out/ (every screen: tests/e2e/out/screens/, axe-core: screens/axe.json)"

step "packages: the server's and the app's .deb, installed, started and removed"
bash scripts/test-packages.sh

step "all tests passed"
