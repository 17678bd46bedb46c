#!/usr/bin/env bash
# Proves that a crate user can build kafka-mirror from their own copy of the
# specs: tests/downstream is a separate crate that depends on this one by
# path and sets KAFKA_MIRROR_OPENAPI_DIR (in its .cargo/config.toml) to its
# own edited copy, with a field and an operation ours do not have.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
# One target directory with the rest of CI: only kafka-mirror itself is
# compiled again (from the other specs), not its dependencies.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$here/target}"
cd "$here/tests/downstream"
python3 edit-specs.py
# The SDK's own lock file, so the dependencies are the ones already built.
cp "$here/Cargo.lock" Cargo.lock
cargo test
