#!/usr/bin/env python3
"""The shape of the production code, for docs/architecture.md's before/after table.

Usage: tools/code_shape.py [REV]   (default: the working tree)

Production code: every crates/*/src file except the simulators (crates/sim) and the fuzz
strategies (crates/fuzz), without `#[cfg(test)]` modules and test-only files (`tests.rs`,
`tests/`). Prints the longest functions, the largest files, and the `Arc<dyn …>` fields of the
domain's use-case structs.
"""
import os
import re
import subprocess
import sys

REV = sys.argv[1] if len(sys.argv) > 1 else None


def files():
    if REV:
        out = subprocess.run(["git", "ls-tree", "-r", "--name-only", REV, "crates"],
                             capture_output=True, text=True, check=True).stdout
    else:
        out = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "crates"],
                             capture_output=True, text=True, check=True).stdout
    for path in out.split():
        if not path.endswith(".rs") or "/src/" not in path:
            continue
        if path.startswith(("crates/sim/", "crates/fuzz/")):
            continue
        if path.endswith("/tests.rs") or "/tests/" in path.split("/src/", 1)[1]:
            continue
        if not REV and not os.path.exists(path):
            continue  # deleted in the working tree
        yield path


def read(path):
    if REV:
        return subprocess.run(["git", "show", f"{REV}:{path}"], capture_output=True,
                              text=True, check=True).stdout
    with open(path, encoding="utf-8") as f:
        return f.read()


def production_lines(text):
    """The file's lines without `#[cfg(test)]` items (a module or a function, brace-matched)."""
    lines = text.split("\n")
    keep, i = [], 0
    while i < len(lines):
        if lines[i].strip().startswith("#[cfg(test)]"):
            # Skip the attribute and the item after it, up to its closing brace (or `;`).
            depth, started, j = 0, False, i + 1
            while j < len(lines):
                depth += lines[j].count("{") - lines[j].count("}")
                started = started or "{" in lines[j]
                if (started and depth <= 0) or (not started and lines[j].rstrip().endswith(";")):
                    break
                j += 1
            i = j + 1
            continue
        keep.append(lines[i])
        i += 1
    while keep and not keep[-1].strip():
        keep.pop()
    return keep


FN = re.compile(r"^\s*(pub(\([^)]*\))?\s+)?(const\s+)?(async\s+)?(unsafe\s+)?fn\s+(\w+)")


def functions(path, lines):
    for i, line in enumerate(lines):
        m = FN.match(line)
        if not m:
            continue
        depth, started = 0, False
        for j in range(i, len(lines)):
            # Signatures may span lines; the body starts at the first `{`.
            code = re.sub(r'"(\\.|[^"\\])*"', '""', lines[j].split("//")[0])
            if not started and code.rstrip().endswith(";") and "{" not in code:
                break  # a declaration without a body (a trait method)
            depth += code.count("{") - code.count("}")
            started = started or "{" in code
            if started and depth <= 0:
                yield (j - i + 1, f"{path}:{i + 1}", m.group(6))
                break


def main():
    sizes, fns, arcs = [], [], []
    for path in files():
        lines = production_lines(read(path))
        sizes.append((len(lines), path))
        fns.extend(functions(path, lines))
        if path.startswith("crates/domain/src/usecases/"):
            text = "\n".join(lines)
            for m in re.finditer(r"pub struct (\w+)[^{;]*\{(.*?)\n\}", text, re.S):
                count = len(re.findall(r"Arc<dyn ", m.group(2)))
                if count:
                    arcs.append((count, f"{m.group(1)} ({path})"))
    print(f"# production code at {REV or 'the working tree'}")
    print(f"files: {len(sizes)}, lines: {sum(n for n, _ in sizes)}")
    print(f"files over 600 lines: {sum(1 for n, _ in sizes if n > 600)}; "
          f"functions over 80 lines: {sum(1 for n, _, _ in fns if n > 80)}")
    print("\nlargest files:")
    for n, path in sorted(sizes, reverse=True)[:5]:
        print(f"  {n:5} {path}")
    print("\nlongest functions:")
    for n, where, name in sorted(fns, reverse=True)[:5]:
        print(f"  {n:5} {name} ({where})")
    print("\nArc<dyn …> fields of use-case structs (most first):")
    for n, name in sorted(arcs, reverse=True)[:6]:
        print(f"  {n:5} {name}")


if __name__ == "__main__":
    main()
