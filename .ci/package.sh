#!/usr/bin/env bash
# Packages the workspace as crates.io would receive it, then runs the
# packaged SDK's and codegen's own tests from the extracted tarballs (not
# from the checkout), so a file the package leaves out or a test reading
# outside its package fails here.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$here/target}"
# Cargo extracts the packaged crates into its registry cache by name and
# version, and reuses an earlier extraction of the same version: on a machine
# that ran this before, a stale copy would be verified instead of this one.
rm -rf "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/kafka-mirror-*0.1.0 \
  "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/kafka-mirror-0.1.0
# The test-only crate (publish = false) is not a package.
cargo package --workspace --exclude kafka-mirror-other-clients
cargo publish --dry-run --workspace --exclude kafka-mirror-other-clients

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for crate in kafka-mirror-codegen kafka-mirror; do
  tar xzf "$CARGO_TARGET_DIR/package/$crate-0.1.0.crate" -C "$work"
done
# Until kafka-mirror-codegen is published, the packaged SDK finds it in the
# extracted tarball instead of on crates.io.
patch="patch.crates-io.kafka-mirror-codegen.path=\"$work/kafka-mirror-codegen-0.1.0\""

echo "== kafka-mirror-codegen's tests, from its package"
(cd "$work/kafka-mirror-codegen-0.1.0" && cargo test --quiet)

echo "== kafka-mirror's tests, from its package"
cd "$work/kafka-mirror-0.1.0"
# Prism for the contract tests, as the README's test command installs it.
npm ci --prefix tests/contract --silent
cargo test --quiet --all-features --config "$patch"
