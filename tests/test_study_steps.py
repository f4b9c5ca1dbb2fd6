#!/usr/bin/python3
"""Protocol step times as swept quantities (docs/study.md, "Swept quantities"): a source
switched on and off by two named steps, X(t_end) in closed form for every point of a grid
(steps that cross each other included), a sampled design with a factor of the step's time,
a design file with a step:NAME column, the grid's axes named after the steps, and the
errors for unknown names, times outside the simulated interval and taken names.

usage: test_study_steps.py ILNET SCRATCH"""
import os
import sys

import h5py
import numpy as np

from ilnet_testlib import Checks, Scratch, names, run

ilnet, scratch_dir = (os.path.abspath(a) for a in sys.argv[1:3])
scratch = Scratch(scratch_dir, fresh=True)
check = Checks()

scratch.write("source.bngl", """begin parameters
  inflow 0
end parameters
begin molecule types
  Src()
  X()
end molecule types
begin seed species
  $Src() 1
end seed species
begin observables
  Molecules X X()
end observables
begin reaction rules
  Src() -> Src() + X() inflow
end reaction rules
""")

HEAD = """model: source.bngl
simulation: {t_end: 10, n_steps: 10, atol: 1e-10, rtol: 1e-10}
experiments:
  - name: e
    type: sweep
    protocol:
      steps:
        - {name: on, at: 2, set: {inflow: 1}}
        - {name: off, at: 6, set: {inflow: 0}}
"""


def study(name, body, expect=0, *in_stderr):
    cfg = scratch.write(name + ".yaml", HEAD + body)
    out = scratch.path(name + ".h5")
    r = run([ilnet, "run", cfg, "-o", out, "--progress", "none"])
    check.exits(r, expect, name, *in_stderr)
    return out if r.returncode == 0 else None


def x_end(on, off, t_end=10.0):
    """X at t_end: the source runs from 'on' to 'off' (or to t_end when it is switched off
    before it is switched on)"""
    return off - on if on < off else t_end - on


out = study("grid", """    design: grid
    parameters:
      - {step: on, values: [1, 3, 8]}
      - {step: off, values: [5, 9.5]}
""")
if out:
    with h5py.File(out, "r") as f:
        g = f["e"]
        check(names(g["parameter"]) == ["on", "off"], f"parameter names {names(g['parameter'])}")
        p = g["parameters"][()]
        x = g["observables"][:, -1, 0]
        want = [x_end(on, off) for on, off in p]
        check(np.allclose(x, want, rtol=1e-7, atol=1e-7), f"grid: X(10) {x} want {want}")
        v = g["observables_grid"]
        dims = [v.dims[i][0].name.split("/")[-1] for i in range(v.ndim)]
        check(dims == ["on", "off", "time", "observable"], f"grid view dims {dims}")
        check(list(g["on"][()]) == [1, 3, 8] and list(g["off"][()]) == [5, 9.5],
              "the grid's axes hold the step times")
        # the trajectory: flat before 'on', slope 1 until 'off'
        t = g["time"][()]
        i = [k for k, (on, off) in enumerate(p) if on == 3 and off == 9.5][0]
        traj = g["observables"][i, :, 0]
        check(np.allclose(traj, np.clip(t - 3, 0, 6.5), atol=1e-7), f"trajectory {traj}")

out = study("lhs", """    design: lhs
    n: 20
    seed: 3
    parameters:
      - {step: on, factor: {min: 0.5, max: 2}}
""")
if out:
    with h5py.File(out, "r") as f:
        g = f["e"]
        on = g["parameters"][:, 0]
        x = g["observables"][:, -1, 0]
        check(on.min() >= 1 and on.max() <= 4 and on.max() - on.min() > 2,
              f"factor of the step's time 2: {on.min()}..{on.max()}")
        check(np.allclose(x, 6 - on, rtol=1e-7, atol=1e-7), "lhs: X(10) = off - on")
    # a sampled design's swept values are coordinates along point in xarray
    import xarray as xr
    with xr.open_dataset(out, group="e", engine="h5netcdf") as ds:
        obs = ds["observables"]
        check("on" in obs.coords and obs.coords["on"].dims == ("point",),
              f"xarray: 'on' a coordinate along point ({list(obs.coords)})")
        check(np.allclose(obs.coords["on"].values, on), "the coordinate holds the step times")
        sel = obs.where(obs.coords["on"] < 2, drop=True)
        check(sel.sizes["point"] == int((on < 2).sum()), "select points by the coordinate")

scratch.write("times.csv", "step:on,step:off\n1,4\n7,3\n")
out = study("file", """    design: file
    file: times.csv
""")
if out:
    with h5py.File(out, "r") as f:
        x = f["e"]["observables"][:, -1, 0]
        check(np.allclose(x, [x_end(1, 4), x_end(7, 3)], rtol=1e-7, atol=1e-7),
              f"design file with step columns: {x}")

study("unknown", """    parameters:
      - {step: of, values: [5]}
""", 1, "unknown.yaml:", "no step named 'of'", "'on', 'off'")
study("outside", """    parameters:
      - {step: off, values: [5, 20]}
""", 1, "step time 20 is outside the simulated interval [0, 10]")
study("factor_outside", """    parameters:
      - {step: on, factor: [1, 10]}
""", 1, "factor: step time 20 (point 1) is outside")
study("lhs_outside", """    design: lhs
    n: 4
    parameters:
      - {step: on, min: 1, max: 11}
""", 1, "reach outside the simulated interval")
cfg = scratch.write("taken.yaml", HEAD.replace("name: on,", "name: inflow,") + """    parameters:
      - {step: inflow, values: [1]}
""")
check.exits(run([ilnet, "run", cfg, "--check"]), 1, "a step named like a parameter",
            "step name 'inflow' is a parameter of the model")
cfg = scratch.write("twice.yaml", HEAD.replace("name: off,", "name: on,") + """    parameters:
      - {step: on, values: [1]}
""")
check.exits(run([ilnet, "run", cfg, "--check"]), 1, "two steps of one name",
            "step name 'on' is taken by step 0")

check.finish("study steps")
