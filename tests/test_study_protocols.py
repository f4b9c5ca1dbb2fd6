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
import os
import shutil
import subprocess
import sys

import h5py
import numpy as np

ilnet, scratch = sys.argv[1:3]
shutil.rmtree(scratch, ignore_errors=True)
os.makedirs(scratch)
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def write(name, text):
    path = os.path.join(scratch, name)
    with open(path, "w") as f:
        f.write(text)
    return path


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
    return subprocess.run([ilnet, "run", config, "-q", "--overwrite", *args], capture_output=True,
                          text=True, timeout=120)


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
    out = os.path.join(scratch, f"derived{threads}.h5")
    r = run(cfg, "--threads", threads, "-o", out)
    check(r.returncode == 0, f"derived sweep, {threads} thread(s), exits 0 ({r.stderr.strip()})")
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
out = os.path.join(scratch, "dose_preeq.h5")
r = run(cfg, "-o", out)
check(r.returncode == 0, f"dose response with pre-equilibration exits 0 ({r.stderr.strip()})")
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
out = os.path.join(scratch, "decimal.h5")
r = run(cfg, "-o", out)
check(r.returncode == 0, f"decimal times exit 0 ({r.stderr.strip()})")
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
out = os.path.join(scratch, "bad.h5")
r = run(cfg, "-o", out)
check(r.returncode == 2, f"a bad point makes the run exit 2 ({r.returncode})")
with h5py.File(out, "r") as f:
    g = f["s"]
    names = [n.decode() for n in g["stat"][()]]
    st = g["stats"][()]
    check(list(g["status"][()]) == [1, -2, 1], f"status {list(g['status'][()])}")
    check(st[1, names.index("steps")] == 0 and st[1, names.index("t_reached")] == 0,
          f"the bad point did no steps and reached nothing: {st[1].tolist()}")
    check(abs(g.attrs["wall_time_s"] - st[:, names.index("wall_s")].sum()) < 1e-12,
          "wall_time_s is the sum of the points' wall_s")
r = subprocess.run([ilnet, "run", cfg, "-q", "--resume", "-o", out], capture_output=True, text=True)
check(r.returncode == 2 and "failed points" in r.stderr,
      f"--resume on a finished file with failed points exits 2 ({r.returncode}: {r.stderr.strip()})")

# 5. --resume refuses a file written from another version of the model
work = os.path.join(scratch, "work.h5")
r = run(os.path.join(scratch, "derived.yaml"), "-o", work)
with h5py.File(work, "r+") as f:
    f.attrs["status"] = "running"  # as if interrupted after the last point
r = subprocess.run([ilnet, "run", os.path.join(scratch, "derived.yaml"), "-q", "--resume", "-o", work],
                   capture_output=True, text=True)
check(r.returncode == 0, f"--resume of an unchanged study finishes it ({r.stderr.strip()})")
with h5py.File(work, "r+") as f:
    f.attrs["status"] = "running"
m2 = os.path.join(scratch, "m2.net")
open(m2, "a").write("# edited\n")
r = subprocess.run([ilnet, "run", os.path.join(scratch, "derived.yaml"), "-q", "--resume", "-o", work],
                   capture_output=True, text=True)
check(r.returncode == 1 and "different model" in r.stderr,
      f"--resume after the model changed: exit 1 ({r.returncode}: {r.stderr.strip()})")

# 6. a key that is not a string
cfg = write("key.yaml", """model: m.net
simulation: {t_end: 5, n_steps: 5}
experiments:
  - ? [a, b]
    : 1
    type: timecourse
""")
r = subprocess.run([ilnet, "run", cfg, "--check"], capture_output=True, text=True)
check(r.returncode == 1 and "key.yaml:4:" in r.stderr and "keys must be strings" in r.stderr,
      f"a list as a key: exit 1 and a located message ({r.returncode}: {r.stderr.strip()})")

print(f"{len(failures)} failed")
sys.exit(1 if failures else 0)
