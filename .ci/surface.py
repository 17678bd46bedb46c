#!/usr/bin/env python3
"""Lists the public surface of the kafka-mirror library: every `pub` item
of the hand-written modules under src/ (with the impl, struct, enum or trait
it belongs to), and the generated clients' operations, builders, setters and
types, read from the build's generated files. The listing is committed as
api-surface.txt; CI regenerates it and fails on a difference, so a change
of the API shows up in review.

Usage: .ci/surface.py [--check]     (--check: compare with api-surface.txt)

Run after `cargo build --all-features` (the generated files come from the
build that had the `mock` feature). Text-based: rustfmt's and prettyplease's
layout (one item per line, closing braces at the item's indentation) is
what it reads.
"""

import glob
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
SRC = os.path.join(ROOT, "src")
LISTING = os.path.join(ROOT, "api-surface.txt")

PUB = re.compile(r"^pub (async fn|fn|struct|enum|trait|type|const|static|mod|use|unsafe fn)\b")
FIELD = re.compile(r"^pub [a-z_][a-z0-9_]*\s*:")
HEADER = re.compile(r"^(pub )?(impl\b|struct\b|enum\b|trait\b|mod\b|macro_rules!)")
TEST_MOD = re.compile(r"^#\[cfg\((test|doctest)\)\]")


def signature(line):
    """The item's first line, without its body or trailing `{`."""
    text = line.strip()
    for end in (" {", " where", ";"):
        if end in text:
            text = text.split(end)[0]
    return text.rstrip(" ,")


def items(path, module):
    out = []
    stack = []  # (indent, header)
    skip_below = None
    pending_test = False
    in_block_comment = False
    for raw in open(path, encoding="utf-8"):
        if not raw.strip():
            continue
        # Doc blocks (`/** ... */`, which prettyplease writes) say nothing
        # of the surface, and their lines would look like items.
        if in_block_comment:
            in_block_comment = "*/" not in raw
            continue
        if raw.strip().startswith("/*"):
            in_block_comment = "*/" not in raw
            continue
        indent = len(raw) - len(raw.lstrip())
        line = raw.strip()
        if skip_below is not None:
            if indent <= skip_below and line.startswith("}"):
                skip_below = None
            continue
        if line.startswith("//") or line.startswith("#!"):
            continue
        if TEST_MOD.match(line):
            pending_test = True
            continue
        if line.startswith("#["):
            continue
        if pending_test:
            pending_test = False
            if line.endswith("{"):
                skip_below = indent
            continue
        while stack and indent <= stack[-1][0] and not line.startswith("}"):
            stack.pop()
        if line.startswith("}"):
            while stack and indent <= stack[-1][0]:
                stack.pop()
            continue
        context = " > ".join(signature(h) for _, h in stack)
        # A macro that writes public methods (listed under its
        # `macro_rules!`) into this impl.
        if stack and re.match(r"^[a-z_]+!\(\);$", line):
            out.append(f"{module} :: {context} > {line}")
        if PUB.match(line) or (FIELD.match(line) and stack):
            entry = signature(line)
            out.append(f"{module} :: {context + ' > ' if context else ''}{entry}")
        if HEADER.match(line) and line.endswith("{"):
            stack.append((indent, line))
    return out


def module_of(path):
    rel = os.path.relpath(path, SRC)[:-3]
    parts = [p for p in rel.split(os.sep) if p not in ("mod", "lib")]
    return "::".join(["kafka_mirror"] + parts)


def generated_files():
    dirs = glob.glob(os.path.join(ROOT, "target", "*", "build", "kafka-mirror-*", "out"))
    with_mock = [d for d in dirs if os.path.exists(os.path.join(d, "confluent_mock.rs"))]
    if not with_mock:
        sys.exit("no build with the mock feature under target/: run `cargo build --all-features` first")
    newest = max(with_mock, key=lambda d: os.path.getmtime(os.path.join(d, "confluent.rs")))
    return sorted(glob.glob(os.path.join(newest, "*.rs")))


def listing():
    lines = []
    for path in sorted(glob.glob(os.path.join(SRC, "**", "*.rs"), recursive=True)):
        if os.path.basename(path).endswith("_test.rs"):
            continue
        lines += items(path, module_of(path))
    for path in generated_files():
        name = os.path.basename(path)[:-3]
        lines += items(path, f"kafka_mirror::{name.replace('_mock', '::mock')} (generated)")
    return "\n".join(lines) + "\n"


def main():
    text = listing()
    if sys.argv[1:] == ["--check"]:
        committed = open(LISTING, encoding="utf-8").read() if os.path.exists(LISTING) else ""
        if committed != text:
            import difflib

            sys.stdout.writelines(
                difflib.unified_diff(
                    committed.splitlines(True), text.splitlines(True), "api-surface.txt", "now"
                )
            )
            print(
                "the public surface changed: run .ci/surface.py > api-surface.txt and commit it",
                file=sys.stderr,
            )
            return 1
        print(f"the public surface is as committed ({text.count(chr(10))} lines)")
        return 0
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
