#!/usr/bin/python3
"""A two-parameter sweep of the IL-2 model on two threads, each with its own copy of the
model: pSTAT5 at 60 min over IL-2Ra and IL-2Rb counts, as an xarray DataArray.
usage: sweep.py"""
import itertools
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import xarray as xr

import ilnet

R_A = np.logspace(2, 4, 5)  # IL-2Ra per cell
R_B = np.logspace(2.5, 3.5, 4)  # IL-2Rb per cell
base = ilnet.load("il2_il7", preset="human_thelper", set={"L2_nM": 0.1})
models = [base.copy() for _ in range(2)]  # one per thread: ilnet releases the GIL


def run(job):
    worker, (a, b) = job
    m = models[worker]
    m.parameters["R_A"], m.parameters["R_B"] = a, b
    r = m.simulate(times=[0, 60])
    return float(r.observables.sel(observable="pSTAT5_total", time=60))


points = list(itertools.product(R_A, R_B))
with ThreadPoolExecutor(2) as pool:
    # worker i takes every other point
    values = list(pool.map(run, [(i % 2, p) for i, p in enumerate(points)]))
pstat5 = xr.DataArray(np.reshape(values, (len(R_A), len(R_B))), dims=("R_A", "R_B"),
                      coords={"R_A": R_A, "R_B": R_B}, name="pSTAT5_total")
print(pstat5.round(0))
