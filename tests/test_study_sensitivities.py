#!/usr/bin/python3
"""Studies with output.sensitivities, against closed forms.

A -> B at rate k from A(0) = A0: A = A0 e^(-kt), dA/dk = -t A0 e^(-kt), dA/dA0 = e^(-kt)
(A0 a parameter, and "A()" the species' initial amount, give the same).
- a grid sweep over k (1 and 2 threads): every point's observable and species
  sensitivities, the dimensions xarray sees, and that a resumed file has them too;
- protocol steps: an `add` of 5 to A at t = 5 keeps the sensitivities continuous
  (A = A0 e^(-kt) + 5 e^(-k(t-5))); a `set` of A to 3 at t = 5 makes them those of the new
  amount (dA/dk = -(t-5) 3 e^(-k(t-5)), dA/dA0 = 0);
- A <-> B (kf, kr) pre-equilibrated to its steady state: A* = A0 kr / (kf + kr) at every
  time, dA*/dkf = -A0 kr / (kf + kr)^2, dA*/dkr = A0 kf / (kf + kr)^2;
- a dose response over A0 with sensitivities w.r.t. k;
- a 40000-point sweep interrupted (SIGINT) and resumed equals an uninterrupted run;
- errors: an unknown name, a parameter a protocol sets, a dose given after
  pre-equilibration -- one line FILE:LINE:COL: output.sensitivities: ..., exit 1, no file.

usage: test_study_sensitivities.py ILNET SCRATCH
"""
import os
import signal
import subprocess
import sys
import time

import h5py
import numpy as np

from ilnet_testlib import Checks, Scratch, ab_net, names
from ilnet_testlib import run as run_cmd

ilnet = sys.argv[1]
scratch = Scratch(sys.argv[2], fresh=True)
write = scratch.write
check = Checks(verbose=True)


write("ab.net", ab_net(["A0 10", "k 0.3"], ["1 2 k"], ["Atot 1", "Btot 2"]))
write("rev.net", ab_net(["A0 10", "kf 0.7", "kr 0.2"], ["1 2 kf", "2 1 kr"], ["Atot 1"]))

TOL = "atol: 1e-12, rtol: 1e-10"


def run(config, *args):
    return run_cmd([ilnet, "run", config, "-q", "--overwrite", *args], timeout=120)


def sens(f, group, name="observable_sensitivities"):
    g = f[group]
    return g[name][:], g["time"][:], names(g["sensitivity_parameter"])


# 1. grid sweep over k
cfg = write("sweep.yaml", f"""model: ab.net
simulation: {{t_end: 10, n_steps: 20, {TOL}}}
output: {{sensitivities: [k, A0, "A()"], species: true}}
experiments:
  - name: sweep
    type: sweep
    parameters:
      - {{name: k, values: [0.1, 0.3, 1.0]}}
""")
for threads in ("1", "2"):
    out = scratch.path(f"sweep{threads}.h5")
    r = run(cfg, "--threads", threads, "-o", out)
    check.exits(r, 0, f"sweep with sensitivities, {threads} thread(s)")
    if r.returncode:
        continue
    with h5py.File(out, "r") as f:
        S, t, p = sens(f, "sweep")
        Ssp = f["sweep/species_sensitivities"][:]
        check(p == ["k", "A0", "A()"], f"sensitivity_parameter {p}")
        check(S.shape == (3, 21, 2, 3) and Ssp.shape == (3, 21, 2, 3),
              f"shapes {S.shape} {Ssp.shape} (point, time, observable|species, parameter)")
        for i, k in enumerate([0.1, 0.3, 1.0]):
            e = np.exp(-k * t)
            check.close(S[i, :, 0, 0], -t * 10 * e, 1e-6, 1e-9, f"dA/dk at k = {k}")
            check.close(S[i, :, 1, 0], t * 10 * e, 1e-6, 1e-9, f"dB/dk at k = {k}")
            check.close(S[i, :, 0, 1], e, 1e-6, 1e-9, f"dA/dA0 at k = {k}")
            check.close(S[i, :, 0, 2], e, 1e-6, 1e-9, f"dA/dA(0) at k = {k}")
            check.close(Ssp[i, :, 0, :], S[i, :, 0, :], 1e-12, 0, "species = observable A")
import xarray as xr  # noqa: E402

ds = xr.open_dataset(scratch.path("sweep2.h5"), group="sweep", engine="h5netcdf")
check(ds["observable_sensitivities"].dims == ("point", "time", "observable",
                                              "sensitivity_parameter"),
      f"xarray dims {ds['observable_sensitivities'].dims}")
check(float(ds["observable_sensitivities"].sel(observable="Atot", sensitivity_parameter="k")
            .isel(point=0, time=-1)) < 0, "selected by name")
ds.close()

# 2. protocol steps
cfg = write("steps.yaml", f"""model: ab.net
simulation: {{t_end: 10, n_steps: 20, {TOL}}}
output: {{sensitivities: [k, A0]}}
experiments:
  - name: add
    type: timecourse
    protocol: {{steps: [{{at: 5, add: {{"A()": 5}}}}]}}
  - name: set
    type: timecourse
    protocol: {{steps: [{{at: 5, set: {{"A()": 3}}}}]}}
""")
out = scratch.path("steps.h5")
r = run(cfg, "-o", out)
check.exits(r, 0, "protocol steps with sensitivities")
if r.returncode == 0:
    k = 0.3
    with h5py.File(out, "r") as f:
        S, t, _ = sens(f, "add")
        late = t >= 5
        dA = -t * 10 * np.exp(-k * t) - np.where(late, (t - 5) * 5 * np.exp(-k * (t - 5)), 0)
        check.close(S[0, :, 0, 0], dA, 1e-6, 1e-9, "add: dA/dk")
        check.close(S[0, :, 0, 1], np.exp(-k * t), 1e-6, 1e-9, "add: dA/dA0")
        S, t, _ = sens(f, "set")
        late = t >= 5
        dA = np.where(late, -(t - 5) * 3 * np.exp(-k * (t - 5)), -t * 10 * np.exp(-k * t))
        check.close(S[0, :, 0, 0], dA, 1e-6, 1e-9, "set: dA/dk")
        check.close(S[0, :, 0, 1], np.where(late, 0, np.exp(-k * t)), 1e-6, 1e-9, "set: dA/dA0")

# 3. steady-state pre-equilibration
cfg = write("steady.yaml", f"""model: rev.net
simulation: {{t_end: 5, n_steps: 5, {TOL}}}
output: {{sensitivities: [kf, kr, A0]}}
experiments:
  - name: ss
    type: timecourse
    protocol: {{preequilibrate: {{steady_state: true}}}}
""")
out = scratch.path("steady.h5")
r = run(cfg, "-o", out)
check.exits(r, 0, "steady-state pre-equilibration with sensitivities")
if r.returncode == 0:
    kf, kr, A0 = 0.7, 0.2, 10
    with h5py.File(out, "r") as f:
        S, t, _ = sens(f, "ss")
        want = np.array([-A0 * kr / (kf + kr) ** 2, A0 * kf / (kf + kr) ** 2, kr / (kf + kr)])
        check.close(S[0, :, 0, :], np.tile(want, (len(t), 1)), 1e-6, 1e-9,
                    "dA*/d(kf, kr, A0) at every time")

# 4. dose response over A0, sensitivities w.r.t. k
cfg = write("dose.yaml", f"""model: ab.net
simulation: {{t_end: 2, n_steps: 2, {TOL}}}
output: {{sensitivities: [k]}}
experiments:
  - name: d
    type: dose_response
    dose: {{parameter: A0}}
    doses: [1, 2, 4]
    readout: {{observable: Atot, times: [2]}}
""")
out = scratch.path("dose.h5")
r = run(cfg, "-o", out)
check.exits(r, 0, "dose response with sensitivities")
if r.returncode == 0:
    with h5py.File(out, "r") as f:
        S, t, _ = sens(f, "d")
        want = np.array([-t * a0 * np.exp(-0.3 * t) for a0 in (1, 2, 4)])
        check.close(S[:, :, 0, 0], want, 1e-6, 1e-9, "dA/dk per dose")

# 5. an interrupted run (SIGINT) resumed with --resume equals an uninterrupted one,
# sensitivities included
cfg = write("many.yaml", f"""model: ab.net
simulation: {{times: [0, 5, 10], {TOL}}}
output: {{sensitivities: [k, A0, "A()"]}}
experiments:
  - name: many
    type: sweep
    design: lhs
    n: 40000
    parameters:
      - {{name: k, min: 0.01, max: 1, log: true}}
""")
whole, part = scratch.path("many_whole.h5"), scratch.path("many_part.h5")
r = run(cfg, "--threads", "2", "-o", whole)
check.exits(r, 0, "40000-point sweep with sensitivities")
p = subprocess.Popen([ilnet, "run", cfg, "-q", "--overwrite", "--threads", "2", "-o", part],
                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
time.sleep(0.4 * r.seconds)
p.send_signal(signal.SIGINT)
err = p.communicate(timeout=120)[1]
interrupted = p.returncode != 0
print(f"interrupted after {0.4 * r.seconds:.2f} s of {r.seconds:.2f} s: exit {p.returncode}")
if interrupted:
    with h5py.File(part, "r") as f:
        st = f["many/status"][:]
        check(f.attrs["status"] == "running" and 0 < (st == 1).sum() < len(st),
              f"interrupted file: {(st == 1).sum()} of {len(st)} points done")
    r2 = run_cmd([ilnet, "run", cfg, "-q", "--resume", "--threads", "2", "-o", part], timeout=120)
    check.exits(r2, 0, "--resume of the interrupted sweep with sensitivities")
with h5py.File(whole, "r") as a, h5py.File(part, "r") as b:
    check(np.array_equal(a["many/observable_sensitivities"][:],
                         b["many/observable_sensitivities"][:]),
          "resumed observable_sensitivities equal the uninterrupted run's")

# 6. errors
BAD = [
    ("unknown", "output: {sensitivities: [k, nope]}\n", "has no parameter or species 'nope'", ""),
    ("set_by_protocol", "output: {sensitivities: [k]}\n",
     "set by the protocol", "    protocol: {steps: [{at: 1, set: {k: 0.5}}]}\n"),
    ("late_dose", "output: {sensitivities: [A0]}\n", "after its pre-equilibration",
     "    protocol: {preequilibrate: {duration: 5}}\n"),
]
for name, out_line, words, proto in BAD:
    cfg = write(f"bad_{name}.yaml", f"""model: ab.net
simulation: {{t_end: 2, n_steps: 2}}
{out_line}experiments:
  - name: d
    type: dose_response
    dose: {{parameter: A0}}
    doses: [1, 2]
    readout: {{observable: Atot, times: [2]}}
{proto}""")
    out = scratch.path(f"bad_{name}.h5")
    r = run(cfg, "-o", out)
    line = r.stderr.strip()
    check.exits(r, 1, f"bad config {name}", words)
    check(line.count("\n") == 0 and f"bad_{name}.yaml:3:" in line
          and "output.sensitivities" in line, f"{name}: one located line: {line!r}")
    check(not os.path.exists(out), f"{name}: no file written")

check.finish("study sensitivities")
