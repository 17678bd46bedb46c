#!/usr/bin/env bash
# Benchmark, not a test: cold-build seconds of
#   1. the library with default features (what a crate user compiles), and
#   2. the README's main command (the DR drill against the emulator),
# each in a fresh target directory (crates already downloaded, so the
# network is not timed). Exits non-zero when a target is missed:
#   library <= 90 s, main command <= 240 s (on the project's 2-core machine).
# Usage: .ci/build-times.sh [library-target-seconds] [main-target-seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
lib_target="${1:-90}"
main_target="${2:-240}"
cargo fetch --quiet
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cold() { # $1: label; rest: cargo arguments
  local label="$1"; shift
  rm -rf "$work/target"
  local start end
  start=$(date +%s.%N)
  CARGO_TARGET_DIR="$work/target" cargo build --quiet "$@"
  end=$(date +%s.%N)
  python3 -c "print(f'{$end - $start:.1f}')"
}

lib=$(cold library -p kafka-mirror --lib)
main=$(cold "main command" -p kafka-mirror-cli --bin kmirror)
echo "cold build, library (default features): ${lib} s (target ${lib_target} s)"
echo "cold build, README main command:        ${main} s (target ${main_target} s)"
python3 - "$lib" "$lib_target" "$main" "$main_target" <<'PY'
import sys
lib, lib_t, main, main_t = map(float, sys.argv[1:])
missed = [n for n, v, t in (("library", lib, lib_t), ("main command", main, main_t)) if v > t]
if missed:
    print("missed: " + ", ".join(missed))
    sys.exit(1)
print("both targets met")
PY
