#!/usr/bin/python3
"""Outputs of `ilnet simulate` on the heise reference network: the HDF5 layout (datasets,
dimension scales, provenance attributes), xarray/h5netcdf reading, CSV, and BioNetGen
.gdat/.cdat files that match the reference run.

usage: test_outputs.py ILNET REFDIR SCRATCH"""
import csv
import os
import re
import sys

import h5py
import numpy as np
import xarray as xr

from ilnet_testlib import Checks, Scratch, run

ilnet, refdir = sys.argv[1:3]
scratch = Scratch(sys.argv[3])
check = Checks()

model = os.path.join(refdir, "heise", "heise.net")
h5 = scratch.path("heise.h5")
csvp = scratch.path("heise.csv")
prefix = scratch.path("heise")
scratch.remove(h5, csvp, prefix + ".gdat", prefix + ".cdat")
r = run([ilnet, "simulate", model, "--t-end", "20", "--n-steps", "200", "--atol", "1e-12",
         "--rtol", "1e-10", "-o", h5, "--csv", csvp, "--gdat", prefix])
check.exits(r, 0, "simulate")
check(not scratch.temporary_files(), f"temporary files left behind: {scratch.temporary_files()}")

species = ["A(c1~0)", "A(c1~1)", "B(c1~0,c1~0)", "B(c1~0,c1~1)", "B(c1~1,c1~1)"]
with h5py.File(h5, "r") as f:
    check(f["time"].shape == (201,), f"/time shape {f['time'].shape}")
    check(f["species_amounts"].shape == (201, 5), f"/species_amounts shape {f['species_amounts'].shape}")
    check(f["observables"].shape == (201, 2), f"/observables shape {f['observables'].shape}")
    names = [n.decode() for n in f["species"][()]]
    check(names == species, f"species {names}")
    onames = [n.decode() for n in f["observable"][()]]
    check(onames == ["A", "B"], f"observable {onames}")
    check(abs(f["time"][-1] - 20) < 1e-12 and f["time"][0] == 0, "time grid")
    # dimension scales
    check(f["species_amounts"].dims[0][0].name == "/time", "species dim 0 scale")
    check(f["species_amounts"].dims[1][0].name == "/species", "species dim 1 scale")
    check(f["observables"].dims[1][0].name == "/observable", "observables dim 1 scale")
    check([d.label for d in f["species_amounts"].dims] == ["time", "species"], "species dim labels")
    check([d.label for d in f["observables"].dims] == ["time", "observable"], "obs dim labels")
    a = f.attrs
    for key in ("ilnet_version", "model_path", "model_text", "command_line", "created_utc",
                "wall_time_s", "status", "solver_atol", "solver_rtol", "solver_max_steps",
                "solver_linear_solver", "stats_steps", "stats_rhs_evals", "stats_jac_evals",
                "stats_err_test_fails", "stats_nonlin_conv_fails"):
        check(key in a, f"root attribute {key} missing")
    text = open(model).read()
    check(a["model_text"] == text, "model_text differs from the model file")
    check(a["model_path"] == model, "model_path")
    check(a["status"] == "complete", f"status {a['status']}")
    check(a["solver_atol"] == 1e-12 and a["solver_rtol"] == 1e-10, "tolerances")
    check(a["stats_steps"] > 0 and a["stats_rhs_evals"] >= a["stats_steps"], "stats")
    check(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", a["created_utc"]) is not None,
          "created_utc format")
    check("--atol 1e-12" in a["command_line"], "command_line")
    sp = f["species_amounts"][()]
    ob = f["observables"][()]
    t = f["time"][()]

# xarray through h5netcdf: named dimensions, no phony ones, named as in study files
ds = xr.open_dataset(h5, engine="h5netcdf")
dims = set(ds.dims)
check(dims == {"time", "species", "observable", "parameter"}, f"xarray dims {dims}")
check(not any(d.startswith("phony") for d in dims), f"phony dims {dims}")
check(list(ds["species_amounts"].dims) == ["time", "species"], f"species dims {ds['species_amounts'].dims}")
check(float(ds["observables"].sel(observable="B").isel(time=-1)) == ob[-1, 1],
      "xarray selection by name")
ds.close()

# .gdat / .cdat against BioNetGen's reference run
for ext, ours in ((".gdat", ob), (".cdat", sp)):
    ref = np.loadtxt(os.path.join(refdir, "heise", "heise" + ext))
    mine = np.loadtxt(prefix + ext)
    check(mine.shape == ref.shape, f"{ext} shape {mine.shape} vs {ref.shape}")
    if mine.shape == ref.shape:
        tol = 1e-5 * np.abs(ref) + 1e-9 * np.abs(ref).max(axis=0)
        check(np.all(np.abs(mine - ref) <= tol), f"{ext} differs from the reference")
        check(np.allclose(mine[:, 1:], ours, rtol=1e-11, atol=0), f"{ext} differs from HDF5")
gline = open(prefix + ".gdat").readline()
rline = open(os.path.join(refdir, "heise", "heise.gdat")).readline()
check(gline == rline, f".gdat header {gline!r} vs BioNetGen's {rline!r}")
d1 = open(prefix + ".gdat").readlines()[1]
r1 = open(os.path.join(refdir, "heise", "heise.gdat")).readlines()[1]
check(len(d1) == len(r1), ".gdat column widths differ from BioNetGen's")

# CSV: header time, observables, species (quoted where they hold commas), full precision
with open(csvp, newline="") as fh:
    rows = list(csv.reader(fh))
check(rows[0] == ["time", "A", "B"] + species, f"csv header {rows[0]}")
vals = np.array(rows[1:], dtype=float)
check(vals.shape == (201, 8), f"csv shape {vals.shape}")
check(np.array_equal(vals[:, 0], t) and np.array_equal(vals[:, 3:], sp), "csv values differ from HDF5")

# --sens: /species_sensitivities [time x species x parameter] and /observable_sensitivities, named
# dimensions; A -> B with k = 2*kh and A0 against the closed form A = A0 exp(-k t)
decay = scratch.path("decay.net")
with open(decay, "w") as fh:
    fh.write("begin parameters\n 1 kh 0.15\n 2 k 2*kh\n 3 A0 2\nend parameters\n"
             "begin species\n 1 A A0\n 2 B 0\nend species\n"
             "begin reactions\n 1 1 2 k\nend reactions\n"
             "begin groups\n 1 Bobs 2\n 2 twoA 2*1\nend groups\n")
sh5 = scratch.path("decay_sens.h5")
r = run([ilnet, "simulate", decay, "--t-end", "10", "--n-steps", "20", "--atol", "1e-12",
         "--rtol", "1e-10", "--sens", "kh,A0,A", "-o", sh5])
check.exits(r, 0, "simulate --sens")
with h5py.File(sh5, "r") as f:
    S, O = f["species_sensitivities"][()], f["observable_sensitivities"][()]
    check(S.shape == (21, 2, 3) and O.shape == (21, 2, 3), f"shapes {S.shape} {O.shape}")
    check([n.decode() for n in f["sensitivity_parameter"][()]] == ["kh", "A0", "A"],
          "sensitivity_parameter")
    check([d.label for d in f["species_sensitivities"].dims] == ["time", "species", "sensitivity_parameter"],
          "sensitivity dim labels")
    check(f["species_sensitivities"].dims[2][0].name == "/sensitivity_parameter", "dim 2 scale")
    t = f["time"][()]
    A = 2 * np.exp(-0.3 * t)
    want = np.stack([-2 * t * A, A / 2, A / 2], axis=1)  # d/dkh = 2 d/dk; A0 = A's amount
    check(np.allclose(S[:, 0, :], want, rtol=1e-6, atol=1e-12), "dA/dp differs from closed form")
    # A + B = A(0): dB/dp = dA(0)/dp - dA/dp
    check(np.allclose(O[:, 0, :], [0, 1, 1] - S[:, 0, :], rtol=1e-9, atol=1e-9),
          "dBobs/dp differs from dA(0)/dp - dA/dp")
    check(np.allclose(O[:, 1, :], 2 * S[:, 0, :], rtol=1e-12, atol=1e-15), "twoA = 2 dA")
ds = xr.open_dataset(sh5, engine="h5netcdf", phony_dims="access")
check(list(ds["species_sensitivities"].dims) == ["time", "species", "sensitivity_parameter"],
      f"xarray sensitivity dims {ds['species_sensitivities'].dims}")
v = float(ds["species_sensitivities"].sel(species="A", sensitivity_parameter="A0").isel(time=-1))
check(abs(v - A[-1] / 2) < 1e-9, "xarray selection of a sensitivity")
ds.close()
for bad, msg in (("nope", "'nope' is neither a parameter nor a species"),
                 ("kh,kh", "'kh' is listed twice")):
    r = run([ilnet, "simulate", decay, "--t-end", "1", "--n-steps", "2", "--sens", bad,
             "-o", scratch.path("bad.h5")])
    check.exits(r, 1, f"--sens {bad}")
    check(msg in r.stderr and decay in r.stderr and r.stderr.count("\n") == 1,
          f"--sens {bad}: stderr {r.stderr!r}")
    check(not os.path.exists(scratch.path("bad.h5")), "nothing written on bad --sens")

# ilnet steady-state: a one-row file with how it was found; sensitivities; failures
ss = scratch.path("haugh_ss.h5")
haugh = os.path.join(refdir, "Haugh2b", "Haugh2b.net")
r = run([ilnet, "steady-state", haugh, "--sens", "all", "-o", ss])
check.exits(r, 0, "steady-state Haugh2b")
check("steady state by newton" in r.stdout, f"steady-state summary: {r.stdout!r}")
with h5py.File(ss, "r") as f:
    a = f.attrs
    check(a["kind"] == "steady state" and a["steady_state_method"] == "newton", "kind/method")
    check(a["status"] == "complete" and a["steady_state_wrms"] <= 1, "status/wrms")
    n = f["species_amounts"].shape[1]
    check(f["species_amounts"].shape == (1, n) and f["species_sensitivities"].shape[:2] == (1, n),
          f"steady-state shapes {f['species_amounts'].shape} {f['species_sensitivities'].shape}")
rep = os.path.join(refdir, "Repressilator", "Repressilator.net")
rs = scratch.path("rep_ss.h5")
r = run([ilnet, "steady-state", rep, "-o", rs])
check.exits(r, 2, "steady-state Repressilator")
check(r.stderr.count("\n") == 1 and "no steady state found" in r.stderr and "unstable" in r.stderr,
      f"Repressilator stderr {r.stderr!r}")
with h5py.File(rs, "r") as f:
    check(f.attrs["status"] == "partial", "Repressilator file marked partial")
r = run([ilnet, "steady-state", haugh, "--method", "bisection", "-o", scratch.path("bad.h5")])
check.exits(r, 1, "steady-state --method bisection")
check("--method" in r.stderr and not os.path.exists(scratch.path("bad.h5")), "bad --method")

check.finish("HDF5, xarray, gdat/cdat, CSV, sensitivity and steady-state outputs")
