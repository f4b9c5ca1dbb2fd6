#!/usr/bin/python3
"""ilnet against BioNetGen's run_network, whole process, side by side (issue 18).

For every model in ../shared/reference/bng/ (or --models), runs BioNetGen's stock
run_network, its -O3 build and `ilnet simulate`, alternating, --pairs times each, at
atol = rtol = --tol (default 1e-8) on the model's own output grid (settings.txt), each
writing its time course (.gdat/.cdat; ilnet --gdat). Prints per model: the median and
range of the paired ratios run_network / ilnet (each pair run back to back, so the
machine's drift cancels), the median whole-process times, ilnet's peak RSS, and the
largest relative error of each tool's observables against the reference .gdat (BioNetGen
at 1e-12/1e-10), as max |x - ref| / max |ref| per column.

usage: /usr/bin/python3 benchmarks/side_by_side.py [--pairs 5] [--tol 1e-8]
           [--models a,b] [--ilnet build/ilnet] [--scratch DIR]
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.join(HERE, "..", "..", "shared")
REF = os.path.join(SHARED, "reference", "bng")
RN = os.path.join(SHARED, "peers", "bionetgen", "bin")


def settings(model):
    st = {}
    for line in open(os.path.join(REF, model, "settings.txt")):
        if ":" in line:
            k, v = line.split(":", 1)
            st[k.strip()] = v.split()[0] if v.split() else ""
    return float(st.get("t_start", 0)), float(st["t_end"]), int(st["n_out"])


def timed(cmd, cwd):
    """Wall time and the child's peak RSS (MB) of one whole process."""
    t0 = time.perf_counter()
    r = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    dt = time.perf_counter() - t0
    if r.returncode:
        sys.exit(f"{' '.join(cmd)} failed ({r.returncode}): {r.stderr.strip()[:400]}")
    return dt


def peak_rss_mb(cmd, cwd):
    r = subprocess.run(["/usr/bin/time", "-f", "%M", *cmd], cwd=cwd, capture_output=True, text=True)
    return float(r.stderr.strip().splitlines()[-1]) / 1024


def error(gdat, model):
    ref = np.loadtxt(os.path.join(REF, model, model + ".gdat"), ndmin=2)
    got = np.loadtxt(gdat, ndmin=2)
    if got.shape != ref.shape:
        return float("nan")
    scale = np.maximum(np.abs(ref[:, 1:]).max(axis=0), 1e-300)
    return float((np.abs(got[:, 1:] - ref[:, 1:]).max(axis=0) / scale).max())


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pairs", type=int, default=5)
    ap.add_argument("--tol", default="1e-8")
    ap.add_argument("--models", default="")
    ap.add_argument("--ilnet", default=os.path.join(HERE, "..", "build", "ilnet"))
    ap.add_argument("--scratch", default="")
    a = ap.parse_args()
    models = a.models.split(",") if a.models else sorted(os.listdir(REF))
    scratch = a.scratch or tempfile.mkdtemp(prefix="ilnet_sbs_")
    os.makedirs(scratch, exist_ok=True)
    peers = [("run_network", os.path.join(RN, "run_network")),
             ("run_network-O3", os.path.join(RN, "run_network-O3"))]
    print(f"# side by side, whole process, atol = rtol = {a.tol}, {a.pairs} alternating pairs "
          f"per peer; ratio = peer time / ilnet time of the same pair ({time.strftime('%Y-%m-%d %H:%M')})")
    print(f"{'model':22s} {'species':>7s} {'rn_s':>7s} {'ilnet_s':>8s} {'ratio (range)':>22s} "
          f"{'O3 ratio (range)':>22s} {'ilnet_MB':>8s} {'err_rn':>8s} {'err_O3':>8s} {'err_ilnet':>9s}")
    for m in models:
        net = os.path.join(REF, m, m + ".net")
        t0, t1, n = settings(m)
        dt = (t1 - t0) / n
        il = [a.ilnet, "simulate", net, "--t-start", repr(t0), "--t-end", repr(t1), "--n-steps",
              str(n), "--atol", a.tol, "--rtol", a.tol, "--gdat", "il_" + m, "-q"]
        cmds = {name: [path, "-o", f"{name}_{m}", "-p", "cvode", "-a", a.tol, "-r", a.tol,
                       "--cdat", "1", "--fdat", "0", "-g", net, net, repr(dt), str(n)]
                for name, path in peers}
        ratios = {name: [] for name, _ in peers}
        times = {name: [] for name, _ in peers}
        times["ilnet"] = []
        for _ in range(a.pairs):
            for name, _ in peers:  # alternate: peer, ilnet, peer, ilnet ...
                tp = timed(cmds[name], scratch)
                ti = timed(il, scratch)
                ratios[name].append(tp / ti)
                times[name].append(tp)
                times["ilnet"].append(ti)
        species = sum(1 for _ in species_lines(net))
        rss = peak_rss_mb(il, scratch)
        errs = [error(os.path.join(scratch, f"{name}_{m}.gdat"), m) for name, _ in peers]
        errs.append(error(os.path.join(scratch, f"il_{m}.gdat"), m))
        cols = []
        for name, _ in peers:
            r = ratios[name]
            cols.append(f"{statistics.median(r):6.2f}x ({min(r):.2f}-{max(r):.2f})")
        print(f"{m:22s} {species:7d} {statistics.median(times['run_network']):7.3f} "
              f"{statistics.median(times['ilnet']):8.3f} {cols[0]:>22s} {cols[1]:>22s} {rss:8.1f} "
              f"{errs[0]:8.1e} {errs[1]:8.1e} {errs[2]:9.1e}", flush=True)


def species_lines(net):
    inside = False
    for line in open(net):
        s = line.strip()
        if s == "begin species":
            inside = True
        elif s == "end species":
            return
        elif inside and s and not s.startswith("#"):
            yield s


if __name__ == "__main__":
    main()
