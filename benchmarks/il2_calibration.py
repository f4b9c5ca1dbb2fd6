#!/usr/bin/python3
"""Calibration of the IL-2/IL-7 model on its data with ilnet fit (issue 15, step 3).

    /usr/bin/python3 benchmarks/il2_calibration.py [--starts 100] [--seed 1] [--threads 2]
        [--max-iter 150] [--profile] [--resume] [-o results/il2_calibration] [--problem P.yaml]

The problem is models/il2_il7_data/problem.yaml (CD8 held out): the model parameters of
MODEL_PARAMETERS and the two estimated lineage capacities (scripts/il2_data_petab.py), on
log10 scales with their bounds, the observation scales, offsets and sigmas in closed form
(hierarchical); start 0 is the model's v0.2 values (--include-nominal), the others a Latin
hypercube. The fit runs with -o OUT/fit.h5, so an interrupted calibration continues
with --resume (same --starts, --seed, --max-iter); each start costs about 100-150 gradient
evaluations of 63 simulations: ~6-13 s each with forward sensitivities, ~2.3 s with the
adjoint gradients ilnet fit picks for this problem (--gradient auto).

Afterwards prints and writes OUT/calibration.md: the llh at the model's v0.2 values and at
the best start, the starts that finished and how many reached the best llh within 1 unit,
per model parameter the v0.2 value, the fit, its 95 % interval (profile with --profile,
else Fisher) and bounds, then the issue's checks at the best fit (scripts/il2_checks.py with
OUT/fit.parameters.tsv)."""
import argparse
import math
import os
import subprocess
import sys

import h5py
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROBLEM = os.path.join(ROOT, "models", "il2_il7_data", "problem.yaml")
ILNET = os.path.join(ROOT, "build", "ilnet")
TOL = ["--atol", "1e-6", "--rtol", "1e-6"]


def model_ids():
    sys.path.insert(0, os.path.join(ROOT, "scripts"))
    import il2_data_petab as d
    return [m[0] for m in d.MODEL_PARAMETERS] + [f"{c}_{l}" for c, l in d.LINEAGE_PARAMETERS]


def nominal_llh(problem):
    out = subprocess.run([ILNET, "petab", "evaluate", problem, "--hierarchical", "--threads", "2"] + TOL,
                         capture_output=True, text=True, check=True).stdout
    return float(out.split("llh: ")[1].split()[0])


def s(x):
    return x.decode() if isinstance(x, bytes) else str(x)


def summary(h5, ids, llh0):
    f = h5py.File(h5, "r")
    names = [s(x) for x in f["parameter"][()]]
    llh = f["llh"][()]
    done = np.isfinite(llh)
    best = int(np.nanargmax(np.where(done, llh, -np.inf))) if done.any() else -1
    lines = [f"llh at the v0.2 values: {llh0:.3f}"]
    if best < 0:
        return "\n".join(lines + ["no start finished"])
    secs = f["seconds"][()][done]
    within = int(np.sum(llh[done] >= llh[best] - 1))
    lines.append(f"starts finished: {int(done.sum())} of {len(llh)}; best llh {llh[best]:.3f} (start {best}); "
                 f"{within} within 1 of it; median {np.median(secs):.0f} s per start")
    theta = f["theta"][best]
    lo, hi = f["lower_bound"][()], f["upper_bound"][()]
    plo = f["profile_ci_lower"][()] if "profile_ci_lower" in f else None
    flo = f["fisher_ci_lower"][()] if "fisher_ci_lower" in f else None
    lines.append("")
    lines.append("| parameter | v0.2 | fitted | 95 % interval | bounds |")
    lines.append("|---|---|---|---|---|")
    nominal = f["nominal"][()]
    for pid in ids:
        j = names.index(pid)
        ci = "—"
        if plo is not None and not np.isnan(plo[j]):
            ci = f"[{10 ** plo[j]:.3g}, {10 ** f['profile_ci_upper'][j]:.3g}] (profile)"
        elif flo is not None and np.isfinite(flo[j]):
            ci = f"[{10 ** flo[j]:.3g}, {10 ** f['fisher_ci_upper'][j]:.3g}] (Fisher)"
        lines.append(f"| {pid} | {10 ** nominal[j]:.4g} | {10 ** theta[j]:.4g} | {ci} | "
                     f"[{10 ** lo[j]:.3g}, {10 ** hi[j]:.3g}] |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--starts", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--max-iter", type=int, default=150)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("-o", "--out", default=os.path.join(ROOT, "results", "il2_calibration"))
    ap.add_argument("--problem", default=PROBLEM,
                    help="another problem over the same model parameters, e.g. the variant of "
                         "scripts/il2_data_petab.py --scale-per-time")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    ids = model_ids()
    h5 = os.path.join(a.out, "fit.h5")
    cmd = [ILNET, "fit", a.problem, "--starts", str(a.starts), "--seed", str(a.seed), "--threads",
           str(a.threads), "--max-iter", str(a.max_iter), "--include-nominal", "-o", h5] + TOL
    if a.resume:
        cmd.append("--resume")
    if a.profile:
        cmd += ["--profile", ",".join(ids)]
    print(" ".join(cmd), flush=True)
    rc = subprocess.run(cmd).returncode
    text = summary(h5, ids, nominal_llh(a.problem)) if os.path.exists(h5) else "no fit file"
    pars = h5[:-3] + ".parameters.tsv"
    if rc == 0 and os.path.exists(pars):
        chk = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "il2_checks.py"), "--parameters",
                              pars], capture_output=True, text=True).stdout
        text += "\n\nchecks at the best fit:\n" + "\n".join(l for l in chk.splitlines()
                                                           if l.startswith(("FAIL", "PASS")) or "checks pass" in l)
    print(text)
    with open(os.path.join(a.out, "calibration.md"), "w") as f:
        f.write(" ".join(cmd) + "\n\n" + text + "\n")
    sys.exit(rc)


if __name__ == "__main__":
    main()
