#!/usr/bin/python3
"""MPI runs of a study (build with -DILNET_MPI=ON) against the serial build, point for
point: a 2-D grid sweep, an LHS sweep with a protocol and a dose response with Hill fits on a
BioNetGen reference model, with `mpirun -np 2` and 1 or 2 threads per rank; then a rank
killed with SIGKILL mid-run, the file readable with its finished points, and `--resume`
under MPI completing it to the same data.

usage: test_study_mpi.py ILNET_MPI ILNET_SERIAL SCRATCH REFDIR
"""
import os
import signal
import subprocess
import sys
import time

import h5py
import numpy as np

from ilnet_testlib import Checks, Scratch, attr, excerpt, names
from ilnet_testlib import run as run_cmd

mpi_bin, serial_bin, scratch_dir, refdir = sys.argv[1:5]
scratch = Scratch(scratch_dir, fresh=True)
write = scratch.write
MPIRUN = ["mpirun", "--allow-run-as-root", "--oversubscribe", "--bind-to", "none"]
env = dict(os.environ, OMPI_MCA_rmaps_base_oversubscribe="1")
check = Checks(verbose=True)


model = os.path.join(refdir, "Motivating_example", "Motivating_example.net")
config = write("study.yaml", f"""
model: {model}
simulation: {{t_end: 100, n_steps: 40}}
output: {{species: true, compression: 2}}
experiments:
  - name: grid
    type: sweep
    parameters:
      - {{name: kp_LR, logspace: {{min: 0.01, max: 1, n: 12}}}}
      - {{name: km_LR, logspace: {{min: 0.1, max: 10, n: 10}}}}
  - name: lhs
    type: sweep
    design: lhs
    n: 40
    seed: 11
    parameters:
      - {{name: kp_LR, min: 0.01, max: 1, log: true}}
      - {{name: L0, min: 100, max: 2000}}
    protocol:
      preequilibrate: {{duration: 50, set: {{L0: 0}}}}
  - name: dose
    type: dose_response
    dose: {{parameter: L0}}
    doses: {{logspace: {{min: 1, max: 10000, n: 9}}}}
    readout: {{observable: {None}, times: [50], peak: true}}
""")
# the readout observable: the model's first one
with open(model) as f:
    lines = f.read().split("begin groups")[1].split("end groups")[0].strip().splitlines()
obs = lines[0].split()[1]
text = open(config).read().replace("observable: None", f"observable: {obs}")
open(config, "w").write(text)


def run(cmd):
    return run_cmd(cmd, env=env)


def same(a, b, label):
    with h5py.File(a, "r") as fa, h5py.File(b, "r") as fb:
        check(attr(fb, "status") == "complete", f"{label}: status complete")
        for g in fa:
            for ds in ("observables", "species_amounts", "parameters", "status"):
                check(np.array_equal(fa[g][ds][()], fb[g][ds][()], equal_nan=True),
                      f"{label}: {g}/{ds} equal to the serial run")
            cols = [i for i, n in enumerate(names(fa[g]["stat"])) if not n.endswith("_s")]
            check(np.array_equal(fa[g]["stats"][:, cols], fb[g]["stats"][:, cols]),
                  f"{label}: {g} CVODE statistics equal")
            if "fit" in fa[g]:
                check(np.array_equal(fa[g]["fit"][()], fb[g]["fit"][()], equal_nan=True),
                      f"{label}: {g}/fit equal")


ser = scratch.path("serial.h5")
r = run([serial_bin, "run", config, "-q", "--threads", "2", "-o", ser])
check.exits(r, 0, "serial run")

for threads in (1, 2):
    out = scratch.path(f"mpi_t{threads}.h5")
    r = run(MPIRUN + ["-np", "2", mpi_bin, "run", config, "--threads", str(threads), "-o", out])
    check.exits(r, 0, f"mpirun -np 2 --threads {threads}")
    check("2 ranks" in r.stdout and r.stdout.count("\n") == 1,
          f"one summary line from rank 0 naming 2 ranks ({r.stdout.strip()})")
    if r.returncode == 0:
        same(ser, out, f"-np 2 x {threads} threads")

# errors are reported once, by rank 0, and every rank exits non-zero
bad = write("bad.yaml", text.replace("name: kp_LR, logspace", "name: kp_nope, logspace"))
r = run(MPIRUN + ["-np", "2", mpi_bin, "run", bad, "-o", scratch.path("bad.h5")])
check(r.returncode == 1 and r.stderr.count("kp_nope") == 1,
      f"a config error under MPI: exit 1, one message ({r.returncode}: {excerpt(r.stderr)})")
check(not os.path.exists(scratch.path("bad.h5")), "no file for a bad config")

# a bigger grid, a rank killed mid-run, then --resume under MPI
big = write("big.yaml", text.replace("n: 12}", "n: 40}").replace("n: 10}", "n: 30}"))
ref = scratch.path("big_serial.h5")
r = run([serial_bin, "run", big, "-q", "--threads", "2", "-o", ref])
t_full = r.seconds
check.exits(r, 0, "serial big run")
out = scratch.path("big_mpi.h5")
p = subprocess.Popen(MPIRUN + ["-np", "2", mpi_bin, "run", big, "--threads", "1", "-q", "-o", out],
                     env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
time.sleep(max(1.0, 0.45 * t_full))
# a rank (an ilnet process), not mpirun, whose command line names the binary too
victims = [pid for pid in subprocess.run(["pgrep", "-f", f"{mpi_bin} run {big}"],
                                         capture_output=True, text=True).stdout.split()
           if open(f"/proc/{pid}/comm").read().strip() == "ilnet"]
if victims:
    os.kill(int(victims[-1]), signal.SIGKILL)
p.communicate(timeout=300)
check(p.returncode != 0, f"mpirun fails when a rank is killed (exit {p.returncode})")
time.sleep(0.5)
with h5py.File(out, "r") as f:
    st = f["grid"]["status"][()]
    done = int((st == 1).sum())
    check(attr(f, "status") == "running" and 0 < done < len(st),
          f"after the kill the file is readable and holds {done} of {len(st)} grid points")
    obs_done = f["grid"]["observables"][st == 1]
with h5py.File(ref, "r") as f:
    check(np.array_equal(obs_done, f["grid"]["observables"][st == 1]),
          "the finished points are intact")
r = run(MPIRUN + ["-np", "2", mpi_bin, "run", big, "--threads", "1", "--resume", "-o", out])
check.exits(r, 0, "mpirun --resume")
if r.returncode == 0:
    same(ref, out, "killed and resumed")

check.finish("MPI study runs")
