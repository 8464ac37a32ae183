#!/usr/bin/env bash
# A short, bounded coverage-guided fuzz run of the record model (fuzz/, docs/fuzzing.md): what
# CI runs. Installs cargo-fuzz from crates.io if it is missing, builds the targets on the
# stable toolchain (RUSTC_BOOTSTRAP=1 lets stable take the -Z flags libFuzzer needs), and
# runs each target from the committed seeds. Exits non-zero on the first crash, with the
# input kept in fuzz/artifacts/<target>/.
#
#   scripts/fuzz.sh                 # the push target, FUZZ_RUNS executions
#   scripts/fuzz.sh push messages   # named targets
#   FUZZ_RUNS=1000000 FUZZ_SECONDS=0 scripts/fuzz.sh push   # the long run of docs/fuzzing.md
#
# FUZZ_RUNS (default 50000) bounds the executions of each target, FUZZ_SECONDS (default 300)
# its time (0: no cap), whichever comes first.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

CARGO_FUZZ_VERSION=0.13.2
RUNS="${FUZZ_RUNS:-50000}"
SECONDS_MAX="${FUZZ_SECONDS:-300}"
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(push)

say() { printf '\033[1m[fuzz]\033[0m %s\n' "$*"; }

# libfuzzer-sys compiles libFuzzer itself: it needs a C++ compiler.
if ! command -v c++ >/dev/null 2>&1; then
  say "installing g++ (libFuzzer is C++)"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends g++
fi

if ! cargo fuzz --version >/dev/null 2>&1; then
  say "installing cargo-fuzz $CARGO_FUZZ_VERSION from crates.io"
  cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked --quiet
fi

# Stable Rust only: cargo fuzz passes nightly flags (-Zsanitizer=address, -Cpasses=sancov…).
export RUSTC_BOOTSTRAP=1

for t in "${TARGETS[@]}"; do
  seeds="fuzz/corpus/$t"
  # New inputs go to a scratch corpus under fuzz/target (ignored by git); the committed seeds
  # are only read.
  work="fuzz/target/corpus/$t"
  log="fuzz/target/fuzz-$t.log"
  mkdir -p "$work"
  corpus=("$work")
  [ -d "$seeds" ] && corpus+=("$seeds")
  cap="${SECONDS_MAX}s"
  [ "$SECONDS_MAX" = 0 ] && cap="no time cap"
  say "$t: building and running up to $RUNS executions, $cap (log: $log)"
  start=$(date +%s)
  if ! cargo fuzz run "$t" "${corpus[@]}" -- \
      -runs="$RUNS" -max_total_time="$SECONDS_MAX" -print_final_stats=1 >"$log" 2>&1; then
    tail -n 60 "$log" >&2
    say "$t: CRASH — the input is in fuzz/artifacts/$t/; reproduce with" >&2
    say "  RUSTC_BOOTSTRAP=1 cargo fuzz run $t fuzz/artifacts/$t/<file>" >&2
    exit 1
  fi
  done_line=$(grep -E '^Done [0-9]+ runs' "$log" | tail -n 1 || true)
  say "$t: no crash. ${done_line:-finished} (wall clock with build: $(( $(date +%s) - start ))s)"
done
