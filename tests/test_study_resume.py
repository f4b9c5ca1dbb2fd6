#!/usr/bin/python3
"""Crash safety and resumption of `ilnet run STUDY.yaml` (docs/study.md, "Running" and
"Crash safety"), and independence of the results from the thread count.

usage: test_study_resume.py ILNET SRCDIR SCRATCH REFDIR
(REFDIR: ../shared/reference/bng; the sweeps run on REFDIR/Motivating_example)

1. A 2-D grid sized to take ~8 s with --threads 2 (calibrated on this machine) runs
   uninterrupted to A.h5.
2. The same config runs to B.h5 and is killed (SIGKILL) after ~40 % of A's time: B.h5
   must open with h5py at once, with root status "running" and some but not all points
   finished (status 1, finite values); a copy C.h5 is kept.
3. --resume with a changed config text fails (exit 1) and leaves B.h5 alone.
4. --resume finishes B.h5: B equals A bit for bit (observables, parameters, status, and the
   CVODE counters in stats; wall-clock columns excluded), and the points finished before
   the kill were not run again (their wall-clock stats unchanged).
5. Without --resume, C.h5 (incomplete) is not overwritten: exit 1, file unchanged; with
   --overwrite it is, and equals A.
6. --threads 1 and --threads 2 give bit-identical observables (and stats counters) on a
   smaller sweep."""
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time

import h5py
import numpy as np

from ilnet_testlib import Checks, Scratch, attr, names
from ilnet_testlib import run as run_cmd

ilnet, srcdir, scratch_dir, refdir = (os.path.abspath(a) for a in sys.argv[1:5])
scratch = Scratch(scratch_dir)
write, rm = scratch.write, scratch.remove
model = os.path.join(refdir, "Motivating_example", "Motivating_example.net")
model_rel = os.path.relpath(model, scratch_dir)
check = Checks()
TARGET_S = 8.0  # wanted duration of the big sweep with 2 threads


def config(n1, n2, comment=""):
    return f"""# resume test: {n1} x {n2} grid on Motivating_example{comment}
model: {model_rel}
simulation: {{t_end: 1000, n_steps: 100, atol: 1e-12, rtol: 1e-10}}
experiments:
  - name: grid
    type: sweep
    design: grid
    parameters:
      - {{name: kp_LR, logspace: {{min: 0.01, max: 1, n: {n1}}}}}
      - {{name: k_R_endo, logspace: {{min: 0.1, max: 10, n: {n2}}}}}
"""


def digest(path):
    """The file's content that a refused run must leave alone (the bytes may differ: HDF5
    clears the superblock's open-for-write flag of a killed file when it is reopened)."""
    h = hashlib.sha256()
    with h5py.File(path, "r") as f:
        for k in sorted(f.attrs):
            h.update(k.encode() + repr(f.attrs[k]).encode())
        for gname in sorted(f):
            for d in sorted(f[gname]):
                v = f[gname][d][()]
                if isinstance(v, np.ndarray) and v.dtype.kind != "O":
                    b = np.ascontiguousarray(v).tobytes()
                else:
                    b = repr(v.tolist() if isinstance(v, np.ndarray) else v).encode()
                h.update(gname.encode() + d.encode() + b)
    return h.hexdigest()


def counter_columns(g):
    """stats columns that are deterministic: everything but wall-clock ones."""
    sn = names(g["stat"])
    keep = [j for j, n in enumerate(sn)
            if not (n.lower().endswith("_s") or any(w in n.lower() for w in ("wall", "second", "elapsed", "cpu", "clock")))]
    wall = [j for j in range(len(sn)) if j not in keep]
    return sn, keep, wall


def compare(pa, pb, what):
    with h5py.File(pa, "r") as fa, h5py.File(pb, "r") as fb:
        ga, gb = fa["grid"], fb["grid"]
        for d in ("observables", "parameters", "status"):
            check(np.array_equal(ga[d][()], gb[d][()]) and ga[d].dtype == gb[d].dtype,
                  f"{what}: {d} differ")
        sn, keep, _ = counter_columns(ga)
        check(names(gb["stat"]) == sn, f"{what}: stat names differ")
        check(any("step" in sn[j].lower() for j in keep), f"{what}: no step-count column in stat {sn}")
        check(np.array_equal(ga["stats"][:, keep], gb["stats"][:, keep]),
              f"{what}: CVODE counters differ ({[sn[j] for j in keep]})")
        check(attr(fa, "status") == "complete" and attr(fb, "status") == "complete",
              f"{what}: status {attr(fa, 'status')!r} / {attr(fb, 'status')!r}")


def quick(args):
    """ilnet run args: the exit code, the start of stderr, the seconds it took."""
    r = run_cmd([ilnet, "run", *args])
    return r.returncode, r.stderr.strip()[:400], r.seconds


# ------------------------------------------------------------------ calibration

cal = write("calibrate.yaml", config(2, 2))
rc, err, t_small = quick([cal, "-o", scratch.path("cal_small.h5"), "--quiet", "--threads", "2"])
if not check(rc == 0, f"calibration run: exit {rc}: {err}"):
    check.finish("resume")
cal = write("calibrate.yaml", config(8, 8))
rc, err, t_64 = quick([cal, "-o", scratch.path("cal_64.h5"), "--quiet", "--threads", "2"])
check(rc == 0, f"calibration run (64 points): exit {rc}: {err}")
per_point = max((t_64 - t_small) / 60, 1e-4)
n_total = int(min(max(TARGET_S / per_point, 100), 20000))
n1 = max(10, int(round(n_total ** 0.5)))
n2 = max(10, n_total // n1)
print(f"calibration: {t_small:.2f} s for 4 points, {t_64:.2f} s for 64; {per_point * 1e3:.1f} ms/point "
      f"(2 threads) -> {n1} x {n2} grid", flush=True)

text = config(n1, n2)
cfg = write("resume.yaml", text)
A, B, C = (scratch.path(x) for x in ("A.h5", "B.h5", "C.h5"))
rm(A, B, C)

# ------------------------------------------------------------------ 1. uninterrupted
rc, err, t_A = quick([cfg, "-o", A, "--quiet", "--threads", "2"])
if not check(rc == 0, f"uninterrupted run: exit {rc}: {err}"):
    check.finish("resume")
print(f"uninterrupted: {n1 * n2} points in {t_A:.2f} s", flush=True)
with h5py.File(A, "r") as f:
    check(attr(f, "status") == "complete", f"A: status {attr(f, 'status')!r}")
    check(np.all(f["grid/status"][()] == 1), "A: not every point ok")

# ------------------------------------------------------------------ 2. killed
killed = False
for attempt in range(3):
    rm(B)
    p = subprocess.Popen([ilnet, "run", cfg, "-o", B, "--quiet", "--threads", "2"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    t0 = time.monotonic()
    time.sleep(0.4 * t_A)
    if p.poll() is None:
        p.send_signal(signal.SIGKILL)
        p.wait(timeout=60)
        killed = True
        print(f"killed after {time.monotonic() - t0:.2f} s", flush=True)
        break
    p.wait()
    print(f"attempt {attempt}: the run ended before the kill ({time.monotonic() - t0:.2f} s); again", flush=True)
    t_A *= 1.5
if not check(killed, "could not kill the run before it finished"):
    check.finish("resume")
leftover_tmp = scratch.temporary_files()
n_done_before = 0
wall_before = None
try:
    with h5py.File(B, "r") as f:
        check(attr(f, "kind") == "study", f"B after kill: kind {attr(f, 'kind')!r}")
        check(attr(f, "status") == "running", f"B after kill: status {attr(f, 'status')!r}, want 'running'")
        st = f["grid/status"][()]
        n_done_before = int(np.sum(st == 1))
        check(st.shape == (n1 * n2,), f"B after kill: status shape {st.shape}")
        check(set(np.unique(st).tolist()) <= {0, 1}, f"B after kill: status values {np.unique(st)}")
        check(0 < n_done_before < n1 * n2,
              f"B after kill: {n_done_before} of {n1 * n2} points finished, want some but not all")
        done = st == 1
        obs = f["grid/observables"][()]
        check(np.all(np.isfinite(obs[done])), "B after kill: finished points have non-finite values")
        with h5py.File(A, "r") as fa:
            check(np.array_equal(obs[done], fa["grid/observables"][()][done]),
                  "B after kill: finished points differ from A")
        _, _, wall = counter_columns(f["grid"])
        if wall:
            wall_before = f["grid/stats"][()][:, wall]
        print(f"after the kill: {n_done_before} of {n1 * n2} points finished", flush=True)
except Exception as e:  # noqa: BLE001
    check(False, f"B.h5 not readable right after SIGKILL: {e!r}")
shutil.copyfile(B, C)
digest_B = digest(B)

# ------------------------------------------------------------------ 3. resume with another text
cfg2 = write("resume_changed.yaml", config(n1, n2, comment=" (changed)"))
rc, err, _ = quick([cfg2, "-o", B, "--quiet", "--threads", "2", "--resume"])
check(rc == 1, f"--resume with a changed config: exit {rc}, want 1: {err}")
check(digest(B) == digest_B, "--resume with a changed config modified B.h5")

# ------------------------------------------------------------------ 4. resume
rc, err, t_resume = quick([cfg, "-o", B, "--quiet", "--threads", "2", "--resume"])
check(rc == 0, f"--resume: exit {rc}: {err}")
print(f"resumed in {t_resume:.2f} s", flush=True)
if rc == 0:
    compare(A, B, "A vs resumed B")
    if wall_before is not None:
        with h5py.File(B, "r") as f:
            st_now = f["grid/stats"][()]
            _, _, wall = counter_columns(f["grid"])
            with h5py.File(C, "r") as fc:
                done = fc["grid/status"][()] == 1
            check(np.array_equal(st_now[done][:, wall], wall_before[done]),
                  "resume ran points that were already finished (their wall-clock stats changed)")
tmps = scratch.temporary_files()
check(not tmps, f"temporary files left after resume: {tmps}")

# ------------------------------------------------------------------ 5. incomplete file, no --resume
digest_C = digest(C)
rc, err, _ = quick([cfg, "-o", C, "--quiet", "--threads", "2"])
check(rc == 1, f"run over an incomplete file without --resume: exit {rc}, want 1: {err}")
check(len(err.splitlines()) == 1, f"run over an incomplete file: stderr not one line: {err!r}")
check(digest(C) == digest_C, "run without --resume modified the incomplete file")
rc, err, _ = quick([cfg, "-o", C, "--quiet", "--threads", "2", "--overwrite"])
check(rc == 0, f"--overwrite: exit {rc}: {err}")
if rc == 0:
    compare(A, C, "A vs overwritten C")

# ------------------------------------------------------------------ 6. threads
small = write("threads.yaml", config(6, 5))
T1, T2 = scratch.path("T1.h5"), scratch.path("T2.h5")
rm(T1, T2)
r1 = quick([small, "-o", T1, "--quiet", "--threads", "1"])
r2 = quick([small, "-o", T2, "--quiet", "--threads", "2"])
check(r1[0] == 0 and r2[0] == 0, f"threads runs: exit {r1[0]} / {r2[0]}: {r1[1]} {r2[1]}")
if r1[0] == 0 and r2[0] == 0:
    compare(T1, T2, "--threads 1 vs --threads 2")

check.finish("resume")
