#!/usr/bin/python3
"""Prints the longest functions of the library (src/ but the command line) and fails when one
is longer than the limit. Functions are found the way .clang-format lays them out: the body
opens with '{' in column 0 and closes with '}' in column 0; the length counts from the first
line of the signature to the closing brace."""
import argparse
import os
import re
import sys

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ap = argparse.ArgumentParser(description=__doc__)
ap.add_argument("--limit", type=int, default=120)
ap.add_argument("--top", type=int, default=5)
ap.add_argument("dirs", nargs="*", default=["src/common", "src/model", "src/solver",
                                             "src/experiment", "src/output"])
a = ap.parse_args()

funcs = []
for d in a.dirs:
    for dp, _, fs in os.walk(os.path.join(root, d)):
        for f in sorted(fs):
            if not f.endswith(".c"):
                continue
            path = os.path.join(dp, f)
            lines = open(path, encoding="utf-8", errors="replace").read().split("\n")
            i = 0
            while i < len(lines):
                if lines[i].startswith("{"):
                    # the signature: back to the line that starts the declaration
                    s = i - 1
                    while s > 0 and lines[s - 1].strip() and not lines[s - 1].rstrip().endswith(
                            (";", "}", "*/")) and not lines[s - 1].startswith("#"):
                        s -= 1
                    e = i + 1
                    while e < len(lines) and not lines[e].startswith("}"):
                        e += 1
                    m = re.search(r"([A-Za-z_]\w*)\s*\(", lines[s] + " " + lines[i - 1])
                    name = m.group(1) if m else "?"
                    funcs.append((e - s + 1, os.path.relpath(path, root), s + 1, name))
                    i = e
                i += 1
funcs.sort(reverse=True)
for n, path, line, name in funcs[: a.top]:
    print(f"{n:5d} lines  {path}:{line}  {name}")
over = [f for f in funcs if f[0] > a.limit]
if over:
    print(f"function_lengths: {len(over)} function(s) longer than {a.limit} lines", file=sys.stderr)
    sys.exit(1)
