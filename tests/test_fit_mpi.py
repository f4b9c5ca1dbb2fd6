#!/usr/bin/python3
"""ilnet fit under MPI (build with -DILNET_MPI=ON) against the serial build, start for start:
Boehm 2014, 16 L-BFGS starts, `mpirun -np 2` with 1 thread per rank, and the serial build
on 2 threads: the same theta0, theta, llh, iterations and status for every start, the same
best llh printed, and the file complete on rank 0 (the only rank that writes or prints).
Profiles of every parameter (a short grid) are spread over the ranks and equal the serial
build's point for point.

usage: test_fit_mpi.py ILNET_MPI ILNET_SERIAL PETAB_BENCHMARK_DIR SCRATCH
"""
import os
import re
import sys

import h5py
import numpy as np

from ilnet_testlib import Checks, Scratch, run

mpi_bin, serial_bin, bench, scratch_dir = sys.argv[1:5]
scratch = Scratch(scratch_dir, fresh=True)
check = Checks(verbose=True)
MPIRUN = ["mpirun", "--allow-run-as-root", "--oversubscribe", "--bind-to", "none"]
env = dict(os.environ, OMPI_MCA_rmaps_base_oversubscribe="1")
yaml = os.path.join(bench, "Boehm_JProteomeRes2014", "Boehm_JProteomeRes2014.yaml")
args = ["--starts", "16", "--optimizer", "lbfgs", "-q", "--profile", "all", "--profile-points", "8"]

serial, mpi = scratch.path("serial.h5"), scratch.path("mpi.h5")
r1 = run([serial_bin, "fit", yaml, *args, "--threads", "2", "-o", serial], timeout=600)
check.exits(r1, 0, "serial fit, 2 threads")
r2 = run([*MPIRUN, "-np", "2", mpi_bin, "fit", yaml, *args, "--threads", "1", "-o", mpi],
         timeout=600, env=env)
check.exits(r2, 0, "mpirun -np 2 fit")
best = [re.findall(r"^best llh: (\S+)$", r.stdout, re.M) for r in (r1, r2)]
check(len(best[1]) == 1, f"one rank prints the result: {best[1]}")
check(best[0] == best[1][:1], f"best llh serial {best[0]} vs MPI {best[1]}")
if r1.returncode == 0 and r2.returncode == 0:
    with h5py.File(serial, "r") as a, h5py.File(mpi, "r") as b:
        check(b.attrs["status"] == "complete", "MPI fit file complete")
        for k in ("theta0", "theta", "llh", "iterations", "status"):
            check(np.array_equal(a[k][:], b[k][:], equal_nan=True), f"{k}: MPI = serial")
        ids = sorted(a["profiles"].keys())
        check(len(ids) == 9 and sorted(b["profiles"].keys()) == ids, f"profiles: {ids}")
        for pid in ids:
            pa, pb = a["profiles"][pid], b["profiles"][pid]
            for k in ("value", "llh", "theta", "status"):
                check(np.array_equal(pa[k][()], pb[k][()], equal_nan=True), f"profile {pid} {k}: MPI = serial")
            for k in ("ci_lower", "ci_upper"):
                check(pa.attrs[k] == pb.attrs[k], f"profile {pid} {k}: MPI {pb.attrs[k]} = serial {pa.attrs[k]}")
        for k in ("profile_ci_lower", "profile_ci_upper"):
            check(np.array_equal(a[k][:], b[k][:], equal_nan=True), f"{k}: MPI = serial")
        ranks = [int(b["profiles"][pid].attrs["rank"]) for pid in ids]
        check(sorted(set(ranks)) == [0, 1], f"profiles computed on both ranks: {ranks}")
        check({int(a["profiles"][pid].attrs["rank"]) for pid in ids} == {0}, "serial: rank 0")

# a study with a fit experiment (type: fit) under MPI: the same starts as the serial build
study = scratch.path("study.yaml")
with open(study, "w") as fh:
    fh.write(f"""model: {os.path.join(bench, "Boehm_JProteomeRes2014", "model_Boehm_JProteomeRes2014.xml")}
simulation: {{t_end: 10, n_steps: 2}}
experiments:
  - {{name: tc, type: timecourse}}
  - {{name: boehm, type: fit, problem: {yaml}, starts: 4, optimizer: lbfgs, seed: 2}}
""")
s1, s2 = scratch.path("study_serial.h5"), scratch.path("study_mpi.h5")
r1 = run([serial_bin, "run", study, "-o", s1, "--threads", "2", "-q"], timeout=600)
check.exits(r1, 0, "serial study with a fit")
r2 = run([*MPIRUN, "-np", "2", mpi_bin, "run", study, "-o", s2, "--threads", "1", "-q"],
         timeout=600, env=env)
check.exits(r2, 0, "mpirun -np 2 study with a fit")
if r1.returncode == 0 and r2.returncode == 0:
    with h5py.File(s1, "r") as a, h5py.File(s2, "r") as b:
        for k in ("theta", "llh", "status"):
            check(np.array_equal(a["boehm"][k][()], b["boehm"][k][()], equal_nan=True),
                  f"study fit {k}: MPI = serial")
check.finish("ilnet fit under MPI")
