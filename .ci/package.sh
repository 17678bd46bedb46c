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
# The test-only crates (publish = false) are not packages.
cargo package --workspace --exclude kafka-mirror-other-clients --exclude kafka-mirror-test-support
cargo publish --dry-run --workspace --exclude kafka-mirror-other-clients --exclude kafka-mirror-test-support

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# The packages side by side as in the repository, so the test-support
# crate's paths (`..`, `../codegen`, `../emulator`) find the packaged ones.
sdk="$work/kafka-mirror"
tar xzf "$CARGO_TARGET_DIR/package/kafka-mirror-0.1.0.crate" -C "$work"
mv "$work/kafka-mirror-0.1.0" "$sdk"
for crate in codegen emulator; do
  tar xzf "$CARGO_TARGET_DIR/package/kafka-mirror-$crate-0.1.0.crate" -C "$work"
  mv "$work/kafka-mirror-$crate-0.1.0" "$sdk/$crate"
done
cp -r test-support "$sdk/test-support"
# Until they are published, the packages find each other here instead of
# on crates.io.
patches=(--config "patch.crates-io.kafka-mirror-codegen.path=\"$sdk/codegen\""
  --config "patch.crates-io.kafka-mirror.path=\"$sdk\"")
# `cargo package` drops path-only dev-dependencies: the tests' shared
# helpers (never published) are put back for this run.
printf '\n[dev-dependencies.kafka-mirror-test-support]\npath = "test-support"\n' >> "$sdk/Cargo.toml"

echo "== kafka-mirror-codegen's tests, from its package"
(cd "$sdk/codegen" && cargo test --quiet)

echo "== kafka-mirror's tests, from its package"
cd "$sdk"
# Prism for the contract tests, as the README's test command installs it.
npm ci --prefix tests/contract --silent
cargo test --quiet --all-features "${patches[@]}"
