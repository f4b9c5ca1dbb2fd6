#!/usr/bin/python3
"""Per-call overhead of the Python package's m.simulate over the C call it wraps, on a
small model (A <-> B, 3 output times): the C call alone (ilnet_model_simulate and
ilnet_simulation_free through ctypes), m.simulate(output="numpy") and m.simulate()
(an xarray.Dataset), alternating in rounds; the medians of the paired differences.
Then RSS over 10,000 simulate calls, and two threads simulating two copies of the IL-2
model against one thread doing both (the GIL is released inside the library).
usage: python_overhead.py [ROUNDS]   (PYTHONPATH=python, or after scripts/setup)"""
import ctypes
import os
import resource
import statistics
import sys
import tempfile
import time

import numpy as np

import ilnet
from ilnet import _lib

AB = """begin parameters
  kf 2
  kr 0.5
end parameters
begin molecule types
  A()
  B()
end molecule types
begin seed species
  A() 10
end seed species
begin observables
  Molecules Atot A()
end observables
begin reaction rules
  A() <-> B() kf, kr
end reaction rules
"""

rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
d = tempfile.mkdtemp()
path = os.path.join(d, "ab.bngl")
with open(path, "w") as f:
    f.write(AB)
m = ilnet.load(path)
times = np.array([0.0, 0.5, 1.0])
opts, _ = m._options(1e-8, 1e-8, 100000, "auto", None)
h = ctypes.c_void_p()


def c_call():
    _lib.lib.ilnet_model_simulate(ctypes.byref(h), m._h, times.ctypes.data_as(_lib.c_double_p),
                                  3, ctypes.byref(opts))
    _lib.lib.ilnet_simulation_free(h)


def numpy_call():
    m.simulate(times=times, output="numpy")


def xarray_call():
    m.simulate(times=times)


def clock(fn, n=20):
    t0 = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - t0) / n


for fn in (c_call, numpy_call, xarray_call):  # warm up
    clock(fn, 200)
c, npy, xa = [], [], []
for _ in range(rounds // 20):
    tc = clock(c_call)
    npy.append(clock(numpy_call) - tc)
    xa.append(clock(xarray_call) - tc)
    c.append(tc)
us = 1e6
print(f"C call (ctypes, simulate + free): median {statistics.median(c) * us:.1f} us")
print(f"m.simulate(output='numpy') over it: median {statistics.median(npy) * us:.1f} us "
      f"(IQR {np.percentile(npy, 25) * us:.1f}-{np.percentile(npy, 75) * us:.1f})")
print(f"m.simulate() (xarray.Dataset) over it: median {statistics.median(xa) * us:.1f} us "
      f"(IQR {np.percentile(xa, 25) * us:.1f}-{np.percentile(xa, 75) * us:.1f})")


def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2 ** 20


before = rss_mb()
for _ in range(10000):
    m.simulate(times=times, output="numpy")
mid = rss_mb()
for _ in range(10000):
    m.simulate(times=times)
print(f"RSS: {before:.1f} MB -> {mid:.1f} MB after 10,000 numpy calls -> {rss_mb():.1f} MB "
      f"after 10,000 xarray calls")


# two threads on two copies vs one thread doing both (IL-2 model, 60 min)
il2 = ilnet.load("il2_il7", preset="human_thelper", set={"L2_nM": 0.1})
copies = [il2.copy(), il2.copy()]


def run_many(c, k=20):
    for _ in range(k):
        c.simulate(t_end=240, n_steps=24, output="numpy")


def both_serial():
    for c in copies:
        run_many(c)


def both_threads():
    import threading
    ts = [threading.Thread(target=run_many, args=(c,)) for c in copies]
    for t in ts:
        t.start()
    for t in ts:
        t.join()


ratios = []
for _ in range(7):
    a, b = clock(both_serial, 1), clock(both_threads, 1)
    ratios.append(a / b)
print(f"two copies of il2_il7 (20 simulations of 240 min each) on two threads: {statistics.median(ratios):.2f}x the speed of one "
      f"thread (median of {len(ratios)} paired rounds; {os.cpu_count()} cores)")
