#!/usr/bin/env bash
# Mutation testing of the retry, rate-limit, pagination and transport
# modules with cargo-mutants (configuration: .cargo/mutants.toml; mutants
# that cannot change behaviour are listed in mutants-equivalent.md).
# Not part of .ci/run: each mutant rebuilds the crate, which takes hours for
# all four files on a 2-core machine. Exits non-zero when a mutant survives.
#
# Usage: .ci/mutants.sh [FILE...]   (default: the four files below;
# MUTANTS_JOBS=2 builds two mutants at once; MUTANTS_RE=REGEX tests only
# the mutants whose names match, to re-check survivors after a fix)
set -euo pipefail
cd "$(dirname "$0")/.."
version=27.1.0
if ! cargo mutants --version 2>/dev/null | grep -q "$version"; then
  cargo install cargo-mutants --locked --version "$version"
fi
files=("$@")
if [ ${#files[@]} -eq 0 ]; then
  files=(src/retry.rs src/rate_limit.rs src/paginate.rs src/transport.rs)
fi
args=()
for f in "${files[@]}"; do args+=(--file "$f"); done
if [ -n "${MUTANTS_RE:-}" ]; then args+=(--re "$MUTANTS_RE"); fi
# No incremental caches or full debug info: smaller, faster rebuilds.
export CARGO_INCREMENTAL=0 CARGO_PROFILE_DEV_DEBUG=line-tables-only
exec cargo mutants --test-package kafka-mirror --jobs "${MUTANTS_JOBS:-1}" --output "${MUTANTS_OUT:-target}" "${args[@]}"
