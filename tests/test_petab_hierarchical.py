#!/usr/bin/python3
"""Hierarchical (closed-form) observation parameters: parameterType scaling, offset, sigma.

A <-> B (k1, k2) from A(0) = A0, A(t) = A0 (k2 + k1 e^{-(k1+k2)t}) / (k1+k2) in closed form;
observable s_c * A + b with a scale per condition (A0 = 1 and 2), one offset, one sigma; data
from known s, b plus a fixed pattern of errors.

1. `petab evaluate --hierarchical` at the true k: the inner values equal the weighted least
   squares solution and the root-mean-square residual computed here with numpy, and the llh
   equals -n/2 log(2 pi sigma^2) - n/2; the same values given to a plain evaluation give the
   same llh, and moving any of them lowers it (they are the optimum).
2. The gradient with respect to k1, k2 (log10) equals central differences of the
   hierarchical llh, by forward sensitivities and by the adjoint method (--adjoint: the inner
   optimum first, then the backward run at it) alike; the adjoint evaluation's llh and inner
   values are the forward one's.
3. An inner scale whose optimum lies above its upper bound is held at the bound and the
   offset solved again (numpy's constrained solution).
4. `ilnet fit` (hierarchical by default with such a table) reaches the best llh of the same
   fit searching every parameter (--no-hierarchical, bounds narrow enough for 12 starts),
   with k1, k2 and the inner values alike. (With the wide bounds of 1., 6 searched starts
   stop at llh -4.0 while 6 hierarchical ones reach 28.6.)
   --include-nominal puts start 0 at the nominal values; a resume must make the same choice.
5. Bad input, one line each: an unknown type, an inner parameter not estimated, with a prior,
   a sigma with lower bound 0, a formula not affine in it, a noise formula that is not the
   sigma, a log observable, an inner parameter in the condition table; ls-trust with inner
   parameters; --hierarchical without them; --profile of an inner parameter.

usage: test_petab_hierarchical.py ILNET SCRATCH"""
import math
import os
import sys

import h5py
import numpy as np

from ilnet_testlib import Checks, Scratch, ab_net, run, write_petab_problem

ilnet = sys.argv[1]
scratch = Scratch(sys.argv[2], fresh=True)
check = Checks(verbose=True)
K1, K2, S_TRUE, B_TRUE = 0.7, 0.3, (2.0, 0.5), 0.25
TIMES = [0.25, 0.5, 1, 1.5, 2, 3, 4, 6]
ERR = [0.02 * (-1) ** i * (1 + i % 3) for i in range(2 * len(TIMES))]


def a_of(t, a0, k1=K1, k2=K2):
    return a0 * (k2 + k1 * math.exp(-(k1 + k2) * t)) / (k1 + k2)


def data():
    rows, i = [], 0
    for c, (a0, s) in enumerate(zip((1.0, 2.0), S_TRUE)):
        for t in TIMES:
            rows.append((f"c{c}", t, a0, s * a_of(t, a0) + B_TRUE + ERR[i]))
            i += 1
    return rows


PARAMS = {
    "k1": "log10\t0.01\t100\t0.7\t1\t",
    "k2": "log10\t0.01\t100\t0.3\t1\t",
    "s0": "lin\t-100\t100\t1\t1\tscaling",
    "s1": "lin\t-100\t100\t1\t1\tscaling",
    "b": "lin\t-100\t100\t0\t1\toffset",
    "sd": "lin\t1e-6\t100\t1\t1\tsigma",
}


def problem(name, params=None, obs="scale * Aobs + offset", noise="noiseParameter1_obs_a",
            transform="lin", cond_extra="", extra_cols=""):
    params = dict(PARAMS, **(params or {}))
    obs = obs.replace("scale", "observableParameter1_obs_a").replace(
        "offset", "observableParameter2_obs_a")
    return write_petab_problem(
        scratch.path(name), ab_net(["k1 0.7", "k2 0.3", "A0 1"], ["1 2 k1", "2 1 k2"], ["Aobs 1"]),
        [f"{k}\t{v}\n" for k, v in params.items()],
        f"conditionId\tA0{extra_cols}\nc0\t1{cond_extra}\nc1\t2{cond_extra}\n",
        [f"obs_a\t{c}\t{t}\t{y!r}\ts{c[1]};b\tsd\n" for c, t, _, y in data()],
        observables="observableId\tobservableFormula\tobservableTransformation\tnoiseFormula\n"
                    f"obs_a\t{obs}\t{transform}\t{noise}\n",
        parameter_columns="\tparameterType",
        measurement_columns="simulationConditionId\ttime\tmeasurement\tobservableParameters\t"
                            "noiseParameters")


def values(out, key):
    return {l.split()[1]: float(l.split()[2]) for l in out.splitlines() if l.startswith(key + ":")}


def llh(out):
    return float(out.split("llh: ")[1].split()[0])


def param_file(name, vals):
    return scratch.write(name, "parameterId\tvalue\n" + "".join(f"{k}\t{v!r}\n" for k, v in vals.items()))


def numpy_inner(k1=K1, k2=K2, s_upper=None):
    rows = data()
    X = np.array([a_of(t, a0, k1, k2) for _, t, a0, _ in rows])
    y = np.array([r[3] for r in rows])
    g = np.array([int(r[0][1]) for r in rows])
    A = np.column_stack([X * (g == 0), X * (g == 1), np.ones_like(X)])
    if s_upper is None:
        s0, s1, b = np.linalg.lstsq(A, y, rcond=None)[0]
    else:  # s0 held at its bound, s1 and b solved again
        s0 = s_upper
        s1, b = np.linalg.lstsq(A[:, 1:], y - s0 * A[:, 0], rcond=None)[0]
    res = y - (A @ np.array([s0, s1, b]))
    return {"s0": s0, "s1": s1, "b": b, "sd": math.sqrt(np.mean(res ** 2))}, len(y)


ATOL = ["--atol", "1e-12", "--rtol", "1e-11"]

# 1. closed form at the true k
p = problem("main")
r = run([ilnet, "petab", "evaluate", p, "--hierarchical"] + ATOL)
check.exits(r, 0, "petab evaluate --hierarchical")
got = values(r.stdout, "inner")
want, n = numpy_inner()
for k, v in want.items():
    check.close_rel(got.get(k, float("nan")), v, f"inner {k}", rtol=1e-7)
sd = want["sd"]
check.close_rel(llh(r.stdout), -n / 2 * math.log(2 * math.pi * sd * sd) - n / 2,
                "llh = -n/2 log(2 pi sd^2) - n/2", rtol=1e-8)
plain = run([ilnet, "petab", "evaluate", p, "--parameters", param_file("inner.tsv", got)] + ATOL)
check.close_rel(llh(plain.stdout), llh(r.stdout), "the same values, plain evaluation", rtol=1e-10)
for k in got:
    moved = dict(got, **{k: got[k] * 1.01 + 1e-3})
    m = run([ilnet, "petab", "evaluate", p, "--parameters", param_file("moved.tsv", moved)] + ATOL)
    check(llh(m.stdout) < llh(r.stdout), f"moving {k} lowers the llh ({llh(m.stdout)} < {llh(r.stdout)})")

# 2. gradient against differences of the hierarchical llh (k on log10)
r = run([ilnet, "petab", "evaluate", p, "--hierarchical", "--gradient"] + ATOL)
grad = values(r.stdout, "gradient")
check(all(grad[k] == 0 for k in ("s0", "s1", "b", "sd")), "inner parameters have gradient 0")
ra = run([ilnet, "petab", "evaluate", p, "--hierarchical", "--gradient", "--adjoint"] + ATOL)
grad_adj = values(ra.stdout, "gradient")
check(all(grad_adj[k] == 0 for k in ("s0", "s1", "b", "sd")), "adjoint: inner gradient 0")
check.close_rel(llh(ra.stdout), llh(r.stdout), "adjoint evaluation's llh", rtol=1e-9)
for k, v in values(r.stdout, "inner").items():
    check.close_rel(values(ra.stdout, "inner").get(k, float("nan")), v, f"adjoint: inner {k}",
                    rtol=1e-9)
h = 1e-4
for k, v in (("k1", K1), ("k2", K2)):
    f = []
    for sgn in (1, -1):
        f.append(llh(run([ilnet, "petab", "evaluate", p, "--hierarchical", "--parameters",
                          param_file("g.tsv", {k: v * 10 ** (sgn * h)})] + ATOL).stdout))
    fd = (f[0] - f[1]) / (2 * h)
    check(abs(grad[k] - fd) <= 1e-4 * abs(fd) + 1e-6, f"d llh / d log10 {k}: {grad[k]} ~ {fd}")
    check(abs(grad_adj[k] - fd) <= 1e-4 * abs(fd) + 1e-6,
          f"adjoint d llh / d log10 {k}: {grad_adj[k]} ~ {fd}")

# 3. a bound
pb = problem("bound", {"s0": "lin\t-100\t1.5\t1\t1\tscaling"})
r = run([ilnet, "petab", "evaluate", pb, "--hierarchical"] + ATOL)
got = values(r.stdout, "inner")
want, _ = numpy_inner(s_upper=1.5)
for k, v in want.items():
    check.close_rel(got.get(k, float("nan")), v, f"bounded: inner {k}", rtol=1e-7)

# 4. fits, hierarchical and not (bounds the searched fit can cover with a few starts)
pn = problem("narrow", {"s0": "lin\t0\t5\t1\t1\tscaling", "s1": "lin\t0\t5\t1\t1\tscaling",
                        "b": "lin\t-1\t1\t0\t1\toffset", "sd": "log10\t0.001\t1\t0.1\t1\tsigma"})
fits = {}
for mode in ("--hierarchical", "--no-hierarchical"):
    out = scratch.path(f"fit{mode}.h5")
    r = run([ilnet, "fit", pn, "--starts", "12", "--seed", "3", "--threads", "2", mode, "-q", "-o", out]
            + ATOL)
    check.exits(r, 0, f"fit {mode}")
    fits[mode] = r.stdout
h_llh, n_llh = (float(fits[m].split("best llh: ")[1].split()[0]) if "best llh" in fits[m] else float("nan")
                for m in ("--hierarchical", "--no-hierarchical"))
check(abs(h_llh - n_llh) <= 1e-6 * abs(n_llh), f"best llh hierarchical {h_llh} = searched {n_llh}")


def best_values(text):
    v = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] in PARAMS and parts[2].startswith("("):
            v[parts[0]] = float(parts[2].strip("()"))
    return v


bh, bn = best_values(fits["--hierarchical"]), best_values(fits["--no-hierarchical"])
check(set(bh) == set(PARAMS) and all(abs(bh[k] - bn[k]) <= 1e-3 * abs(bn[k]) + 1e-6 for k in PARAMS),
      f"best parameters alike: {bh} ~ {bn}")

# --include-nominal: start 0 from the table's nominal values; a resume must make the same choice
inc = scratch.path("incl.h5")
r = run([ilnet, "fit", pn, "--starts", "2", "--include-nominal", "-q", "-o", inc, "--threads", "1"] + ATOL)
check.exits(r, 0, "fit --include-nominal")
with h5py.File(inc, "r") as f:
    check(np.array_equal(f["theta0"][0], f["nominal"][()]) and not np.array_equal(f["theta0"][1], f["nominal"][()]),
          "--include-nominal: start 0 at the nominal values, start 1 from the hypercube")
check.exits(run([ilnet, "fit", pn, "--starts", "2", "-q", "-o", inc, "--resume"] + ATOL), 1,
            "resume without --include-nominal", "--include-nominal")

# 5. bad input
bad = [
    ("type", {"s0": "lin\t-100\t100\t1\t1\tscale"}, {}, "'scale' is not scaling, offset or sigma"),
    ("fixed", {"s0": "lin\t-100\t100\t1\t0\tscaling"}, {}, "must be estimated"),
    ("sd0", {"sd": "lin\t0\t100\t1\t1\tsigma"}, {}, "needs a positive lower bound"),
    ("affine", {}, {"obs": "exp(scale) * Aobs + offset"}, "not scaling * X + offset"),
    ("noise", {}, {"noise": "2 * noiseParameter1_obs_a"}, "must be the sigma parameter itself"),
    ("log", {}, {"transform": "log"}, "linear observable with normal noise"),
    ("cond", {}, {"extra_cols": "\tk1", "cond_extra": "\tb"}, "can only be a measurement's"),
]
for name, params, kw, msg in bad:
    q = problem("bad_" + name, params, **kw)
    check.exits(run([ilnet, "petab", "evaluate", q]), 1, f"bad input: {name}", msg)
pr = problem("prior")
with open(os.path.join(os.path.dirname(pr), "parameters.tsv")) as f:
    lines = f.read().splitlines()
lines[0] += "\tobjectivePriorType\tobjectivePriorParameters"
lines = [lines[0]] + [l + ("\tnormal\t1;1" if l.startswith("s0") else "\t\t") for l in lines[1:]]
scratch.write("prior/parameters.tsv", "\n".join(lines) + "\n")
check.exits(run([ilnet, "petab", "evaluate", pr]), 1, "an inner parameter with a prior",
            "cannot have a prior")
check.exits(run([ilnet, "fit", p, "--optimizer", "ls-trust", "--starts", "2"]), 1,
            "ls-trust with inner parameters", "use lbfgs, or --no-hierarchical")
plain_dir = problem("plain", {k: v.rsplit("\t", 1)[0] + "\t" for k, v in PARAMS.items()})
check.exits(run([ilnet, "fit", plain_dir, "--hierarchical", "--starts", "2"]), 1,
            "--hierarchical without types", "no parameter has a parameterType")
check.exits(run([ilnet, "petab", "evaluate", plain_dir, "--hierarchical"]), 1,
            "evaluate --hierarchical without types", "no parameter has a parameterType")
check.exits(run([ilnet, "fit", p, "--starts", "2", "--profile", "s0"]), 1,
            "--profile of an inner parameter", "computed in closed form")
check.finish("petab_hierarchical")
