#!/usr/bin/python3
"""Benchmarks of `ilnet fit` (docs/fitting.md), printed as they finish.

usage: /usr/bin/python3 benchmarks/bench_fit.py [--ilnet build/ilnet] [--scratch DIR]
           [--parts boehm,threads,coverage,raia] [--starts 100] [--replicates 50]

boehm     Boehm 2014, --starts N (default 100) L-BFGS starts on 2 threads: best llh (the
          reference optimum is -138.222 at the nominal parameters), the fraction of starts
          within 0.1 of the best, time per start; then profiles of every parameter.
threads   Boehm, 40 starts on 1 and on 2 threads, alternating, 3 pairs: starts per second
          and the median of the paired ratios (goal >= 1.8).
coverage  a synthetic problem with noise: A <-> B (k1 = 0.5, k2 = 0.2, A0 = 10), A measured
          at 8 times with Gaussian noise sigma = 0.1 (numpy, seeded per replicate); each of
          --replicates (default 50) replicates fitted (4 starts) with profiles of k1, k2, A0:
          how often each 95 % profile interval holds the truth (goal >= 90 %).
raia      Raia 2011 (and with --parts bachmann, Bachmann 2011): best llh of --raia-starts
          starts (default 4; the issue asks for 100) against the nominal llh, the fraction of
          starts within 0.1 and 1 of the best, the median time per start and the exit
          statuses; the fit file SCRATCH/NAME.h5 is resumed when it exists, so a long run
          can be continued. --gradient chooses how (default auto: the adjoint for both).
"""
import argparse
import math
import os
import re
import statistics
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REF = os.path.join(HERE, "..", "..", "shared", "reference", "petab", "benchmark")
sys.path.insert(0, os.path.join(HERE, "..", "tests"))
from ilnet_testlib import ab_net, write_petab_problem  # noqa: E402


def fit(ilnet, yaml, *args):
    t0 = time.time()
    r = subprocess.run([ilnet, "fit", yaml, "-q", *args], capture_output=True, text=True)
    dt = time.time() - t0
    if r.returncode:
        sys.exit(f"bench_fit: ilnet fit {yaml} failed: {r.stderr.strip()}")
    best = float(re.search(r"^best llh: (\S+)$", r.stdout, re.M).group(1))
    cis = {m.group(1): (float(m.group(2)), float(m.group(3))) for m in
           re.finditer(r"^profile 95% CI: (\S+) (\S+) (\S+)$", r.stdout, re.M)}
    return best, cis, dt


def boehm(a):
    import h5py
    yaml = os.path.join(REF, "Boehm_JProteomeRes2014", "Boehm_JProteomeRes2014.yaml")
    out = os.path.join(a.scratch, "boehm.h5")
    best, _, dt = fit(a.ilnet, yaml, "--starts", str(a.starts), "--threads", "2", "-o", out)
    with h5py.File(out, "r") as f:
        llh, sec = f["llh"][:], f["seconds"][:]
    frac = float(np.mean(llh >= best - 0.1))
    print(f"boehm: {a.starts} starts in {dt:.1f} s (2 threads): best llh {best:.6f} "
          f"(reference -138.222); {100 * frac:.0f} % of starts within 0.1 of the best; "
          f"{statistics.median(sec):.2f} s per start (median)", flush=True)
    _, cis, dt = fit(a.ilnet, yaml, "--starts", str(a.starts), "--threads", "2",
                     "--profile", "all")
    print(f"boehm: {a.starts} starts + 9 profiles in {dt:.1f} s", flush=True)
    for k, (lo, hi) in cis.items():
        print(f"  {k}: [{lo:.4g}, {hi:.4g}]")


def threads(a):
    yaml = os.path.join(REF, "Boehm_JProteomeRes2014", "Boehm_JProteomeRes2014.yaml")
    ratios = []
    for rep in range(3):
        t = {}
        for n in ("1", "2"):
            _, _, t[n] = fit(a.ilnet, yaml, "--starts", "40", "--threads", n)
        ratios.append(t["1"] / t["2"])
        print(f"threads pair {rep + 1}: 1 thread {40 / t['1']:.2f} starts/s, 2 threads "
              f"{40 / t['2']:.2f} starts/s, ratio {ratios[-1]:.2f}", flush=True)
    print(f"threads: median paired ratio {statistics.median(ratios):.2f} (goal >= 1.8)")


def synthetic(d, seed):
    """The coverage problem with noise drawn from seed; returns its YAML path."""
    k1, k2, A0, sigma = 0.5, 0.2, 10.0, 0.1
    times = [0.5, 1, 2, 3, 5, 8, 12, 20]
    rng = np.random.default_rng(seed)
    rows = [f"obs_a\t\tc0\t{t}\t{A0 * (k2 + k1 * math.exp(-(k1 + k2) * t)) / (k1 + k2) + sigma * rng.standard_normal()!r}\n"
            for t in times]
    net = ab_net(["k1 0.5", "k2 0.2", "A0 10"], ["1 2 k1", "2 1 k2"], ["Aobs 1"])
    params = ["k1\tlog10\t0.001\t100\t1\t1\n", "k2\tlog10\t0.001\t100\t1\t1\n",
              "A0\tlog10\t0.1\t1000\t5\t1\n"]
    return write_petab_problem(d, net, params, "conditionId\nc0\n", rows)


def coverage(a):
    truth = {"k1": math.log10(0.5), "k2": math.log10(0.2), "A0": 1.0}
    hits = {k: 0 for k in truth}
    t0 = time.time()
    for rep in range(a.replicates):
        yaml = synthetic(os.path.join(a.scratch, f"cov{rep}"), 1000 + rep)
        _, cis, _ = fit(a.ilnet, yaml, "--starts", "4", "--threads", "2", "--profile", "all")
        for k, t in truth.items():
            lo, hi = cis[k]
            hits[k] += lo <= t <= hi
    print(f"coverage: {a.replicates} replicates in {time.time() - t0:.1f} s; 95 % profile "
          "intervals holding the truth: " +
          ", ".join(f"{k} {100 * h / a.replicates:.0f} %" for k, h in hits.items()) +
          " (goal >= 90 %)")


def heavy(a, name):
    sub = {"raia": "Raia_CancerResearch2011", "bachmann": "Bachmann_MSB2011"}[name]
    yaml = os.path.join(REF, sub, f"{sub}.yaml")
    r = subprocess.run([a.ilnet, "petab", "evaluate", yaml], capture_output=True, text=True)
    nominal = float(re.search(r"^llh: (\S+)$", r.stdout, re.M).group(1))
    out = os.path.join(a.scratch, f"{name}.h5")
    resume = ["--resume"] if os.path.exists(out) else []
    best, _, dt = fit(a.ilnet, yaml, "--starts", str(a.raia_starts), "--threads", "2",
                      "--gradient", a.gradient, "-o", out, *resume)
    import h5py
    with h5py.File(out, "r") as f:
        llh, sec = f["llh"][:], f["seconds"][:]
        names = {0: "not run", 1: "converged", 2: "limit", 3: "stalled", -1: "failed"}
        status = [names.get(int(s), str(s)) for s in f["status"][:]]
    done = np.isfinite(llh)
    counts = {s: status.count(s) for s in sorted(set(status))}
    print(f"{name}: best llh of {a.raia_starts} starts {best:.6f} (nominal {nominal:.6f}); "
          f"{100 * np.mean(llh[done] >= best - 0.1):.0f} % of finished starts within 0.1 of "
          f"the best, {100 * np.mean(llh[done] >= best - 1):.0f} % within 1; "
          f"{statistics.median(sec[done]):.1f} s per start (median, 2 threads); "
          f"{dt:.0f} s this run; statuses {counts}", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ilnet", default=os.path.join(HERE, "..", "build", "ilnet"))
    ap.add_argument("--scratch", default="/tmp/bench_fit")
    ap.add_argument("--parts", default="boehm,threads,coverage,raia")
    ap.add_argument("--starts", type=int, default=100)
    ap.add_argument("--replicates", type=int, default=50)
    ap.add_argument("--raia-starts", type=int, default=4)
    ap.add_argument("--gradient", default="auto", choices=("auto", "forward", "adjoint"))
    a = ap.parse_args()
    os.makedirs(a.scratch, exist_ok=True)
    for part in a.parts.split(","):
        if part == "boehm":
            boehm(a)
        elif part == "threads":
            threads(a)
        elif part == "coverage":
            coverage(a)
        elif part in ("raia", "bachmann"):
            heavy(a, part)
        else:
            sys.exit(f"bench_fit: unknown part '{part}'")


if __name__ == "__main__":
    main()
