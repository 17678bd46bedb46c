#!/usr/bin/env bash
# Proves the promises of build.rs about where specs come from, with
# KAFKA_MIRROR_OPENAPI_DIR pointing at copies of openapi/ (so nothing in the
# checkout changes, and the shared target directory is reused):
#  1. the build script re-runs when a spec or the variable changes, and at
#     no other time;
#  2. a folder that is missing, relative or lacks an API fails the build with
#     one line naming the variable and the folder;
#  3. a broken spec fails the build with one line naming the file, the
#     operation and the problem, and no progenitor panic.
# (That a field or an operation added to a copy is generated and works is
# proved by .ci/downstream.sh.)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$here/target}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
copy() { rm -rf "$work/specs"; cp -r "$here/openapi" "$work/specs"; }
say() { printf '\n== %s\n' "$*"; }
build() { KAFKA_MIRROR_OPENAPI_DIR="$1" cargo build -p kafka-mirror "${@:2}"; }

say "1. the build script re-runs on a spec or variable change and at no other time"
# (The output is captured first: `grep -q` closing the pipe early would
# make cargo fail under pipefail.)
reran() { local out; out="$(build "$work/specs" -vv 2>&1)"; grep -q 'Running `.*build-script-build`' <<<"$out"; }
copy
build "$work/specs" --quiet
sleep 1; touch src/lib.rs
if reran; then echo "FAIL: the build script re-ran although no spec changed"; exit 1; fi
sleep 1; touch "$work/specs/instaclustr/kafka-mirroring-v1.yaml"
if ! reran; then echo "FAIL: the build script did not re-run after a spec changed"; exit 1; fi
out="$(cargo build -p kafka-mirror -vv 2>&1)"
if ! grep -q 'Running `.*build-script-build`' <<<"$out"; then
  echo "FAIL: the build script did not re-run when the variable was unset"; exit 1
fi
echo "ok: re-ran after a spec change and a variable change only"

expect_failure() { # $1: label, $2: folder, $3: expected text in the message
  local out
  if out="$(build "$2" --quiet 2>&1)"; then echo "FAIL ($1): the build succeeded"; exit 1; fi
  if ! grep -qF -- "$3" <<<"$out"; then echo "FAIL ($1): expected '$3' in:"; echo "$out"; exit 1; fi
  if grep -q "panicked" <<<"$out"; then echo "FAIL ($1): a panic reached the user:"; echo "$out"; exit 1; fi
  # One line from the build script; cargo adds its own "build script logged
  # errors" after it.
  if [ "$(grep -c '^error: kafka-mirror@' <<<"$out")" -ne 1 ]; then echo "FAIL ($1): not one error line:"; echo "$out"; exit 1; fi
  echo "ok ($1): $(grep -m1 '^error: kafka-mirror@' <<<"$out")"
}

say "2. a folder that cannot be used fails with one line naming the variable"
expect_failure "missing folder" "$work/nowhere" "KAFKA_MIRROR_OPENAPI_DIR=$work/nowhere: no such folder"
expect_failure "relative path" "openapi" "KAFKA_MIRROR_OPENAPI_DIR=openapi is a relative path"
mkdir -p "$work/empty"
expect_failure "empty folder" "$work/empty" "KAFKA_MIRROR_OPENAPI_DIR=$work/empty has no confluent, instaclustr or instaclustr-v2 folder"
copy; rm -r "$work/specs/instaclustr"
expect_failure "an API missing" "$work/specs" "has no instaclustr folder"
copy; rm "$work/specs/instaclustr/"*
expect_failure "an empty API folder" "$work/specs" "no .yaml, .yml or .json spec in this folder (specs from KAFKA_MIRROR_OPENAPI_DIR="

say "3. broken specs fail with one clear message"
copy
sed -i 's/operationId: getMirror$/operationId: listMirrors/' "$work/specs/instaclustr/kafka-mirroring-v1.yaml"
expect_failure "duplicate operationId" "$work/specs" "instaclustr/kafka-mirroring-v1.yaml, listMirrors: operationId is used twice"
copy
# Two success answers with different schemas: progenitor itself panics on this.
python3 - "$work/specs/instaclustr/kafka-mirroring-v1.yaml" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
anchor = "      operationId: getMirror\n      responses:\n"
assert anchor in s
s = s.replace(anchor, anchor + "        '202':\n          description: other\n          content:\n            application/json:\n              schema:\n                type: array\n                items:\n                  type: integer\n", 1)
open(p, "w").write(s)
PY
expect_failure "progenitor panic" "$work/specs" "instaclustr/kafka-mirroring-v1.yaml, getMirror: progenitor cannot generate code for it"
copy
printf 'openapi: 3.0.0\ninfo: {title: x, version: "1"\n' > "$work/specs/instaclustr/broken.yaml"
expect_failure "invalid YAML" "$work/specs" "instaclustr/broken.yaml: not valid YAML"
echo
echo "regeneration checks: 9 passed, 0 failed"
