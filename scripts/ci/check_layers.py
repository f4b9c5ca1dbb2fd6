#!/usr/bin/python3
"""Checks that #include lines follow the layers, one way:

    common <- model <- solver <- experiment <- output <- cli

A file under src/<layer>/ may include headers of its own layer and of the layers before it;
public headers (include/ilnet/) include only public headers; nothing under src/ but the
command line reaches into src/cli. Prints every include that runs the other way, with
file:line, and exits 1 when there is one.

    scripts/ci/check_layers.py [ROOT]    (default: the checkout holding this script)"""
import os
import re
import sys

LAYERS = ["common", "model", "solver", "experiment", "output", "cli"]
root = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
inc = re.compile(r'^\s*#\s*include\s+([<"])([^>"]+)[>"]')
bad = []
checked = 0


def layer_of(path):
    rel = os.path.relpath(path, os.path.join(root, "src"))
    top = rel.split(os.sep)[0]
    return LAYERS.index(top) if top in LAYERS else None


def check_file(path):
    global checked
    src_layer = layer_of(path)
    public = os.path.relpath(path, root).startswith(os.path.join("include", "ilnet"))
    for n, line in enumerate(open(path, encoding="utf-8", errors="replace"), 1):
        m = inc.match(line)
        if not m:
            continue
        kind, name = m.groups()
        checked += 1
        where = f"{os.path.relpath(path, root)}:{n}"
        if name.startswith("ilnet/"):
            continue  # the public API: every layer may use it
        if public:
            if kind == '"' and not os.path.exists(os.path.join(os.path.dirname(path), name)):
                bad.append(f"{where}: public header includes '{name}', which is not public")
            elif kind == '"' and os.path.dirname(os.path.normpath(
                    os.path.join(os.path.dirname(path), name))) != os.path.dirname(path):
                bad.append(f"{where}: public header includes '{name}' outside include/ilnet")
            continue
        if kind == "<":
            continue  # system and dependency headers
        target = os.path.normpath(os.path.join(os.path.dirname(path), name))
        if not os.path.exists(target):
            bad.append(f"{where}: '{name}' does not resolve next to the file (use relative "
                       "includes inside src/)")
            continue
        if os.path.relpath(target, root).startswith(os.path.join("include", "ilnet")):
            continue
        dst_layer = layer_of(target)
        if dst_layer is None:
            bad.append(f"{where}: includes '{name}' from outside src/")
        elif dst_layer > src_layer:
            bad.append(f"{where}: {LAYERS[src_layer]} includes {LAYERS[dst_layer]} "
                       f"('{name}'): layers run {' <- '.join(LAYERS)}")


for base in ("src", os.path.join("include", "ilnet")):
    for dp, _, fs in os.walk(os.path.join(root, base)):
        for f in sorted(fs):
            if f.endswith((".c", ".cpp", ".h", ".h.in")):
                check_file(os.path.join(dp, f))
for b in bad:
    print(b)
print(f"check_layers: {checked} includes checked, {len(bad)} against the layers",
      file=sys.stderr)
sys.exit(1 if bad else 0)
