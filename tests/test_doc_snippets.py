#!/usr/bin/python3
"""The Python snippets of the user docs run as written, on files made here the way the
docs make them: docs/study.md (a study with the groups it names), docs/hdf5-layout.md
(`ilnet simulate` on models/il2_receptor.net), docs/petab.md (`ilnet petab evaluate` on
Boehm 2014, with the numbers its comments quote) and docs/fitting.md (`ilnet fit`).
A snippet that raises, or whose commented result differs, fails.

usage: test_doc_snippets.py ILNET SRCDIR SCRATCH PETAB_BENCHMARK_DIR"""
import contextlib
import os
import re
import sys

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402

from ilnet_testlib import Checks, Scratch, run  # noqa: E402

ilnet, srcdir, scratch_dir, bench = (os.path.abspath(a) for a in sys.argv[1:5])
scratch = Scratch(scratch_dir, fresh=True)
check = Checks()


def snippets(doc):
    text = open(os.path.join(srcdir, "docs", doc)).read()
    return re.findall(r"```python\n(.*?)```", text, re.S)


_envs = {}


def run_snippet(doc, code):
    """Executes code line by line in the scratch directory, in one namespace per doc (its
    blocks read in sequence); returns {line: value} of the lines that are expressions
    (None when the snippet failed)."""
    env, values = _envs.setdefault(doc, {}), {}
    with contextlib.chdir(scratch.dir) if hasattr(contextlib, "chdir") else _cd(scratch.dir):
        for line in code.splitlines():
            src = line.strip()
            if not src or src.startswith("#"):
                continue
            try:
                try:
                    values[line] = eval(compile(src, doc, "eval"), env)
                except SyntaxError:
                    exec(compile(src, doc, "exec"), env)
            except Exception as e:  # a doc snippet must not raise
                check(False, f"{doc}: {src.strip()!r} raised {type(e).__name__}: {e}")
                return None
    return values


@contextlib.contextmanager
def _cd(d):
    old = os.getcwd()
    os.chdir(d)
    try:
        yield
    finally:
        os.chdir(old)


def must(r, what):
    return check.exits(r, 0, what)


# ---- docs/study.md: a small study with the reference's group names and axes
il2 = os.path.join(srcdir, "models", "il2_il7.bngl")
cfg = scratch.write("study.yaml", f"""model: {il2}
simulation: {{t_end: 10, n_steps: 5}}
output: {{observables: [pSTAT5_total]}}
experiments:
  - name: affinity
    type: sweep
    parameters:
      - {{name: kon_lig, values: [1e-3, 1e-2]}}
      - {{name: koff_IL2_IL2Ra, values: [1e-3, 1e-2]}}
      - {{name: R_A, values: [100, 1000]}}
  - name: il2_dose
    type: dose_response
    dose: {{parameter: L2_nM}}
    doses: [0.01, 0.1, 1.0, 10]
    readout: {{observable: pSTAT5_total, times: [10]}}
    series:
      - {{name: Treg, preset: human_treg}}
""")
if must(run([ilnet, "run", cfg, "-o", scratch.path("study.h5"), "--progress", "none"]),
        "study for docs/study.md"):
    for code in snippets("study.md"):
        v = run_snippet("study.md", code)
        if v is None:
            continue
        for line, val in v.items():
            m = re.search(r"\.dims\s*#\s*(\(.*\))", line)
            if m:
                check(tuple(val) == eval(m.group(1)),
                      f"docs/study.md: dims {tuple(val)} != the comment's {m.group(1)}")

# ---- docs/hdf5-layout.md: ilnet simulate -o OUT.h5
net = os.path.join(srcdir, "models", "il2_receptor.net")
if must(run([ilnet, "simulate", net, "--t-end", "10", "--n-steps", "5", "-o",
             scratch.path("OUT.h5")]), "simulate for docs/hdf5-layout.md"):
    for code in snippets("hdf5-layout.md"):
        v = run_snippet("hdf5-layout.md", code)
        if v is not None:
            sel = [val for line, val in v.items() if 'sel(species="A()")' in line]
            check(sel and sel[0].shape == (6,), "docs/hdf5-layout.md: A() over 6 times")

# ---- docs/petab.md: Boehm 2014 evaluated with its gradient
boehm = os.path.join(bench, "Boehm_JProteomeRes2014", "Boehm_JProteomeRes2014.yaml")
if must(run([ilnet, "petab", "evaluate", boehm, "--gradient", "-o", scratch.path("boehm.h5")],
            timeout=600), "petab evaluate for docs/petab.md"):
    for code in snippets("petab.md"):
        v = run_snippet("petab.md", code)
        if v is None:
            continue
        for line, val in v.items():
            m = re.search(r"#\s*([-\d., ]+)", line)
            if not m:
                continue
            want = [float(x) for x in re.findall(r"-?\d+\.\d+", m.group(1))]
            if not want:
                continue
            got = np.atleast_1d(np.asarray(val, float))
            digits = [len(x.split(".")[1]) for x in re.findall(r"-?\d+\.\d+", m.group(1))]
            ok = len(got) == len(want) and all(
                abs(round(g, d) - w) < 0.6 * 10 ** -d for g, w, d in zip(got, want, digits))
            check(ok, f"docs/petab.md: {line.split('#')[0].strip()} = {got}, comment {want}")

# ---- docs/fitting.md: a fit file (two starts on Boehm)
if must(run([ilnet, "fit", boehm, "--starts", "2", "--seed", "1", "--max-iter", "5", "-o",
             scratch.path("fit.h5")], timeout=900), "fit for docs/fitting.md"):
    for code in snippets("fitting.md"):
        v = run_snippet("fitting.md", code)
        if v is not None:
            llh = [val for line, val in v.items() if "waterfall" in line]
            check(llh and len(llh[0]) == 2 and llh[0][0] >= llh[0][1],
                  "docs/fitting.md: the waterfall is sorted, best first")

# ---- docs/python.md: the package over the library (not in sanitizer builds, where
# ctest does not give the library's path: Python cannot load it there)
if os.environ.get("ILNET_LIBRARY"):
    import shutil
    os.makedirs(scratch.path("configs"), exist_ok=True)
    with open(os.path.join(srcdir, "configs", "dose_response.yaml")) as f:
        text = f.read().replace("model: ../models/il2_il7.bngl", "model: il2_il7")
    scratch.write(os.path.join("configs", "dose_response.yaml"), text)
    bdir = os.path.join(bench, "Boehm_JProteomeRes2014")
    for name in os.listdir(bdir):
        shutil.copy(os.path.join(bdir, name), scratch.path(name))
    shutil.copy(scratch.path("Boehm_JProteomeRes2014.yaml"), scratch.path("problem.yaml"))
    blocks = snippets("python.md")
    check(len(blocks) == 3, f"docs/python.md: {len(blocks)} Python blocks, want 3")
    for code in blocks:
        v = run_snippet("python.md", code)
        if v is None:
            continue
        obs = [val for line, val in v.items() if line.startswith("list(m.observables)")]
        if obs:
            check(obs[0][:2] == ["pSTAT5_total", "STAT5_all"],
                  f"docs/python.md: list(m.observables) {obs[0][:2]}")
        exps = [val for line, val in v.items() if line.startswith("st.experiments")]
        if exps:
            check(exps[0] == ["il2_dose"], f"docs/python.md: st.experiments {exps[0]}")

check.finish("doc snippets")
