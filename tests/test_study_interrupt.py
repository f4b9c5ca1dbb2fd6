"""SIGINT and SIGTERM stop a study cleanly: the command owns the signals and hands a cancel
to the library through its progress callback; workers finish the point they hold, the file
keeps every finished point (status "running", readable), the exit status is 1 with
"interrupted after N of M points ... --resume", and --resume completes the file with
values equal to an uninterrupted run's.

usage: test_study_interrupt.py ILNET REFDIR WORKDIR"""
import os
import signal
import subprocess
import sys
import time

import h5py
import numpy as np

from ilnet_testlib import Checks, Scratch, attr, excerpt, run

ilnet, refdir = sys.argv[1:3]
work = Scratch(sys.argv[3], fresh=True)
check = Checks()
net = os.path.join(refdir, "Cheemalavagu_JAK_STAT", "Cheemalavagu_JAK_STAT.net")
config = work.write("sweep.yaml", f"""model: {net}
simulation: {{t_end: 90, n_steps: 90}}
experiments:
  - name: doses
    type: sweep
    design: grid
    parameters:
      - {{name: L1_0, logspace: {{min: 0.01, max: 1000, n: 60}}}}
      - {{name: L2_0, logspace: {{min: 0.01, max: 1000, n: 60}}}}
""")

ref = work.path("ref.h5")
r = run([ilnet, "run", config, "-o", ref, "--threads", "2", "-q"])
check.exits(r, 0, "uninterrupted run")
full_time = r.seconds

for sig in (signal.SIGINT, signal.SIGTERM):
    name = signal.Signals(sig).name
    out = work.path(f"{name}.h5")
    p = subprocess.Popen([ilnet, "run", config, "-o", out, "--threads", "2"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(max(0.3, 0.3 * full_time))
    p.send_signal(sig)
    try:
        so, se = p.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        p.kill()
        so, se = p.communicate()
        check(False, f"{name}: the study did not stop within 120 s of the signal")
        continue
    check(p.returncode == 1, f"{name}: exit {p.returncode}, want 1 ({excerpt(se)})")
    check("interrupted after" in se and "--resume" in se, f"{name}: message: {excerpt(se)}")
    with h5py.File(out, "r") as f:
        check(attr(f, "status") == "running", f"{name}: status {attr(f, 'status')!r}")
        st = f["doses"]["status"][()]
        done = int((st == 1).sum())
    check(0 < done < len(st), f"{name}: {done} of {len(st)} points kept")
    r = run([ilnet, "run", config, "-o", out, "--resume", "-q"])
    check.exits(r, 0, f"{name}: --resume")
    with h5py.File(out, "r") as f, h5py.File(ref, "r") as g:
        check(attr(f, "status") == "complete", f"{name}: status after resume {attr(f, 'status')!r}")
        a, b = f["doses"]["observables"][()], g["doses"]["observables"][()]
        check(a.shape == b.shape and np.array_equal(a, b),
              f"{name}: resumed values differ from the uninterrupted run's")
    print(f"{name}: stopped after {done} of {len(st)} points, resumed to complete", flush=True)

check.finish("study interrupt")
