#!/usr/bin/env python3
"""Builds the README's Rust examples as a crate user's crate would.

The crate's manifest is made from the README's own `[dependencies]` block
(the one naming kafka-mirror), with the git dependency pointed at this
checkout instead, and every `rust` block of the README (hidden `# ` lines
included, as rustdoc compiles them; `ignore` blocks skipped) becomes a module
of its `src/lib.rs`. So a missing dependency, a missing `use` or a renamed
method in the README fails CI.

Usage: .ci/readme-crate.py   (CARGO_TARGET_DIR is shared when set)
"""

import os
import re
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
README = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
BLOCK = re.compile(r"^```([^\n]*)\n(.*?)^```", re.S | re.M)


def blocks():
    for m in BLOCK.finditer(README):
        yield m.group(1).strip(), m.group(2)


def dependencies():
    for info, body in blocks():
        if info == "toml" and body.lstrip().startswith("[dependencies]") and "kafka-mirror" in body:
            lines = []
            for line in body.splitlines():
                if line.startswith("kafka-mirror "):
                    if 'git = "' not in line:
                        sys.exit(f"the README's kafka-mirror dependency is not a git dependency: {line}")
                    line = re.sub(r'git = "[^"]*"', f'path = "{ROOT}"', line)
                lines.append(line)
            return "\n".join(lines) + "\n"
    sys.exit("the README has no [dependencies] block naming kafka-mirror")


def rust_modules():
    out = []
    for info, body in blocks():
        tags = [t.strip() for t in info.split(",")]
        if tags[0] != "rust" or "ignore" in tags:
            continue
        code = []
        for line in body.splitlines():
            stripped = line.lstrip()
            if stripped == "#":
                line = ""
            elif stripped.startswith("# "):
                line = line.replace("# ", "", 1)
            code.append(line)
        out.append("\n".join(code))
    if not out:
        sys.exit("the README has no rust block")
    return out


def main():
    crate = os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "readme-crate")
    os.makedirs(os.path.join(crate, "src"), exist_ok=True)
    manifest = (
        '[package]\nname = "readme-crate"\nversion = "0.0.0"\nedition = "2024"\npublish = false\n\n'
        "[workspace]\n\n" + dependencies()
    )
    open(os.path.join(crate, "Cargo.toml"), "w").write(manifest)
    modules = rust_modules()
    lib = ["//! The README's Rust blocks, one module each (made by .ci/readme-crate.py).", ""]
    for n, code in enumerate(modules, 1):
        lib.append(f"#[allow(dead_code, unused_imports, unused_variables, clippy::all)]\nmod block_{n} {{")
        lib.append("pub fn block() {")
        lib.append(code)
        lib.append("}\n}\n")
    open(os.path.join(crate, "src", "lib.rs"), "w").write("\n".join(lib))
    # The SDK's lock file: the dependencies already built are reused.
    lock = os.path.join(ROOT, "Cargo.lock")
    open(os.path.join(crate, "Cargo.lock"), "w").write(open(lock).read())
    print(f"README crate: {len(modules)} Rust blocks, dependencies:\n{dependencies()}")
    result = subprocess.run(["cargo", "build", "--quiet"], cwd=crate)
    if result.returncode != 0:
        sys.exit("the README's examples do not build as a user's crate")
    print(f"ok: the README's {len(modules)} Rust blocks build as a user's crate")


if __name__ == "__main__":
    main()
