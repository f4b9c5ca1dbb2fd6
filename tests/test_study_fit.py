#!/usr/bin/python3
"""Fits as study experiments (type: fit, docs/study.md "Fits").

A study on A <-> B (k1, k2, A0; the closed form A(t) = A0 (k2 + k1 e^{-(k1+k2)t}) /
(k1+k2)) with a timecourse and a fit of the PEtab problem whose noiseless data come from
that closed form: the fit runs after the points into STUDY.calib.h5 (with its parameter
table and presets file), the study file links it as the group /calib (h5py and
ilnet.open_study read through the link), the best start recovers the truth within 1e-4,
the profile asked for is there, a line per start is printed; --resume keeps the finished
fit; --check reads the problem; bad fit entries are one-line errors naming the config's
line and the problem's row.

usage: test_study_fit.py ILNET SRCDIR SCRATCH"""
import math
import os
import sys

import h5py
import numpy as np

from ilnet_testlib import Checks, Scratch, ab_net, run, write_petab_problem

ilnet, srcdir = sys.argv[1:3]
scratch = Scratch(sys.argv[3], fresh=True)
check = Checks(verbose=True)
sys.path.insert(0, os.path.join(srcdir, "python"))

k1, k2, A0 = 0.5, 0.2, 10.0
TIMES = [0.5, 1, 2, 3, 5, 8, 12, 20]
NET = ab_net(["k1 0.5", "k2 0.2", "A0 10"], ["1 2 k1", "2 1 k2"], ["Aobs 1"])
rows = [f"obs_a\t\tc0\t{t}\t{A0 * (k2 + k1 * math.exp(-(k1 + k2) * t)) / (k1 + k2)!r}\n"
        for t in TIMES]
PARAMS = ["k1\tlog10\t0.001\t100\t1\t1\n", "k2\tlog10\t0.001\t100\t1\t1\n",
          "A0\tlog10\t0.1\t1000\t5\t1\n"]
write_petab_problem(scratch.path("ab"), NET, PARAMS, "conditionId\nc0\n", rows)
bad = list(PARAMS)
bad[1] = "k2\tlog10\t0.001\t0.01\t1\t1\n"  # the nominal value outside the bounds
write_petab_problem(scratch.path("ab_bad"), NET, bad, "conditionId\nc0\n", rows)

STUDY = """model: ab/model.net
simulation: {t_end: 20, n_steps: 4}
experiments:
  - name: relax
    type: timecourse
  - name: calib
    type: fit
    problem: ab/problem.yaml
    starts: 6
    seed: 3
    optimizer: ls-trust
    profile: [k1]
    profile_points: 12
"""
cfg = scratch.write("study.yaml", STUDY)
out = scratch.path("out.h5")
r = run([ilnet, "run", cfg, "-o", out, "--threads", "2"], timeout=600)
check.exits(r, 0, "a study with a fit")
check("fit calib: start 0 (" in r.stdout and "fit calib: best llh" in r.stdout
      and "fit calib: wrote " in r.stdout, f"a line per start and the result ({r.stdout[-300:]!r})")
fit_file = scratch.path("out.calib.h5")
check(os.path.exists(fit_file) and os.path.exists(scratch.path("out.calib.parameters.tsv"))
      and os.path.exists(scratch.path("out.calib.presets.yaml")),
      "the fit file, parameter table and presets file beside the study file")
if r.returncode == 0:
    with h5py.File(out, "r") as f:
        link = f.get("calib", getlink=True)
        check(isinstance(link, h5py.ExternalLink) and link.filename == "out.calib.h5",
              f"/calib is an external link to the fit file ({link!r})")
        g = f["calib"]
        check(g.attrs["status"] == "complete" and len(g["llh"]) == 6, "the fit through the link")
        best = g["best_theta"][()]
        for i, (name, want) in enumerate((("k1", k1), ("k2", k2), ("A0", A0))):
            check(abs(10 ** best[i] - want) <= 1e-4 * want, f"{name} = {10 ** best[i]}, truth {want}")
        check(list(g["profiles"].keys()) == ["k1"], f"profiles {list(g['profiles'].keys())}")
        lo, hi = g["profiles/k1"].attrs["ci_lower"], g["profiles/k1"].attrs["ci_upper"]
        check(lo < math.log10(k1) < hi, f"k1's profile interval [{lo}, {hi}] holds the truth")
        t, a = f["relax/time"][()], f["relax/observables"][0, :, 0]
        closed = A0 * (k2 + k1 * np.exp(-(k1 + k2) * t)) / (k1 + k2)
        check(np.allclose(a, closed, rtol=1e-5, atol=1e-8), "the timecourse beside the fit")
        del g  # h5py keeps the linked file open (and HDF5-locked) while an object of it lives
    import ilnet as ilnet_py
    with ilnet_py.open_study(out) as s:
        check(sorted(s.experiments) == ["calib", "relax"], f"open_study experiments {s.experiments}")
        ds = s["calib"]
        check(ds["llh"].shape == (6,) and float(ds["llh"].max()) == float(ds.attrs["best_llh"]),
              "open_study reads the fit as a Dataset")
        check(s.fits == {"calib": fit_file}, f"Study.fits {s.fits}")
    # --resume: the points and the fit are finished; nothing runs again, the result stays
    with h5py.File(fit_file, "r") as f:
        theta_before = f["theta"][()]
    r = run([ilnet, "run", cfg, "-o", out, "--resume"], timeout=600)
    check.exits(r, 0, "--resume of a finished study with a fit")
    check("fit calib: already finished" in r.stdout and "start 0 (" not in r.stdout,
          f"--resume leaves a finished fit alone ({r.stdout[-200:]!r})")
    with h5py.File(out, "r") as f:
        check(np.array_equal(f["calib/theta"][()], theta_before), "--resume keeps the fit's starts")
    # an unfinished fit file: refused without --resume or --overwrite (a new study beside
    # it), replaced with --overwrite; --resume completes it
    import shutil
    out2 = scratch.path("out2.h5")
    shutil.copy(fit_file, scratch.path("out2.calib.h5"))
    with h5py.File(scratch.path("out2.calib.h5"), "a") as f:
        f.attrs["status"] = "running"
    r = run([ilnet, "run", cfg, "-o", out2], timeout=600)
    check.exits(r, 1, "an unfinished fit file without --resume", "out2.calib.h5: an unfinished fit",
                "(fit calib)")
    r = run([ilnet, "run", cfg, "-o", out2, "--overwrite"], timeout=600)
    check.exits(r, 0, "--overwrite replaces an unfinished fit")
    with h5py.File(fit_file, "a") as f:
        f.attrs["status"] = "running"
    with h5py.File(fit_file, "a") as f:
        f.attrs["status"] = "running"
    r = run([ilnet, "run", cfg, "-o", out, "--resume"], timeout=600)
    check.exits(r, 0, "--resume of an unfinished fit")
    with h5py.File(fit_file, "r") as f:
        check(f.attrs["status"] == "complete" and np.array_equal(f["theta"][()], theta_before),
              "--resume completes the unfinished fit with its starts kept")
    # --resume of a study whose fit never ran (its file missing): the fit runs
    for ext in (".h5", ".parameters.tsv", ".presets.yaml"):
        os.remove(scratch.path("out.calib" + ext))
    r = run([ilnet, "run", cfg, "-o", out, "--resume"], timeout=600)
    check.exits(r, 0, "--resume with the fit file missing")
    check(os.path.exists(fit_file) and "fit calib: start 0 (" in r.stdout, "the missing fit ran")

# --check reads the problem; errors name the config line, the fit and the problem's row
r = run([ilnet, "run", cfg, "--check"])
check.exits(r, 0, "--check with a fit")
cases = [
    ("bad_problem", STUDY.replace("ab/problem.yaml", "ab_bad/problem.yaml"),
     ["study_bad_problem.yaml:6:5: experiments[1] (fit calib):", "parameters.tsv:3", "k2"]),
    ("missing", STUDY.replace("ab/problem.yaml", "ab/nothing.yaml"),
     ["study_missing.yaml:8:14: experiments[1].problem: cannot open", "nothing.yaml"]),
    ("key", STUDY.replace("seed: 3", "sead: 3"), ["study_key.yaml:", "sead"]),
    ("clash", STUDY.replace("name: calib", "name: relax"), ["used twice", "experiments[0]"]),
    ("profile", STUDY.replace("profile: [k1]", "profile: [k9]"),
     ["(fit calib)", "'k9' is not an estimated parameter"]),
    ("optimizer", STUDY.replace("ls-trust", "newton"), ["unknown optimizer 'newton'"]),
    ("name", STUDY.replace("name: calib", "name: x/y"), ["experiments[1].name", "'x/y': names are"]),
    ("seed", STUDY.replace("seed: 3", "seed: 0"), ["experiments[1].seed"]),
    ("alone", STUDY.replace("  - name: relax\n    type: timecourse\n", ""),
     ["a study needs a timecourse, sweep or dose_response besides its fits"]),
]
for name, text, msgs in cases:
    r = run([ilnet, "run", scratch.write(f"study_{name}.yaml", text), "--check"])
    check.exits(r, 1, f"bad fit entry: {name}", *msgs)
    check(len(r.stderr.strip().splitlines()) == 1, f"{name}: one line ({r.stderr.strip()!r})")
check.finish("fits in studies")
