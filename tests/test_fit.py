#!/usr/bin/python3
"""ilnet fit (docs/fitting.md) on problems whose truth is known in closed form.

1. A <-> B (k1, k2) from A(0) = A0, A observed at 8 times without noise (data from the
   closed form A(t) = A0 (k2 + k1 e^{-(k1+k2)t}) / (k1+k2)); k1, k2, A0 estimated on
   log10 scales: every optimizer's best start recovers them within 1e-4 relative; the 95 %
   profile intervals hold the truth and agree with the Fisher intervals; -o writes the best
   fit's simulations (= the closed form), a PEtab table and a presets file ilnet simulate
   accepts; scripts/plot_fit.py draws waterfall, fit and profiles.
2. The same network pre-equilibrated to its steady state (a conservation law: A + B = A0)
   with a stimulus s off, then simulated with it on (forward rate k1 (1 + s)): data from
   A(t) = A_inf + (A* - A_inf) e^{-(k1 (1+s) + k2) t}; k1, k2, s recovered within 1e-4.
3. --threads 1 and 2 give the same starts, bit for bit.
4. kill -9 during a fit with -o, then --resume: the starts finished before the kill are
   unchanged, and the file equals an uninterrupted run's (theta, llh, status per start);
   SIGINT stops a fit at once with a one-line count of the starts kept, and --resume
   completes it to the same result.
5. Boehm 2014: the best of 40 L-BFGS starts (seed 1) reaches llh >= -138.23, with forward
   sensitivities and with adjoint gradients alike (--gradient adjoint; the fit file says
   which); profiles on a reduced grid: every parameter with a finite interval (7 of 9)
   holds its nominal value.
6. Bad input: bounds that exclude the nominal value, zero-width bounds, a log-scaled
   parameter with a non-positive bound, nothing estimated: one line naming the file, row and
   parameter, exit 1.

usage: test_fit.py ILNET PETAB_BENCHMARK_DIR SCRATCH"""
import math
import os
import re
import signal
import subprocess
import sys
import time

import h5py
import numpy as np

from ilnet_testlib import Checks, Scratch, ab_net, run, write_petab_problem

ilnet, bench = sys.argv[1:3]
scratch = Scratch(sys.argv[3], fresh=True)
check = Checks(verbose=True)

NET = ab_net(["k1 0.5", "k2 0.2", "A0 10", "s 0"], ["1 2 k1*(1+s)", "2 1 k2"], ["Aobs 1"])
TIMES = [0.5, 1, 2, 3, 5, 8, 12, 20]


def problem(name, params, conditions, meas_rows):
    """Writes a PEtab problem NAME/problem.yaml on NET; returns its path."""
    return write_petab_problem(scratch.path(name), NET, params, conditions, meas_rows)


def fit(yaml, *args, timeout=600):
    r = run([ilnet, "fit", yaml, "-q", *args], timeout=timeout)
    best = re.search(r"^best llh: (\S+)$", r.stdout, re.M)
    values = dict((m.group(1), float(m.group(3)))
                  for m in re.finditer(r"^  (\S+) (\S+) \((\S+)\)$", r.stdout, re.M))
    return r, float(best.group(1)) if best else None, values


# 1. closed-form relaxation
k1, k2, A0 = 0.5, 0.2, 10.0
rows = [f"obs_a\t\tc0\t{t}\t{A0 * (k2 + k1 * math.exp(-(k1 + k2) * t)) / (k1 + k2)!r}\n"
        for t in TIMES]
p1 = problem("relax",
             ["k1\tlog10\t0.001\t100\t1\t1\n", "k2\tlog10\t0.001\t100\t1\t1\n",
              "A0\tlog10\t0.1\t1000\t5\t1\n", "s\tlin\t0\t1\t0\t0\n"],
             "conditionId\nc0\n", rows)
for opt, grad in (("lbfgs", "forward"), ("lbfgs", "adjoint"), ("ls-trust", "forward")):
    r, best, v = fit(p1, "--starts", "8", "--threads", "2", "--optimizer", opt, "--gradient", grad)
    check.exits(r, 0, f"relaxation fit ({opt}, {grad})")
    for name, want in (("k1", k1), ("k2", k2), ("A0", A0)):
        check(name in v and abs(v[name] - want) <= 1e-4 * want,
              f"relaxation ({opt}, {grad}): {name} = {v.get(name)}, truth {want}")

# 1b. uncertainty and outputs on the relaxation: the 95 % profile interval of each parameter
# contains the truth (noiseless data) and agrees with the Fisher interval (the problem is
# nearly linear there) within 10 % of its width; the file has the best fit's simulations (the
# closed form), the parameter table and the presets file carry the best values, the presets
# file is accepted by ilnet simulate, and the plot script writes its three figures
out = scratch.path("relax.h5")
r, best, v = fit(p1, "--starts", "4", "--threads", "2", "--profile", "all", "-o", out)
check.exits(r, 0, "relaxation with --profile all -o")
ci = {}
for m in re.finditer(r"^(fisher|profile) 95% CI: (\S+) (\S+) (\S+)$", r.stdout, re.M):
    ci[(m.group(1), m.group(2))] = (float(m.group(3)), float(m.group(4)))
for name, want in (("k1", k1), ("k2", k2), ("A0", A0)):
    lo, hi = ci.get(("profile", name), (math.nan, math.nan))
    flo, fhi = ci.get(("fisher", name), (math.nan, math.nan))
    t = math.log10(want)
    check(lo < t < hi and hi - lo < 0.2, f"{name}: profile CI [{lo}, {hi}] holds log10 truth {t}")
    check(abs(flo - lo) < 0.1 * (hi - lo) and abs(fhi - hi) < 0.1 * (hi - lo),
          f"{name}: Fisher CI [{flo}, {fhi}] near the profile's [{lo}, {hi}]")
if r.returncode == 0:
    with h5py.File(out, "r") as f:
        g = f["best_fit"]
        tt = g["time"][:]
        closed = A0 * (k2 + k1 * np.exp(-(k1 + k2) * tt)) / (k1 + k2)
        check.close(g["simulated"][:], closed, 1e-6, 1e-9, "best_fit/simulated vs closed form")
        check(set(f["profiles"].keys()) == {"k1", "k2", "A0"}, "a profile per parameter")
        check(f.attrs["status"] == "complete", "fit file complete")
    stem = out[:-3]
    rows = {ln.split("\t")[0]: ln.split("\t") for ln in open(stem + ".parameters.tsv")}
    check(abs(float(rows["k1"][4]) - k1) <= 1e-4 * k1, f"parameters.tsv k1 {rows['k1'][4]}")
    r2 = run([ilnet, "simulate", os.path.join(os.path.dirname(p1), "model.net"), "--presets",
              stem + ".presets.yaml", "--preset", "fit", "--t-end", "2", "--n-steps", "2", "-o",
              scratch.path("fitsim.h5")])
    check.exits(r2, 0, "ilnet simulate with the fit's presets file")
    with h5py.File(scratch.path("fitsim.h5"), "r") as f:
        pv = dict(zip([x.decode() for x in f["parameter"][:]], f["parameter_values"][:]))
    check(abs(pv["k2"] - k2) <= 1e-4 * k2, f"the preset set k2 = {pv['k2']}")
    plots = scratch.path("plots")
    r3 = run(["/usr/bin/python3", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                               "scripts", "plot_fit.py"), out, "-o", plots])
    check.exits(r3, 0, "plot_fit.py")
    for png in ("waterfall.png", "fit.png", "profiles.png"):
        check(os.path.getsize(os.path.join(plots, png)) > 5000, f"plot {png} written")

# 2. steady-state pre-equilibration, a conservation law, a stimulus
sv = 1.5
Astar = A0 * k2 / (k1 + k2)
rate = k1 * (1 + sv) + k2
Ainf = A0 * k2 / (k1 * (1 + sv) + k2)
rows = [f"obs_a\tpre\tstim\t{t}\t{Ainf + (Astar - Ainf) * math.exp(-rate * t)!r}\n" for t in TIMES]
rows.append(f"obs_a\t\tpre\tinf\t{Astar!r}\n")
p2 = problem("preeq",
             ["k1\tlog10\t0.001\t100\t1\t1\n", "k2\tlog10\t0.001\t100\t1\t1\n",
              "A0\tlin\t0\t100\t10\t0\n", "s_on\tlog10\t0.01\t100\t1\t1\n"],
             "conditionId\ts\npre\t0\nstim\ts_on\n", rows)
r, best, v = fit(p2, "--starts", "8", "--threads", "2")
check.exits(r, 0, "pre-equilibrated fit")
for name, want in (("k1", k1), ("k2", k2), ("s_on", sv)):
    check(name in v and abs(v[name] - want) <= 1e-4 * want,
          f"pre-equilibrated: {name} = {v.get(name)}, truth {want}")


# 3. threads
def starts(path):
    with h5py.File(path, "r") as f:
        return f["theta"][:], f["llh"][:], f["status"][:], f["theta0"][:]


for t in ("1", "2"):
    r, _, _ = fit(p1, "--starts", "6", "--threads", t, "-o", scratch.path(f"t{t}.h5"))
    check.exits(r, 0, f"--threads {t}")
a, b = starts(scratch.path("t1.h5")), starts(scratch.path("t2.h5"))
check(all(np.array_equal(x, y) for x, y in zip(a, b)), "1 and 2 threads: the same starts")
import xarray as xr  # noqa: E402

ds = xr.open_dataset(scratch.path("t1.h5"), engine="h5netcdf")
check(ds["theta"].dims == ("start", "parameter") and ds["llh"].dims == ("start",)
      and list(ds["parameter"].values) == ["k1", "k2", "A0"],
      f"xarray sees theta{ds['theta'].dims} with parameter names")
ds.close()

# 4. kill -9 and --resume (the kill lands at a fraction of the uninterrupted time; tried at
# other fractions when it caught no start or all of them)
whole, part = scratch.path("whole.h5"), scratch.path("part.h5")
N = 150
args = ["--starts", str(N), "--threads", "2", "--optimizer", "ls-trust"]
t0 = time.time()
r, best_whole, _ = fit(p2, *args, "-o", whole)
full = time.time() - t0
check.exits(r, 0, "uninterrupted fit")
for frac in (0.4, 0.2, 0.7):
    p = subprocess.Popen([ilnet, "fit", p2, "-q", *args, "-o", part], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    time.sleep(frac * full)
    p.send_signal(signal.SIGKILL)
    p.wait()
    with h5py.File(part, "r") as f:
        before = f["status"][:].copy(), f["theta"][:].copy()
    n_before = int((before[0] != 0).sum())
    print(f"killed after {frac * full:.2f} s of {full:.2f} s: {n_before} of {N} starts finished")
    if 0 < n_before < N:
        break
check(0 < n_before < N, f"the kill left some but not all starts finished ({n_before})")
r, best_part, _ = fit(p2, *args, "-o", part, "--resume")
check.exits(r, 0, "--resume")
a, b = starts(whole), starts(part)
done = before[0] != 0
check(np.array_equal(b[0][done], before[1][done]), "finished starts unchanged by --resume")
check(all(np.array_equal(x, y) for x, y in zip(a, b)), "resumed file equals the uninterrupted one")
check(best_part == best_whole, f"best llh {best_part} vs {best_whole}")
r, best_again, _ = fit(p2, *args, "-o", part, "--resume")
check.exits(r, 0, "--resume of a finished fit file")
check(best_again == best_whole, f"resumed finished file: best llh {best_again}")
with h5py.File(part, "r") as f:
    check(f.attrs["status"] == "complete" and np.array_equal(f["theta"][:], a[0]),
          "a finished file resumed keeps its starts")

# 4b. SIGINT: the fit stops within seconds (the starts in flight abandoned), says how many
# starts it kept, leaves the file running; --resume completes it equal to the uninterrupted run
intr = scratch.path("intr.h5")
p = subprocess.Popen([ilnet, "fit", p2, "-q", *args, "-o", intr], stdout=subprocess.DEVNULL,
                     stderr=subprocess.PIPE, text=True)
time.sleep(0.3 * full)
t_sig = time.time()
p.send_signal(signal.SIGINT)
err = p.communicate(timeout=60)[1]
print(f"SIGINT after {0.3 * full:.2f} s: exit {p.returncode} {time.time() - t_sig:.2f} s later: "
      f"{err.strip()}")
m = re.search(r"fit interrupted: (\d+) of (\d+) starts finished .*--resume continues", err)
if p.returncode != 0 or m:  # a fit that finished before the signal has nothing to check
    check(p.returncode == 1 and m is not None and err.count("\n") == 1,
          f"SIGINT: exit {p.returncode}, one line: {err!r}")
    with h5py.File(intr, "r") as f:
        kept = int((f["status"][:] != 0).sum())
        check(f.attrs["status"] == "running" and m and kept == int(m.group(1)),
              f"SIGINT: file running with the {kept} starts the message counts")
    r = run([ilnet, "fit", p2, "-q", *args, "-o", intr, "--resume"], timeout=600)
    check.exits(r, 0, "--resume after SIGINT")
    check(np.array_equal(starts(intr)[0], starts(whole)[0]), "after SIGINT + --resume: = whole")

# 5. Boehm
boehm = os.path.join(bench, "Boehm_JProteomeRes2014", "Boehm_JProteomeRes2014.yaml")
for grad in ("forward", "adjoint"):
    out = scratch.path(f"boehm_{grad}.h5")
    r, best, v = fit(boehm, "--starts", "40", "--threads", "2", "--optimizer", "lbfgs",
                     "--gradient", grad, "-o", out)
    check.exits(r, 0, f"Boehm fit ({grad})")
    check(best is not None and best >= -138.23,
          f"Boehm ({grad}): best of 40 starts llh {best} >= -138.23")
    with h5py.File(out, "r") as f:
        g = f.attrs.get("gradient", b"")
        g = g.decode() if isinstance(g, bytes) else str(g)
        check(g == grad, f"Boehm ({grad}): the fit file's gradient attribute is {g!r}")

# 5b. Boehm profiles on a reduced grid (at most 12 points per direction): every parameter
# whose interval is finite on both sides holds its nominal value
r, best, v = fit(boehm, "--starts", "40", "--threads", "2", "--optimizer", "lbfgs",
                 "--profile", "all", "--profile-points", "12", "-o", scratch.path("boehm.h5"))
check.exits(r, 0, "Boehm with profiles")
nominal = {"Epo_degradation_BaF3": 0.026982514033029, "k_exp_hetero": 1.00067973851508E-05,
           "k_exp_homo": 0.006170228086381, "k_imp_hetero": 0.0163679184468,
           "k_imp_homo": 97749.3794024716, "k_phos": 15766.5070195731,
           "sd_pSTAT5A_rel": 3.85261197844677, "sd_pSTAT5B_rel": 6.59147818673419,
           "sd_rSTAT5A_rel": 3.15271275648527}
finite = 0
for m in re.finditer(r"^profile 95% CI: (\S+) (\S+) (\S+)$", r.stdout, re.M):
    name, lo, hi = m.group(1), float(m.group(2)), float(m.group(3))
    if math.isfinite(lo) and math.isfinite(hi):
        finite += 1
        check(lo <= math.log10(nominal[name]) <= hi,
              f"Boehm {name}: CI [{lo:.4g}, {hi:.4g}] holds log10 nominal "
              f"{math.log10(nominal[name]):.4g}")
check(finite >= 7, f"Boehm: {finite} parameters with finite intervals (7 identifiable)")

# 6. bad input
BAD = [("nominal outside", "k1\tlog10\t0.001\t100\t1\t1", "k1\tlog10\t0.001\t100\t500\t1",
        ["parameters.tsv:2", "nominalValue", "k1", "outside"]),
       ("zero width", "k2\tlog10\t0.001\t100\t1\t1", "k2\tlog10\t1\t1\t1\t1",
        ["parameters.tsv:3", "k2", "no width"]),
       ("log, bound <= 0", "A0\tlog10\t0.1\t1000\t5\t1", "A0\tlog10\t0\t1000\t5\t1",
        ["parameters.tsv:4", "lowerBound", "A0"]),
       ("nothing estimated", None, None, ["parameters.tsv", "estimate", "no parameter"])]
for name, old, new, words in BAD:
    d = os.path.dirname(p1)
    text = open(os.path.join(d, "parameters.tsv")).read()
    bad = re.sub(r"\t1\n", "\t0\n", text) if old is None else text.replace(old, new)
    check(bad != text, f"{name}: the edit applies (test bug otherwise)")
    with open(os.path.join(d, "parameters.tsv"), "w") as fh:
        fh.write(bad)
    r = run([ilnet, "fit", p1, "-q", "--starts", "2", "-o", scratch.path("bad.h5")])
    with open(os.path.join(d, "parameters.tsv"), "w") as fh:
        fh.write(text)
    check.exits(r, 1, f"bad input: {name}", *words)
    check(r.stderr.count("\n") == 1, f"{name}: one line: {r.stderr!r}")
    check(not os.path.exists(scratch.path("bad.h5")), f"{name}: no file written")

# ls-trust refuses what least squares cannot express (a prior), naming the problem; an
# unknown --profile id is a one-line error
d = os.path.dirname(p1)
text = open(os.path.join(d, "parameters.tsv")).read()
lines = text.splitlines()
with open(os.path.join(d, "parameters.tsv"), "w") as fh:
    fh.write(lines[0] + "\tobjectivePriorType\tobjectivePriorParameters\n" +
             "".join(ln + ("\tnormal\t0.5;0.1\n" if ln.startswith("k1") else "\t\t\n")
                     for ln in lines[1:]))
r = run([ilnet, "fit", p1, "-q", "--starts", "2", "--optimizer", "ls-trust"])
check.exits(r, 1, "ls-trust with a prior", "priors", "lbfgs")
r = run([ilnet, "fit", p1, "-q", "--starts", "2", "--gradient", "backward"])
check.exits(r, 1, "--gradient backward", "'backward' is not auto, forward or adjoint")
r = run([ilnet, "fit", p1, "-q", "--starts", "2"])
check.exits(r, 0, "lbfgs with a prior")
check(re.search(r"^log_prior: ", r.stdout, re.M) is not None, "the best start's log_prior printed")
with open(os.path.join(d, "parameters.tsv"), "w") as fh:
    fh.write(text)
r = run([ilnet, "fit", p1, "-q", "--starts", "2", "--optimizer", "ls-trust", "--gradient",
         "adjoint"])
check.exits(r, 1, "ls-trust with adjoint gradients", "residual Jacobian", "lbfgs")
check(r.stderr.count("\n") == 1, f"ls-trust with adjoint gradients: one line: {r.stderr!r}")
r = run([ilnet, "fit", p1, "-q", "--starts", "2", "--profile", "k1,nope", "-o",
         scratch.path("badprof.h5")])
check.exits(r, 1, "--profile with an unknown id", "'nope' is not an estimated parameter")
check(r.stdout == "" and not os.path.exists(scratch.path("badprof.h5")),
      "--profile with an unknown id: refused before the fit (no output, no file)")

check.finish("ilnet fit")
