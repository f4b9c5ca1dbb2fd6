#!/usr/bin/python3
"""Study behaviours found in review, against closed forms (A -> B at rate k, A(0) = A0):
a protocol that sets a derived parameter leaves no trace on the next point (whatever the
thread count), a dose given after pre-equilibration arrives at t_start, step and readout
times written as decimals land on the output rows they name, a failed point's statistics
are its own, wall_time_s sums the stored points, a finished file with failed points still
exits 2 on --resume, --resume refuses a changed model, and a non-string key is an error,
not a crash.

usage: test_study_protocols.py ILNET SCRATCH
"""
import math
import sys

import h5py
import numpy as np

from ilnet_testlib import Checks, Scratch, names
from ilnet_testlib import run as run_cmd

ilnet = sys.argv[1]
scratch = Scratch(sys.argv[2], fresh=True)
write = scratch.write
check = Checks(verbose=True)


write("m.net", """begin parameters
    1 A0 1
    2 k 0.1
end parameters
begin species
    1 A() A0
    2 B() 0
end species
begin reactions
    1 1 2 k
end reactions
begin groups
    1 Atot 1
end groups
""")
write("m2.net", """begin parameters
    1 A0 1
    2 k 0.1
    3 kd 2*k
end parameters
begin species
    1 A() A0
    2 B() 0
end species
begin reactions
    1 1 2 kd
end reactions
begin groups
    1 Atot 1
end groups
""")


def run(config, *args):
    return run_cmd([ilnet, "run", config, "-q", "--overwrite", *args], timeout=120)


# 1. a derived rate set to 0 by a step must follow the swept k again at the next point
cfg = write("derived.yaml", """model: m2.net
simulation: {times: [0, 2, 5]}
experiments:
  - name: s
    type: sweep
    parameters:
      - {name: k, values: [0.1, 0.2, 0.1, 0.2]}
    protocol:
      steps: [{at: 4, set: {kd: 0}}]
""")
want = np.exp(-2 * np.array([0.1, 0.2, 0.1, 0.2]) * 2)
for threads in ("1", "2"):
    out = scratch.path(f"derived{threads}.h5")
    r = run(cfg, "--threads", threads, "-o", out)
    check.exits(r, 0, f"derived sweep, {threads} thread(s)")
    with h5py.File(out, "r") as f:
        a = f["s/observables"][:, :, 0]
    check(np.allclose(a[:, 1], want, rtol=1e-6),
          f"A(2) = exp(-2k*2) at every point with {threads} thread(s): {a[:, 1]}")
    check(np.allclose(a[:, 2], want * np.exp(-2 * np.array([0.1, 0.2, 0.1, 0.2]) * 2), rtol=1e-6),
          f"A(5) = A(4) after kd := 0 at t = 4 ({threads} thread(s))")

# 2. the dose comes at t_start, after the pre-equilibration (which runs without it)
cfg = write("dose_preeq.yaml", """model: m.net
simulation: {t_end: 1, n_steps: 1}
experiments:
  - name: d
    type: dose_response
    dose: {parameter: A0}
    doses: [2, 4, 8, 16]
    readout: {observable: Atot, times: [0, 1]}
    protocol:
      preequilibrate: {duration: 10}
""")
out = scratch.path("dose_preeq.h5")
r = run(cfg, "-o", out)
check.exits(r, 0, "dose response with pre-equilibration")
with h5py.File(out, "r") as f:
    resp = f["d/response"][0]
check(np.allclose(resp[:, 0], [2, 4, 8, 16]) and np.allclose(resp[:, 1], np.array([2, 4, 8, 16]) * math.exp(-0.1), rtol=1e-6),
      f"A(t_start) = dose and A(1) = dose*exp(-k): {resp.tolist()}")

# 3. decimal step and readout times on a t0 + i*dt grid
cfg = write("decimal.yaml", """model: m.net
simulation: {t_end: 0.3, n_steps: 3}
experiments:
  - name: p
    type: timecourse
    protocol:
      steps: [{at: 0.1, set: {"A()": 5}}]
  - name: d
    type: dose_response
    dose: {parameter: A0}
    doses: [1]
    readout: {observable: Atot, times: [0.1]}
""")
out = scratch.path("decimal.h5")
r = run(cfg, "-o", out)
check.exits(r, 0, "decimal times")
with h5py.File(out, "r") as f:
    p = f["p/observables"][0, :, 0]
    nt = len(f["d/time"])
check(abs(p[1] - 5) < 1e-12 and abs(p[2] - 5 * math.exp(-0.1 * 0.1)) < 1e-6,
      f"the row at t = 0.1 shows the state after the step at 0.1: {p.tolist()}")
check(nt == 4, f"a readout at 0.1 adds no near-duplicate row ({nt} rows)")

# 4. a bad point's statistics are its own; wall_time_s sums the stored points
cfg = write("bad.yaml", """model: m.net
simulation: {t_end: 5, n_steps: 5}
experiments:
  - name: s
    type: sweep
    parameters:
      - {name: k, values: [0.1, -1, 0.2]}
""")
out = scratch.path("bad.h5")
r = run(cfg, "-o", out)
check.exits(r, 2, "a bad point makes the run exit 2")
with h5py.File(out, "r") as f:
    g = f["s"]
    stat = names(g["stat"])
    st = g["stats"][()]
    check(list(g["status"][()]) == [1, -2, 1], f"status {list(g['status'][()])}")
    check(st[1, stat.index("steps")] == 0 and st[1, stat.index("t_reached")] == 0,
          f"the bad point did no steps and reached nothing: {st[1].tolist()}")
    check(abs(g.attrs["wall_time_s"] - st[:, stat.index("wall_s")].sum()) < 1e-12,
          "wall_time_s is the sum of the points' wall_s")
r = run_cmd([ilnet, "run", cfg, "-q", "--resume", "-o", out])
check.exits(r, 2, "--resume on a finished file with failed points", "failed points")

# 5. --resume refuses a file written from another version of the model
work = scratch.path("work.h5")
r = run(scratch.path("derived.yaml"), "-o", work)
with h5py.File(work, "r+") as f:
    f.attrs["status"] = "running"  # as if interrupted after the last point
r = run_cmd([ilnet, "run", scratch.path("derived.yaml"), "-q", "--resume", "-o", work])
check.exits(r, 0, "--resume of an unchanged study finishes it")
with h5py.File(work, "r+") as f:
    f.attrs["status"] = "running"
m2 = scratch.path("m2.net")
open(m2, "a").write("# edited\n")
r = run_cmd([ilnet, "run", scratch.path("derived.yaml"), "-q", "--resume", "-o", work])
check.exits(r, 1, "--resume after the model changed", "different model")

# 6. a key that is not a string
cfg = write("key.yaml", """model: m.net
simulation: {t_end: 5, n_steps: 5}
experiments:
  - ? [a, b]
    : 1
    type: timecourse
""")
r = run_cmd([ilnet, "run", cfg, "--check"])
check.exits(r, 1, "a list as a key: a located message", "key.yaml:4:", "keys must be strings")

# 7. pre-equilibration to a steady state: A <-> B (kf 0.3, kr 0.1, A(0) = 1) settles at
# A = kr/(kf+kr) = 0.25; with kr := 0 during it everything goes to B, and kr is restored
# for the run
write("rev.net", """begin parameters
    1 kf 0.3
    2 kr 0.1
end parameters
begin species
    1 A() 1
    2 B() 0
end species
begin reactions
    1 1 2 kf
    2 2 1 kr
end reactions
begin groups
    1 Atot 1
end groups
""")
cfg = write("steady.yaml", """model: rev.net
simulation: {times: [0, 1]}
experiments:
  - name: s
    type: timecourse
    protocol:
      preequilibrate: {steady_state: true}
  - name: z
    type: timecourse
    protocol:
      preequilibrate: {steady_state: true, set: {kr: 0}}
""")
out = scratch.path("steady.h5")
r = run(cfg, "-o", out)
check.exits(r, 0, "pre-equilibration to a steady state")
with h5py.File(out, "r") as f:
    a = f["s/observables"][0, :, 0]
    z = f["z/observables"][0, :, 0]
check(np.allclose(a, 0.25, rtol=1e-7), f"steady A = kr/(kf+kr) = 0.25 throughout: {a.tolist()}")
# from A = 0 with kr restored: A(1) = 0.25 (1 - exp(-0.4))
check(abs(z[0]) < 1e-9 and abs(z[1] - 0.25 * (1 - math.exp(-0.4))) < 1e-6,
      f"kr := 0 to the steady state (all B), then restored: {z.tolist()}")
cfg = write("steady_bad.yaml", """model: rev.net
simulation: {times: [0, 1]}
experiments:
  - name: s
    type: timecourse
    protocol:
      preequilibrate: {steady_state: true, duration: 10}
""")
r = run_cmd([ilnet, "run", cfg, "--check"])
check.exits(r, 1, "duration and steady_state together", "steady_bad.yaml:7:", "not both")

check.finish("study protocols")
