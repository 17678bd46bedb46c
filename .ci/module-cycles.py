#!/usr/bin/env python3
"""Fails when two top-level modules of a crate's src/ use each other,
directly or through others: the SDK's, and with --all every crate of the
workspace (the SDK, codegen, the emulator, the CLI).

A module is `src/<name>.rs` or `src/<name>/`. It uses another when its code
(comments aside) names `crate::<other>` or `$crate::<other>`, or an item the
crate root re-exports from it (`crate::Error` is `error`). Generated code
counts for the module that includes it: pass the build's OUT_DIR files
(`confluent.rs`, `confluent_mock.rs`, ...) as arguments, or let the script
find them under target/.

In the other crates a top-level module file's `super::<other>` counts too
(its `super` is the crate root).

Usage: .ci/module-cycles.py [GENERATED.rs ...]
       .ci/module-cycles.py --all
"""

import glob
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
SRC = os.path.join(ROOT, "src")

REFERENCE = re.compile(r"\$?crate::(\w+)")
GROUP = re.compile(r"\$?crate::\{([^}]*)\}", re.S)


def modules(src=SRC):
    out = {}
    for entry in os.listdir(src):
        path = os.path.join(src, entry)
        if entry in ("lib.rs", "main.rs"):
            continue
        if entry.endswith(".rs"):
            out[entry[:-3]] = [path]
        elif os.path.isdir(path):
            out[entry] = glob.glob(os.path.join(path, "**", "*.rs"), recursive=True)
    return out


def root_reexports(src=SRC):
    """`pub use error::{Error, ...}` in lib.rs: item name -> module."""
    root = os.path.join(src, "lib.rs")
    if not os.path.exists(root):
        return {}
    text = open(root).read()
    out = {}
    for m in re.finditer(r"pub use (\w+)::(\{[^}]*\}|\w+)", text, re.S):
        module, items = m.group(1), m.group(2).strip("{}")
        for item in re.split(r"[,\s]+", items):
            if item:
                out[item.split(" as ")[-1]] = module
    return out


def code(path):
    """The file without comments (doc links are not dependencies)."""
    lines = []
    for line in open(path, encoding="utf-8"):
        stripped = line.strip()
        if stripped.startswith("//"):
            continue
        lines.append(line.split(" // ")[0])
    return "".join(lines)


def uses(text, names, reexports):
    found = set()
    for m in GROUP.finditer(text):
        for part in re.split(r"[,\s]+", m.group(1)):
            found.add(part.split("::")[0])
    for m in REFERENCE.finditer(text):
        found.add(m.group(1))
    out = set()
    for name in found:
        if name in names:
            out.add(name)
        elif name in reexports:
            out.add(reexports[name])
    return out


def generated_files(args):
    files = args or glob.glob(os.path.join(ROOT, "target", "*", "build", "kafka-mirror-*", "out", "*.rs"))
    return files


def owner_of_generated(path, names):
    base = os.path.basename(path)[:-3]
    if base.endswith("_mock"):
        return "mock"
    return base if base in names else None


def find_cycle(graph):
    state = {}
    stack = []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                cycle = visit(nxt)
                if cycle:
                    return cycle
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


SUPER = re.compile(r"\bsuper::(\w+)")
SUPER_GROUP = re.compile(r"\bsuper::\{([^}]*)\}", re.S)


def check_crate(crate):
    """One crate other than the SDK: its modules and cycle, printed."""
    src = os.path.join(ROOT, crate, "src")
    mods = modules(src)
    names = set(mods)
    reexports = root_reexports(src)
    graph = {name: set() for name in names}
    for name, files in mods.items():
        for f in files:
            text = code(f)
            found = uses(text, names, reexports)
            top_level = os.path.dirname(f) == src or os.path.basename(f) == "mod.rs" and os.path.dirname(os.path.dirname(f)) == src
            if top_level:
                found |= {m.group(1) for m in SUPER.finditer(text)} & names
                for g in SUPER_GROUP.finditer(text):
                    found |= {p.split("::")[0] for p in re.split(r"[,\s]+", g.group(1))} & names
            graph[name] |= found - {name}
    print(f"{crate}/src:")
    for name in sorted(graph):
        print(f"  {name} -> {', '.join(sorted(graph[name])) or '(nothing)'}")
    cycle = find_cycle(graph)
    if cycle:
        print(f"import cycle among the modules of {crate}/src: " + " -> ".join(cycle), file=sys.stderr)
        return 1
    print(f"no import cycle among {len(names)} modules of {crate}/src")
    return 0


def main():
    if sys.argv[1:] == ["--all"]:
        sys.argv = sys.argv[:1]
        failed = main()
        for crate in ("codegen", "emulator", "cli", "test-support"):
            failed |= check_crate(crate)
        return failed
    mods = modules()
    names = set(mods)
    reexports = root_reexports()
    graph = {name: set() for name in names}
    for name, files in mods.items():
        for f in files:
            graph[name] |= uses(code(f), names, reexports) - {name}
    generated = generated_files(sys.argv[1:])
    for f in generated:
        owner = owner_of_generated(f, names)
        if owner:
            graph[owner] |= uses(code(f), names, reexports) - {owner}
    for name in sorted(graph):
        print(f"  {name} -> {', '.join(sorted(graph[name])) or '(nothing)'}")
    cycle = find_cycle(graph)
    if cycle:
        print("import cycle among the modules of src/: " + " -> ".join(cycle), file=sys.stderr)
        return 1
    print(f"no import cycle among {len(names)} modules ({len(generated)} generated files read)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
