#!/usr/bin/python3
"""Study files (`ilnet run STUDY.yaml`, docs/study.md) against truth: BioNetGen's reference
time course (Haugh2b), closed forms of tiny networks written here (decay, binding to a
clamped ligand, a finite-time blow-up), the documented point order of grid/zip/dose
designs, the Latin property of LHS designs, Sobol bounds, protocols, Hill fits of an exact
binding isotherm, failed points, and the HDF5 layout (attributes, dimension scales,
compression, xarray).

usage: test_study_hdf5.py ILNET SRCDIR SCRATCH REFDIR
(REFDIR: ../shared/reference/bng)"""
import itertools
import math
import os
import re
import sys

import h5py
import numpy as np

from ilnet_testlib import Checks, Scratch, attr, names, run, s

ilnet, srcdir, scratch_dir, refdir = (os.path.abspath(a) for a in sys.argv[1:5])
scratch = Scratch(scratch_dir)
write = scratch.write
check = Checks()
close = check.close
TIMEOUT = 300


def run_study(name, text, expect=0, args=()):
    """Writes SCRATCH/name.yaml, runs it to SCRATCH/name.h5; returns the output path."""
    cfg = write(name + ".yaml", text)
    out = scratch.path(name + ".h5")
    scratch.remove(out)
    r = run([ilnet, "run", cfg, "-o", out, "--quiet", *args], timeout=TIMEOUT)
    ok = check.exits(r, expect, name)
    check(os.path.exists(out) or not ok, f"{name}: no output file {out}")
    tmps = scratch.temporary_files()
    check(not tmps, f"{name}: temporary files left: {tmps}")
    return out if os.path.exists(out) else None


def point_params(g, defaults):
    """Dicts of every parameter's value at each point: the varying ones from the file."""
    pn = names(g["parameter"]) if "parameter" in g else []
    pv = g["parameters"][()] if "parameters" in g else np.zeros((g["status"].shape[0], 0))
    out = []
    for i in range(g["status"].shape[0]):
        d = dict(defaults)
        for j, n in enumerate(pn):
            d[n] = float(pv[i, j])
        out.append(d)
    return out


def obs_index(g):
    return {n: i for i, n in enumerate(names(g["observable"]))}


# ======================================================================== models

DECAY = """# A -> B at k (A(0) = A0), C -> 0 at kc (C(0) = 1)
begin parameters
    1 k   0.5
    2 A0  1
    3 kc  0.2
end parameters
begin species
    1 A  A0
    2 B  0
    3 C  1
end species
begin reactions
    1 1 2 k
    2 3 0 kc
end reactions
begin groups
    1 Atot  1
    2 Btot  2
    3 Ctot  3
end groups
"""
DECAY_DEFAULTS = {"k": 0.5, "A0": 1.0, "kc": 0.2}

BINDING = """# L (clamped at L0) + R <-> C: C(t) = Rtot kf L/(kf L + kr) (1 - exp(-(kf L + kr) t))
begin parameters
    1 kf    1
    2 kr    1
    3 L0    0
    4 Rtot  10
end parameters
begin species
    1 $L  L0
    2 R   Rtot
    3 C   0
end species
begin reactions
    1 1,2 3 kf
    2 3 1,2 kr
end reactions
begin groups
    1 Ctot   3
    2 Rfree  2
end groups
"""

MIXED = """# A -> 0 at kd (A(0) = 1); B + B -> 3 B at kb (B(0) = 1): B = 1/(1 - kb t), infinite at 1/kb
begin parameters
    1 kd  0.1
    2 kb  0.01
end parameters
begin species
    1 A  1
    2 B  1
end species
begin reactions
    1 1 0 kd
    2 2,2 2,2,2 kb
end reactions
begin groups
    1 Atot  1
    2 Btot  2
end groups
"""
write("decay.net", DECAY)
write("binding.net", BINDING)
write("mixed.net", MIXED)


def decay_exact(p, t, t0=0.0, C0=1.0):
    a = p["A0"] * np.exp(-p["k"] * (t - t0))
    return {"Atot": a, "Btot": p["A0"] - a, "Ctot": C0 * np.exp(-p["kc"] * (t - t0))}


def binding_exact(kf, kr, L, Rtot, t):
    r = kf * L + kr
    return Rtot * kf * L / r * (1 - np.exp(-r * t))


ROOT_ATTRS = ["ilnet_version", "kind", "status", "config_path", "config_text", "model_path",
              "model_text", "command_line", "created_utc", "solver_atol", "solver_rtol",
              "solver_max_steps", "solver_linear_solver"]
GROUP_ATTRS = ["type", "n_points", "n_failed", "wall_time_s"]  # + design for sweeps


def check_group_layout(f, gname, n_points, n_times, n_obs, what):
    if not check(gname in f, f"{what}: no group /{gname} (groups: {list(f.keys())})"):
        return False
    g = f[gname]
    for a in GROUP_ATTRS:
        check(a in g.attrs, f"{what}: /{gname} lacks attribute {a}")
    for d in ["point", "time", "observable", "parameter", "parameters", "observables", "status",
              "stat", "stats", "message"]:
        check(d in g, f"{what}: /{gname} lacks dataset {d}")
    if "observables" not in g or "status" not in g:
        return False
    check(g["observables"].shape == (n_points, n_times, n_obs),
          f"{what}: observables shape {g['observables'].shape}, want {(n_points, n_times, n_obs)}")
    check(g["status"].shape == (n_points,), f"{what}: status shape {g['status'].shape}")
    check(g["status"].dtype == np.int8, f"{what}: status dtype {g['status'].dtype}, want int8")
    if "point" in g:
        check(g["point"].dtype == np.int64, f"{what}: point dtype {g['point'].dtype}, want int64")
        check(np.array_equal(g["point"][()], np.arange(n_points)), f"{what}: point != 0..n-1")
    check(attr(g, "n_points") == n_points, f"{what}: n_points {attr(g, 'n_points')}, want {n_points}")
    if "stats" in g and "stat" in g:
        check(g["stats"].shape == (n_points, len(g["stat"])), f"{what}: stats shape {g['stats'].shape}")
    if "message" in g:
        check(g["message"].shape == (n_points,), f"{what}: message shape {g['message'].shape}")
    if "parameters" in g and "parameter" in g:
        check(g["parameters"].shape == (n_points, len(g["parameter"])),
              f"{what}: parameters shape {g['parameters'].shape}, parameter {len(g['parameter'])}")
    return True


# ======================================================================== 1. Haugh2b vs BioNetGen

def reference_timecourse():
    m = "Haugh2b"
    mdir = os.path.join(refdir, m)
    settings = open(os.path.join(mdir, "settings.txt")).read()
    t_end = float(re.search(r"^t_end:\s*(\S+)", settings, re.M).group(1))
    n_out = int(re.search(r"^n_out:\s*(\d+)", settings, re.M).group(1))
    with open(os.path.join(mdir, m + ".gdat")) as fh:
        header = fh.readline().lstrip("#").split()
    gdat = np.loadtxt(os.path.join(mdir, m + ".gdat"))
    cdat = np.loadtxt(os.path.join(mdir, m + ".cdat"))
    model_rel = os.path.relpath(os.path.join(mdir, m + ".net"), scratch_dir)
    text = f"""# Haugh2b against BioNetGen's run_network
model: {model_rel}
simulation:
  t_end: {t_end}
  n_steps: {n_out}
  atol: 1e-12
  rtol: 1e-10
output:
  species: true
experiments:
  - name: ref
    type: timecourse
"""
    out = run_study("haugh2b", text)
    if not out:
        return
    obs_names = header[1:]
    with h5py.File(out, "r") as f:
        for a in ROOT_ATTRS:
            check(a in f.attrs, f"haugh2b: root lacks attribute {a}")
        check(attr(f, "kind") == "study", f"haugh2b: kind {attr(f, 'kind')!r}")
        check(attr(f, "status") == "complete", f"haugh2b: status {attr(f, 'status')!r}")
        check(attr(f, "config_text") == text, "haugh2b: config_text differs from the config file")
        check(attr(f, "solver_atol") == 1e-12 and attr(f, "solver_rtol") == 1e-10,
              f"haugh2b: solver_atol/rtol {attr(f, 'solver_atol')} {attr(f, 'solver_rtol')}")
        check(attr(f, "solver_max_steps") == 100000, f"haugh2b: solver_max_steps {attr(f, 'solver_max_steps')}")
        check(attr(f, "model_text") == open(os.path.join(mdir, m + ".net")).read(),
              "haugh2b: model_text differs from the model file")
        if not check_group_layout(f, "ref", 1, n_out + 1, len(obs_names), "haugh2b"):
            return
        g = f["ref"]
        check(attr(g, "type") == "timecourse", f"haugh2b: type {attr(g, 'type')!r}")
        check(attr(g, "n_failed") == 0, "haugh2b: n_failed != 0")
        check(g["status"][0] == 1, f"haugh2b: status {g['status'][()]}")
        close(g["time"][()], gdat[:, 0], 1e-12, 1e-12, "haugh2b time grid")
        on = names(g["observable"])
        check(on == obs_names, f"haugh2b: observables {on}, want {obs_names} (all, model order)")
        y = g["observables"][0]
        for j, n in enumerate(obs_names):
            if n in on:
                col = gdat[:, j + 1]
                close(y[:, on.index(n)], col, 1e-5, 1e-9 * max(np.abs(col).max(), 1e-300),
                      f"haugh2b observable {n} vs BioNetGen")
        check("species" in g and "species_amounts" in g, "haugh2b: species: true but no species_amounts")
        if "species_amounts" in g:
            sa = g["species_amounts"]
            check(sa.shape == (1, n_out + 1, cdat.shape[1] - 1), f"haugh2b: species_amounts shape {sa.shape}")
            if sa.shape == (1, n_out + 1, cdat.shape[1] - 1):
                for j in range(cdat.shape[1] - 1):
                    col = cdat[:, j + 1]
                    close(sa[0, :, j], col, 1e-5, 1e-9 * max(np.abs(col).max(), 1e-300),
                          f"haugh2b species {j + 1} vs BioNetGen")
        # compression of the final file: deflate (default level 1) + shuffle
        d = g["observables"]
        check(d.compression == "gzip" and d.compression_opts == 1 and d.shuffle,
              f"haugh2b: observables compression {d.compression} {d.compression_opts} shuffle {d.shuffle}, "
              "want gzip 1 (the default) + shuffle")
    try:
        import xarray as xr
        ds = xr.open_dataset(out, group="ref", engine="h5netcdf")
        check(ds["observables"].dims == ("point", "time", "observable"),
              f"haugh2b: xarray dims {ds['observables'].dims}")
        check(ds["species_amounts"].dims == ("point", "time", "species"),
              f"haugh2b: xarray species dims {ds['species_amounts'].dims}")
        check(ds["stats"].dims == ("point", "stat"), f"haugh2b: xarray stats dims {ds['stats'].dims}")
        v = ds["observables"].sel(observable=obs_names[0]).isel(point=0).values
        close(v, gdat[:, 1], 1e-5, 1e-9 * max(np.abs(gdat[:, 1]).max(), 1e-300), "haugh2b via xarray")
        ds.close()
    except Exception as e:  # noqa: BLE001
        check(False, f"haugh2b: xarray open_dataset(group='ref', engine='h5netcdf'): {e!r}")


# ======================================================================== 2. designs on decay.net

def check_decay_points(g, what, t0=0.0, C0=1.0, defaults=DECAY_DEFAULTS):
    t = g["time"][()]
    oi = obs_index(g)
    y = g["observables"][()]
    sa = g["species_amounts"][()] if "species_amounts" in g else None
    sn = names(g["species"]) if "species" in g else []
    for i, p in enumerate(point_params(g, defaults)):
        ex = decay_exact(p, t, t0, C0)
        for n in ("Atot", "Btot", "Ctot"):
            if n in oi:
                close(y[i, :, oi[n]], ex[n], 1e-6, 1e-9, f"{what} point {i} {n} {p}")
        if sa is not None:
            for n, sp in (("Atot", "A"), ("Btot", "B"), ("Ctot", "C")):
                if sp in sn:
                    close(sa[i, :, sn.index(sp)], ex[n], 1e-6, 1e-9, f"{what} point {i} species {sp}")
    check(np.all(g["status"][()] == 1), f"{what}: status {g['status'][()]}")


def designs():
    text = """# designs on A -> B, C -> 0
model: decay.net
initial: {C: 3}
simulation: {t_end: 5, n_steps: 50, atol: 1e-12, rtol: 1e-10}
output: {species: true, compression: 9}
experiments:
  - name: k_sweep
    type: sweep
    parameters:
      - {name: k, logspace: {min: 0.01, max: 10, n: 7}}
  - name: grid
    type: sweep
    design: grid
    parameters:
      - {name: k, values: [0.1, 0.2, 0.3]}
      - {name: A0, values: [1, 2]}
      - {name: kc, linspace: {min: 0.1, max: 0.3, n: 2}}
  - name: zip
    type: sweep
    design: zip
    parameters:
      - {name: k, values: [0.1, 0.2, 0.3, 0.4]}
      - {name: A0, values: [4, 3, 2, 1]}
  - name: lhs
    type: sweep
    design: lhs
    n: 20
    seed: 11
    parameters:
      - {name: k, min: 0.01, max: 100, log: true}
      - {name: A0, min: 1, max: 3}
  - name: lhs_default_seed
    type: sweep
    design: lhs
    n: 8
    parameters:
      - {name: k, min: 0.01, max: 100, log: true}
  - name: sobol
    type: sweep
    design: sobol
    n: 16
    parameters:
      - {name: k, min: 0.01, max: 10, log: true}
      - {name: A0, min: 0.5, max: 2}
  - name: override
    type: timecourse
    parameters: {k: 0.7, A0: 2.5}
"""
    out = run_study("designs", text)
    if not out:
        return None
    with h5py.File(out, "r") as f:
        check(attr(f, "status") == "complete", f"designs: status {attr(f, 'status')!r}")
        ok = all(check_group_layout(f, gname, n, 51, 3, f"designs/{gname}") for gname, n in
                 (("k_sweep", 7), ("grid", 12), ("zip", 4), ("lhs", 20), ("lhs_default_seed", 8),
                  ("sobol", 16), ("override", 1)))
        if not ok:
            return out
        close(f["k_sweep/time"][()], np.linspace(0, 5, 51), 1e-12, 1e-12, "designs: time grid")
        d = f["k_sweep/observables"]
        check(d.compression == "gzip" and d.compression_opts == 9 and d.shuffle,
              f"designs: compression {d.compression} {d.compression_opts} shuffle {d.shuffle}, want gzip 9 + shuffle")
        check(names(f["k_sweep/species"]) == ["A", "B", "C"], f"designs: species {names(f['k_sweep/species'])}")

        # logspace values
        g = f["k_sweep"]
        check(names(g["parameter"]) == ["k"], f"k_sweep: parameter {names(g['parameter'])}")
        close(g["parameters"][:, 0], np.logspace(-2, 1, 7), 1e-12, 0, "k_sweep: logspace values")
        check(attr(g, "type") == "sweep", f"k_sweep: type {attr(g, 'type')!r}")
        check(attr(g, "design") == "grid", f"k_sweep: design {attr(g, 'design')!r} (default grid)")
        check_decay_points(g, "k_sweep", C0=3.0)

        # grid: Cartesian product, the last parameter varying fastest
        g = f["grid"]
        check(names(g["parameter"]) == ["k", "A0", "kc"], f"grid: parameter {names(g['parameter'])}")
        want = np.array(list(itertools.product([0.1, 0.2, 0.3], [1.0, 2.0], [0.1, 0.3])))
        close(g["parameters"][()], want, 1e-14, 0, "grid: point order (first parameter slowest)")
        check_decay_points(g, "grid", C0=3.0)

        # zip: i-th value of every list
        g = f["zip"]
        check(attr(g, "design") == "zip", f"zip: design {attr(g, 'design')!r}")
        check(np.array_equal(g["parameters"][()], np.array([[0.1, 4], [0.2, 3], [0.3, 2], [0.4, 1]])),
              f"zip: points {g['parameters'][()].tolist()}")
        check_decay_points(g, "zip", C0=3.0)

        # LHS: one point in each of n strata of every dimension (log10 strata for log: true)
        for gname, n, seed, dims in (("lhs", 20, 11, [("k", 0.01, 100, True), ("A0", 1, 3, False)]),
                                     ("lhs_default_seed", 8, 1, [("k", 0.01, 100, True)])):
            g = f[gname]
            check(attr(g, "design") == "lhs", f"{gname}: design {attr(g, 'design')!r}")
            check(attr(g, "seed") == seed, f"{gname}: seed attribute {attr(g, 'seed')!r}, want {seed}")
            check(names(g["parameter"]) == [d[0] for d in dims], f"{gname}: parameter {names(g['parameter'])}")
            v = g["parameters"][()]
            for j, (pname, lo, hi, lg) in enumerate(dims):
                x = v[:, j]
                check(np.all((x >= lo) & (x <= hi)), f"{gname}: {pname} outside [{lo}, {hi}]: {x.tolist()}")
                u = (np.log10(x) - math.log10(lo)) / (math.log10(hi) - math.log10(lo)) if lg else (x - lo) / (hi - lo)
                strata = np.minimum(np.floor(u * n).astype(int), n - 1)
                check(sorted(strata.tolist()) == list(range(n)),
                      f"{gname}: {pname} is not Latin ({'log' if lg else 'linear'} strata hit: {sorted(strata.tolist())})")
            check_decay_points(g, gname, C0=3.0)

        # Sobol: inside the box (log bounds respected), distinct points
        g = f["sobol"]
        check(attr(g, "design") == "sobol", f"sobol: design {attr(g, 'design')!r}")
        v = g["parameters"][()]
        check(v.shape == (16, 2), f"sobol: parameters shape {v.shape}")
        if v.shape == (16, 2):
            check(np.all((v[:, 0] >= 0.01) & (v[:, 0] <= 10)) and np.all((v[:, 1] >= 0.5) & (v[:, 1] <= 2)),
                  f"sobol: points outside the box: {v.tolist()}")
            check(len({tuple(r) for r in v.tolist()}) == 16, "sobol: repeated points")
            lk = np.log10(v[:, 0])
            # log scaling: about half the points below the log-midpoint 10^-0.5 (a linear
            # scaling would put nearly all of them above it)
            check(4 <= int(np.sum(lk < -0.5)) <= 12, f"sobol: k not log-spread: {v[:, 0].tolist()}")
            check_decay_points(g, "sobol", C0=3.0)

        # per-experiment parameters override the globals
        check_decay_points(f["override"], "override", C0=3.0,
                           defaults=dict(DECAY_DEFAULTS, k=0.7, A0=2.5))
        g = f["override"]
        check(attr(g, "type") == "timecourse", f"override: type {attr(g, 'type')!r}")
    return out


def lhs_reproducible(first):
    """Same seed: the same design; another seed: another design."""
    base = """model: decay.net
simulation: {t_end: 1, n_steps: 2}
experiments:
  - name: lhs
    type: sweep
    design: lhs
    n: 20
    seed: SEED
    parameters:
      - {name: k, min: 0.01, max: 100, log: true}
      - {name: A0, min: 1, max: 3}
"""
    a = run_study("lhs_seed11", base.replace("SEED", "11"))
    b = run_study("lhs_seed12", base.replace("SEED", "12"))
    if not (a and b and first):
        return
    with h5py.File(first, "r") as f0, h5py.File(a, "r") as fa, h5py.File(b, "r") as fb:
        check(np.array_equal(f0["lhs/parameters"][()], fa["lhs/parameters"][()]),
              "lhs: the same seed gave another design")
        check(not np.array_equal(fa["lhs/parameters"][()], fb["lhs/parameters"][()]),
              "lhs: seeds 11 and 12 gave the same design")
        check(attr(fb["lhs"], "seed") == 12, f"lhs: seed attribute {attr(fb['lhs'], 'seed')!r}, want 12")


# ======================================================================== 3. time grids

def time_grids():
    cases = [
        ("grid_linear", "{t_start: 10, t_end: 20, n_steps: 5, atol: 1e-12, rtol: 1e-10}",
         np.linspace(10, 20, 6), 10.0),
        ("grid_log", "{t_end: 100, log_steps: 5, atol: 1e-12, rtol: 1e-10}",
         np.concatenate([[0], np.logspace(-2, 2, 5)]), 0.0),
        ("grid_log_min", "{t_end: 100, log_steps: 3, log_min: 1, atol: 1e-12, rtol: 1e-10}",
         np.array([0, 1, 10, 100.0]), 0.0),
        ("grid_times", "{times: [0, 0.25, 3, 7.5, 8], atol: 1e-12, rtol: 1e-10}",
         np.array([0, 0.25, 3, 7.5, 8]), 0.0),
    ]
    for name, sim, want, t0 in cases:
        out = run_study(name, f"""model: decay.net
simulation: {sim}
experiments:
  - {{name: tc, type: timecourse}}
""")
        if not out:
            continue
        with h5py.File(out, "r") as f:
            if check_group_layout(f, "tc", 1, len(want), 3, name):
                close(f["tc/time"][()], want, 1e-12, 1e-12, f"{name}: time grid")
                check_decay_points(f["tc"], name, t0=t0)


# ======================================================================== 4. protocols

def protocols():
    # A -> B, C -> 0: steps at 2 (add A), 3 (k := 2), 4 (A0 := 5 resets A, whose initial
    # amount is A0), 5 (A := 0.5, then A += 0.25: same time, in order)
    text = """model: decay.net
simulation:
  times: [0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5, 6]
  atol: 1e-12
  rtol: 1e-10
output: {observables: [Btot, Atot, Ctot]}
experiments:
  - name: steps
    type: timecourse
    protocol:
      steps:
        - {at: 2, add: {A: 3}}
        - {at: 3, set: {k: 2}}
        - {at: 4, set: {A0: 5}}
        - {at: 5, set: {A: 0.5}}
        - {at: 5, add: {A: 0.25}}
  - name: preeq
    type: timecourse
    protocol:
      preequilibrate: {duration: 200, set: {k: 0.05, kc: 0}}
"""
    out = run_study("protocol", text)
    if not out:
        return
    times = np.array([0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5, 6])
    # piecewise closed form, state after each step
    events = [(2, "add", "A", 3), (3, "set", "k", 2), (4, "set", "A", 5), (5, "set", "A", 0.5),
              (5, "add", "A", 0.25)]
    want = {"Atot": [], "Btot": [], "Ctot": []}
    for t in times:
        A, B, k, s0 = 1.0, 0.0, 0.5, 0.0
        for (te, kind, what, v) in events:
            if te > t:
                break
            e = math.exp(-k * (te - s0))
            A, B, s0 = A * e, B + A * (1 - e), te
            if what == "k":
                k = v
            elif kind == "add":
                A += v
            else:
                A = v
        e = math.exp(-k * (t - s0))
        want["Atot"].append(A * e)
        want["Btot"].append(B + A * (1 - e))
        want["Ctot"].append(math.exp(-0.2 * t))
    with h5py.File(out, "r") as f:
        if not check_group_layout(f, "steps", 1, len(times), 3, "protocol"):
            return
        g = f["steps"]
        close(g["time"][()], times, 0, 0, "protocol: time grid")
        check(sorted(names(g["observable"])) == ["Atot", "Btot", "Ctot"],
              f"protocol: observables {names(g['observable'])}")
        oi = obs_index(g)
        for n in ("Atot", "Btot", "Ctot"):
            if n in oi:
                close(g["observables"][0, :, oi[n]], want[n], 1e-6, 1e-9,
                      f"protocol: {n} (add at 2, k=2 at 3, A0=5 at 4, A=0.5+0.25 at 5)")
        check(g["status"][0] == 1, f"protocol: status {g['status'][()]}")
        # preequilibration with k = 0.05 and kc = 0 for 200: A = e^-10, B = 1 - e^-10, C = 1;
        # then k = 0.5, kc = 0.2 restored from t = 0
        if check_group_layout(f, "preeq", 1, len(times), 3, "protocol/preeq"):
            g = f["preeq"]
            oi = obs_index(g)
            A0 = math.exp(-10)
            a = A0 * np.exp(-0.5 * times)
            ex = {"Atot": a, "Btot": 1 - a, "Ctot": np.exp(-0.2 * times)}
            for n in ("Atot", "Btot", "Ctot"):
                if n in oi:
                    close(g["observables"][0, :, oi[n]], ex[n], 1e-6, 1e-9,
                          f"protocol/preeq: {n} after pre-equilibration (overrides restored)")


# ======================================================================== 5. dose response

def dose_response():
    doses = [0, 0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30, 100, 1000]
    text = f"""model: binding.net
simulation: {{t_end: 40, n_steps: 4, atol: 1e-12, rtol: 1e-10}}
experiments:
  - name: dr
    type: dose_response
    dose: {{parameter: L0}}
    doses: {doses}
    readout:
      observable: Ctot
      times: [0.5, 40]
      peak: true
      integral: true
    series:
      - {{name: Kd1}}
      - {{name: Kd10, parameters: {{kr: 10}}}}
  - name: dr_protocol
    type: dose_response
    dose: {{parameter: L0}}
    doses: [0.1, 1, 10]
    protocol:
      preequilibrate: {{duration: 100, set: {{L0: 0}}}}
      steps:
        - {{at: 20, set: {{L0: 0}}}}
    readout: {{observable: Ctot, times: [20, 30]}}
  - name: dr_species
    type: dose_response
    parameters: {{L0: 1}}
    dose: {{species: R}}
    doses: [1, 2, 4]
    readout: {{observable: Ctot, times: [40]}}
  - name: dr_flat
    type: dose_response
    dose: {{parameter: L0}}
    doses: {doses}
    readout: {{observable: Ctot, times: [0, 40]}}
"""
    out = run_study("dose", text)
    if not out:
        return
    Rtot = 10.0
    with h5py.File(out, "r") as f:
        if not check("dr" in f, "dose: no group dr"):
            return
        g = f["dr"]
        for d in ["dose", "series", "readout", "point_series", "point_dose", "response", "fit_field",
                  "fit", "fit_status", "fit_quality"]:
            check(d in g, f"dose: /dr lacks {d}")
        check(attr(g, "type") == "dose_response", f"dose: type {attr(g, 'type')!r}")
        tgrid = np.array([0, 0.5, 10, 20, 30, 40])
        if not check_group_layout(f, "dr", 22, len(tgrid), 2, "dose/dr"):
            return
        close(g["time"][()], tgrid, 1e-12, 1e-12, "dose: readout time 0.5 added to the output grid")
        check(np.array_equal(g["dose"][()], np.array(doses, float)), f"dose: dose {g['dose'][()]}")
        check(names(g["series"]) == ["Kd1", "Kd10"], f"dose: series {names(g['series'])}")
        pts = np.arange(22)
        check(np.array_equal(g["point_series"][()], pts // 11), f"dose: point_series {g['point_series'][()]}")
        check(np.array_equal(g["point_dose"][()], pts % 11), f"dose: point_dose {g['point_dose'][()]}")
        ff = names(g["fit_field"])
        check(ff == "ec50 hill bottom top se_ec50 se_hill se_bottom se_top r2 rss half_max_dose".split(),
              f"dose: fit_field {ff}")
        ro = names(g["readout"])
        rkind = []
        for r in ro:
            if "@" in r:
                obs, tt = r.split("@")
                rkind.append(("at", float(tt)))
            elif r.endswith(":peak"):
                rkind.append(("peak", None))
            elif r.endswith(":integral"):
                rkind.append(("integral", None))
            else:
                rkind.append(("?", None))
            check(r.startswith("Ctot"), f"dose: readout name {r!r}")
        check(sorted(rkind, key=str) == sorted([("at", 0.5), ("at", 40.0), ("peak", None), ("integral", None)], key=str),
              f"dose: readouts {ro}, want Ctot@0.5, Ctot@40, Ctot:peak, Ctot:integral")
        check(g["response"].shape == (2, 11, len(ro)), f"dose: response shape {g['response'].shape}")
        check(g["fit"].shape == (2, len(ro), len(ff)), f"dose: fit shape {g['fit'].shape}")
        check(g["fit_status"].shape == (2, len(ro)), f"dose: fit_status shape {g['fit_status'].shape}")
        if g["response"].shape != (2, 11, len(ro)) or g["fit"].shape != (2, len(ro), 11):
            return
        check(g["fit_quality"].shape == (2, len(ro)), f"dose: fit_quality shape {g['fit_quality'].shape}")
        fq = [[s(q) for q in row] for row in g["fit_quality"][()]]
        y = g["observables"][:, :, obs_index(g)["Ctot"]]
        resp, fit, fst = g["response"][()], g["fit"][()], g["fit_status"][()]
        for si, kr in enumerate((1.0, 10.0)):
            for di, L in enumerate(doses):
                p = si * 11 + di
                ex = binding_exact(1.0, kr, L, Rtot, tgrid)
                close(y[p], ex, 1e-6, 1e-9, f"dose: point {p} (series {si}, dose {L}) trajectory")
                for ri, (kind, tt) in enumerate(rkind):
                    if kind == "at":
                        want = binding_exact(1.0, kr, L, Rtot, tt)
                        close(resp[si, di, ri], want, 1e-6, 1e-9, f"dose: response {ro[ri]} series {si} dose {L}")
                        close(resp[si, di, ri], y[p, list(tgrid).index(tt)], 1e-12, 0,
                              f"dose: response {ro[ri]} != stored observable")
                    elif kind == "peak":
                        close(resp[si, di, ri], y[p].max(), 0, 0, f"dose: {ro[ri]} != max over the grid")
                    elif kind == "integral":
                        trap = float(np.sum(np.diff(tgrid) * (y[p][1:] + y[p][:-1]) / 2))
                        close(resp[si, di, ri], trap, 1e-12, 1e-300, f"dose: {ro[ri]} != trapezoid")
            # equilibrium readouts (t = 40, peak) are an exact Hill curve: EC50 = Kd, n = 1
            for ri, (kind, tt) in enumerate(rkind):
                if kind == "peak" or (kind == "at" and tt == 40.0):
                    fv = dict(zip(ff, fit[si, ri]))
                    what = f"dose: fit series {si} (Kd {kr}) readout {ro[ri]}"
                    check(fst[si, ri] == 1, f"{what}: fit_status {fst[si, ri]}")
                    check(fq[si][ri] == "ok", f"{what}: fit_quality {fq[si][ri]}")
                    # the data cross half-way between 3-fold doses near Kd
                    close(fv["half_max_dose"], kr, 0.1, 0, f"{what}: interpolated half-max dose")
                    close(fv["ec50"], kr, 1e-4, 0, f"{what}: EC50")
                    close(fv["hill"], 1.0, 1e-4, 0, f"{what}: Hill coefficient")
                    close(fv["top"], Rtot, 1e-4, 0, f"{what}: top")
                    close(fv["bottom"], 0.0, 0, 1e-3, f"{what}: bottom")
                    check(fv["r2"] > 1 - 1e-9, f"{what}: r2 {fv['r2']}")
                    check(all(np.isfinite(fv[k]) and fv[k] >= 0 for k in ("se_ec50", "se_hill", "rss")),
                          f"{what}: standard errors / rss {fv}")
        try:
            import xarray as xr
            ds = xr.open_dataset(out, group="dr", engine="h5netcdf")
            check(ds["response"].dims == ("series", "dose", "readout"), f"dose: xarray response dims {ds['response'].dims}")
            check(ds["fit"].dims == ("series", "readout", "fit_field"), f"dose: xarray fit dims {ds['fit'].dims}")
            e = ds["fit"].sel(fit_field="ec50").values
            check(e.shape == (2, len(ro)), f"dose: xarray ec50 shape {e.shape}")
            ds.close()
        except Exception as e:  # noqa: BLE001
            check(False, f"dose: xarray: {e!r}")

        # with a protocol: the dose set at t_start after pre-equilibration, washed out at 20
        if check_group_layout(f, "dr_protocol", 3, 5, 2, "dose/dr_protocol"):
            g = f["dr_protocol"]
            check(names(g["series"]) == ["default"], f"dr_protocol: series {names(g['series'])}")
            t = g["time"][()]
            y = g["observables"][:, :, obs_index(g)["Ctot"]]
            for di, L in enumerate([0.1, 1, 10]):
                ex = np.where(t <= 20, binding_exact(1, 1, L, Rtot, np.minimum(t, 20)),
                              binding_exact(1, 1, L, Rtot, 20) * np.exp(-(t - 20)))
                close(y[di], ex, 1e-6, 1e-9, f"dr_protocol: dose {L} (washout at 20)")
                ro = names(g["readout"])
                for ri, r in enumerate(ro):
                    tt = float(r.split("@")[1])
                    close(g["response"][0, di, ri], ex[list(t).index(tt)], 1e-6, 1e-9, f"dr_protocol: {r} dose {L}")
            check(np.all(g["fit_status"][()] == 0), f"dr_protocol: 3 doses fitted? fit_status {g['fit_status'][()]}")

        # dose as a species' initial amount: C(40) = R0 L/(L + Kd) = R0/2
        if check_group_layout(f, "dr_species", 3, 5, 2, "dose/dr_species"):
            g = f["dr_species"]
            close(g["response"][0, :, 0], np.array([1, 2, 4]) / 2, 1e-6, 1e-9, "dr_species: C(40) = R0/2")
            check(np.all(g["fit_status"][()] == 0),
                  f"dr_species: fit_status {g['fit_status'][()]}, want 0 (3 points, 4 parameters)")
            check(np.all(np.isnan(g["fit"][()])), "dr_species: fit not NaN although not fitted")
            check([s(q) for q in g["fit_quality"][0]] == ["not_fitted"],
                  f"dr_species: fit_quality {g['fit_quality'][()]}")

        # a readout that does not move with the dose (C at t = 0) is flat: no EC50, no EC50 line
        if check("dr_flat" in f, "dose: no group dr_flat"):
            g = f["dr_flat"]
            ro = names(g["readout"])
            fq = [s(q) for q in g["fit_quality"][0]]
            check(ro == ["Ctot@0", "Ctot@40"] and fq == ["flat", "ok"], f"dr_flat: {ro} quality {fq}")
            check(np.isnan(g["fit"][0, 0, 0]), f"dr_flat: EC50 {g['fit'][0, 0, 0]} of a flat response")
            sys.path.insert(0, os.path.join(srcdir, "scripts"))
            import plot_study
            drawn = plot_study.plot_dose_response(g, "dr_flat", scratch.path("dr_flat.png"))
            want = {("Ctot@0", "default"): {"quality": "flat", "ec50_line": False},
                    ("Ctot@40", "default"): {"quality": "ok", "ec50_line": True}}
            check(drawn == want, f"dr_flat: plot drew {drawn}")


# ======================================================================== 6. failed points

def failures():
    text = """model: mixed.net
simulation: {t_end: 10, n_steps: 20, atol: 1e-10, rtol: 1e-8}
experiments:
  - name: bad_rate
    type: sweep
    parameters:
      - {name: kd, values: [0.1, -0.1, 0.2]}
  - name: blowup
    type: sweep
    parameters:
      - {name: kb, values: [0.01, 1, 0.02]}
  - name: fine
    type: timecourse
"""
    out = run_study("failures", text, expect=2)
    if not out:
        return
    t = np.linspace(0, 10, 21)
    with h5py.File(out, "r") as f:
        check(attr(f, "status") == "failed_points", f"failures: root status {attr(f, 'status')!r}")
        for gname, want_status in (("bad_rate", [1, -2, 1]), ("blowup", [1, -1, 1]), ("fine", [1])):
            if not check_group_layout(f, gname, len(want_status), 21, 2, f"failures/{gname}"):
                continue
            g = f[gname]
            st = g["status"][()].tolist()
            check(st == want_status, f"failures/{gname}: status {st}, want {want_status}")
            nf = sum(1 for v in want_status if v != 1)
            check(attr(g, "n_failed") == nf, f"failures/{gname}: n_failed {attr(g, 'n_failed')}, want {nf}")
            msgs = [s(m).rstrip("\0").strip() for m in g["message"][()]]
            sd = h5py.check_string_dtype(g["message"].dtype)
            check(sd is not None and sd.length is None,
                  f"failures/{gname}: message is not a variable-length string ({g['message'].dtype})")
            oi = obs_index(g)
            y = g["observables"][()]
            for i, p in enumerate(point_params(g, {"kd": 0.1, "kb": 0.01})):
                if want_status[i] == 1:
                    check(msgs[i] == "", f"failures/{gname}: point {i} ok but message {msgs[i]!r}")
                    close(y[i, :, oi["Atot"]], np.exp(-p["kd"] * t), 1e-5, 1e-9, f"failures/{gname}: point {i} A")
                    close(y[i, :, oi["Btot"]], 1 / (1 - p["kb"] * t), 1e-5, 1e-9, f"failures/{gname}: point {i} B")
                else:
                    check(msgs[i] != "", f"failures/{gname}: failed point {i} has no message")
            if gname == "blowup" and st == want_status:
                # B = 1/(1 - t) is finite before t = 1, NaN from the failure on
                b = y[1, :, oi["Btot"]]
                close(b[t < 1], 1 / (1 - t[t < 1]), 1e-5, 1e-9, "failures/blowup: rows reached before t = 1")
                check(np.all(np.isnan(b[t > 1.0001])), f"failures/blowup: rows after the failure not NaN: {b.tolist()}")
                sn = names(g["stat"])
                reach = [j for j, n in enumerate(sn) if "reach" in n.lower()]
                if check(reach, f"failures/blowup: no 'time reached' column in stat {sn}"):
                    tr = g["stats"][1, reach[0]]
                    check(0.5 <= tr <= 1.0 + 1e-9, f"failures/blowup: time reached {tr}, want about 1")
            if gname == "bad_rate" and st == want_status:
                check(np.all(np.isnan(y[1, 1:, :])), "failures/bad_rate: bad point has values after t_start")


# ======================================================================== 7. paths, built-in model, output

def misc():
    # output.file relative to the config's directory; no -o; no --quiet: with stderr not a
    # terminal nothing but errors is printed
    sub = Scratch(scratch.path("sub")).dir
    target = os.path.join(sub, "named.h5")
    if os.path.exists(target):
        os.remove(target)
    cfg = write("sub/paths.yaml", """model: ../decay.net
simulation: {t_end: 1, n_steps: 4}
output: {file: named.h5}
experiments:
  - {name: tc, type: timecourse}
""")
    r = run([ilnet, "run", cfg], timeout=TIMEOUT, cwd="/")
    check.exits(r, 0, "paths")
    check(os.path.exists(target), f"paths: output.file not written beside the config ({target})")
    check(r.stderr == "", f"paths: without --quiet and no terminal, stderr is not empty: {r.stderr!r}")

    # a built-in model by name, from a directory outside the source tree, equals the file
    il2 = os.path.join(srcdir, "models", "il2_il7.bngl")
    body = """preset: human_treg
parameters: {L2_nM: 1}
simulation: {t_end: 30, n_steps: 30}
output: {observables: [pSTAT5_total, active_IL2]}
experiments:
  - {name: tc, type: timecourse}
"""
    a = run_study("builtin", "model: il2_il7\n" + body)
    b = run_study("bypath", f"model: {os.path.relpath(il2, scratch_dir)}\n" + body)
    if a and b:
        with h5py.File(a, "r") as fa, h5py.File(b, "r") as fb:
            check(np.array_equal(fa["tc/observables"][()], fb["tc/observables"][()]),
                  "built-in model 'il2_il7' differs from models/il2_il7.bngl")
            check(attr(fa, "model_text") == open(il2).read(), "built-in model: model_text is not il2_il7.bngl")

    # `initial` by species name, as docs/study.md writes it
    cfg = write("species_name.yaml", """model: il2_il7
initial: {"S5(d,dm,ph,gn,loc~c,y~u)": 1000}
simulation: {t_end: 30, n_steps: 30}
experiments:
  - {name: tc, type: timecourse}
""")
    r = run([ilnet, "run", cfg, "--check"], timeout=TIMEOUT)
    check.exits(r, 0, "docs/study.md's example initial: {\"S5(d,dm,ph,gn,loc~c,y~u)\": 1000}")

    # docs/study.md's config reference is a valid study on the shipped model (every key)
    doc = open(os.path.join(srcdir, "docs", "study.md")).read()
    block = doc.split("```yaml\n", 1)[1].split("```", 1)[0]
    il2 = os.path.join(srcdir, "models", "il2_il7.bngl")
    check(block.startswith("model: ../models/il2_il7.bngl"), "docs/study.md: the reference starts elsewhere")
    block = block.replace("model: ../models/il2_il7.bngl", f"model: {il2}", 1)
    r = run([ilnet, "run", write("doc_reference.yaml", block), "--check"], timeout=TIMEOUT)
    check.exits(r, 0, "docs/study.md's config reference passes --check")


def expression_readouts():
    """Readouts beyond observables: output expressions stored beside the observables, and a
    dose response with two readouts, one an expression, against the closed form."""
    doses = [0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30, 100]
    text = f"""model: binding.net
simulation: {{t_end: 40, n_steps: 4, atol: 1e-12, rtol: 1e-10}}
output:
  expressions: {{free_pct: "100 * Rfree / Rtot"}}
units: {{time: s, Ctot: nM, free_pct: "%", bound_pct: "%", L0: nM}}
experiments:
  - name: dr2
    type: dose_response
    dose: {{parameter: L0}}
    doses: {doses}
    readout:
      - {{observable: Ctot, times: [40]}}
      - {{expression: "100 * Ctot / Rtot", name: bound_pct, times: [10, 40]}}
  - name: dr_norm
    type: dose_response
    dose: {{parameter: L0}}
    doses: {doses}
    readout:
      - {{observable: Ctot, times: [40], normalise: max}}
      - {{observable: Ctot, times: [40], normalise: range}}
"""
    out = run_study("expr", text)
    if not out:
        return
    with h5py.File(out, "r") as f:
        g = f["dr2"]
        obs = names(g["observable"])
        check(obs == ["Ctot", "Rfree", "free_pct", "bound_pct"], f"expr: stored columns {obs}")
        ro = names(g["readout"])
        check(ro == ["Ctot@40", "bound_pct@10", "bound_pct@40"], f"expr: readouts {ro}")
        if obs != ["Ctot", "Rfree", "free_pct", "bound_pct"] or len(ro) != 3:
            return
        y, t = g["observables"][()], g["time"][()]
        for di, L in enumerate(doses):
            c = binding_exact(1.0, 1.0, L, 10.0, t)
            close(y[di, :, 3], 100 * c / 10, 1e-6, 1e-9, f"expr: bound_pct at dose {L} (closed form)")
            close(y[di, :, 2], 100 - 100 * c / 10, 1e-6, 1e-9, f"expr: free_pct at dose {L}")
        resp = g["response"][0]
        close(resp[:, 2], 100 * resp[:, 0] / 10, 1e-12, 0, "expr: bound_pct@40 = 100 Ctot@40 / Rtot")
        fv = dict(zip(names(g["fit_field"]), g["fit"][0, 2]))
        close(fv["ec50"], 1.0, 1e-4, 0, "expr: the expression readout's EC50 = Kd")
        close(fv["top"], 100.0, 1e-4, 0, "expr: the expression readout's top = 100 %")
        # units declared in the config: on time, along observable and parameter; plot labels
        g = f["dr2"]
        check(s(g["time"].attrs.get("units", "")) == "s", f"units: time {g['time'].attrs.get('units')}")
        check(names(g["observable_units"]) == ["nM", "", "%", "%"],
              f"units: observable_units {names(g['observable_units'])}")
        check(names(g["parameter_units"]) == ["nM"], f"units: parameter_units {names(g['parameter_units'])}")
        sys.path.insert(0, os.path.join(srcdir, "scripts"))
        import plot_study
        check(plot_study.with_unit(g, "bound_pct@40") == "bound_pct@40 (%)"
              and plot_study.with_unit(g, "L0", "parameter") == "L0 (nM)"
              and plot_study.with_unit(g, "time", "time") == "time (s)",
              "units: plot labels")
        try:
            import xarray as xr
            ds = xr.open_dataset(out, group="dr2", engine="h5netcdf")
            check(ds["observable_units"].dims == ("observable",) and ds["time"].attrs.get("units") == "s",
                  f"units: xarray {ds['observable_units'].dims} {ds['time'].attrs}")
            ds.close()
        except Exception as e:  # noqa: BLE001
            check(False, f"units: xarray: {e!r}")
        # normalised per series: C/max C and (C - min)/(max - min) over the doses, closed form
        g = f["dr_norm"]
        check(names(g["readout"]) == ["Ctot@40/max", "Ctot@40/range"], f"normalise: readouts {names(g['readout'])}")
        c = np.array([binding_exact(1.0, 1.0, L, 10.0, 40.0) for L in doses])
        close(g["response"][0, :, 0], c / c.max(), 1e-6, 1e-12, "normalise: max")
        close(g["response"][0, :, 1], (c - c.min()) / (c.max() - c.min()), 1e-6, 1e-12, "normalise: range")
        fv = dict(zip(names(g["fit_field"]), g["fit"][0, 0]))
        close(fv["ec50"], 1.0, 1e-4, 0, "normalise: max: the EC50 is unchanged")
        close(fv["top"], 1 / c.max() * 10, 1e-4, 0, "normalise: max: top = Rtot / max")
    # on the IL-2 model: pSTAT5 and the phosphorylated fraction of STAT5, one dose response
    il2 = run_study("expr_il2", """model: il2_il7
preset: human_thelper
simulation: {t_end: 30, n_steps: 3}
output: {observables: [pSTAT5_total, STAT5_all]}
experiments:
  - name: il2
    type: dose_response
    dose: {parameter: L2_nM}
    doses: [0.01, 0.1, 0.3, 1, 3, 10, 100]
    readout:
      - {observable: pSTAT5_total, times: [30]}
      - {expression: "pSTAT5_total / STAT5_all", name: pSTAT5_fraction, times: [30]}
      - {expression: "100 * pSTAT5_total / max_over_doses(pSTAT5_total)", name: pct, times: [30]}
""")
    if il2:
        with h5py.File(il2, "r") as f:
            g = f["il2"]
            ro = names(g["readout"])
            check(ro == ["pSTAT5_total@30", "pSTAT5_fraction@30", "pct@30"], f"expr_il2: readouts {ro}")
            resp, o = g["response"][0], g["observables"][:, -1, :]
            close(resp[:, 1], o[:, 0] / o[:, 1], 1e-12, 0, "expr_il2: fraction = pSTAT5_total / STAT5_all")
            close(resp[:, 2], 100 * o[:, 0] / o[:, 0].max(), 1e-12, 0,
                  "expr_il2: 100 * pSTAT5_total / max_over_doses(pSTAT5_total)")
            q = [s(x) for x in g["fit_quality"][0]]
            check(q == ["ok", "ok", "ok"], f"expr_il2: fit qualities {q}")
            e = g["fit"][0, :, 0]
            close(e[1], e[0], 1e-3, 0, "expr_il2: a constant STAT5 pool: the fraction's EC50 is pSTAT5's")
    # an SBML model (no observables) read through a species: BIOMD0000000093 (Yamada 2003),
    # nuclear phosphorylated STAT1 against the IFN dose; the readout is the stored amounts'
    b93 = os.path.join(refdir, "..", "biomodels", "BIOMD0000000093.xml")
    sb = run_study("expr_sbml", f"""model: {b93}
simulation: {{t_end: 60, n_steps: 6}}
output: {{species: [STAT1n_star, STAT1n_star_STAT1n_star]}}
experiments:
  - name: ifn
    type: dose_response
    dose: {{species: IFN}}
    doses: {{logspace: {{min: 0.001, max: 100, n: 11}}}}
    readout: {{expression: "STAT1n_star + 2 * STAT1n_star_STAT1n_star", name: nuclear_pSTAT1, times: [60]}}
""")
    if sb:
        with h5py.File(sb, "r") as f:
            g = f["ifn"]
            sp = g["species_amounts"][:, -1, :]
            close(g["response"][0, :, 0], sp[:, 0] + 2 * sp[:, 1], 1e-12, 1e-300,
                  "expr_sbml: the readout is the species' amounts")
            check(s(g["fit_quality"][0, 0]) == "ok" and g["response"][0, -1, 0] > 0.01,
                  f"expr_sbml: fit {s(g['fit_quality'][0, 0])}, top {g['response'][0, -1, 0]}")
    r = run([ilnet, "run", write("expr_bad.yaml", text.replace("100 * Rfree", "100 * Rfre")), "--check"])
    check.exits(r, 1, "expr: an undefined name", "expr_bad.yaml:4:", "output.expressions.free_pct",
                "Rfre")
    r = run([ilnet, "run", write("units_bad.yaml", text.replace("Ctot: nM", "Ctott: nM")), "--check"])
    check.exits(r, 1, "units of an unknown name", "units.Ctott: 'Ctott' is not an observable",
                "did you mean 'Ctot'?")
    r = run([ilnet, "run", write("expr_clash.yaml", text.replace("free_pct:", "Ctot:", 1)), "--check"])
    check.exits(r, 1, "expr: an expression named like an observable", "'Ctot' is an observable")


def over_doses_readouts():
    """Readouts aggregating over a series' doses (max_over_doses, min_over_doses), per
    series, at a time and as an integral, against the binding closed form; errors for
    misuse."""
    doses = [0.01, 0.1, 0.3, 1, 3, 10, 100]
    text = f"""model: binding.net
simulation: {{t_end: 40, n_steps: 4, atol: 1e-12, rtol: 1e-10}}
experiments:
  - name: dr
    type: dose_response
    dose: {{parameter: L0}}
    doses: {doses}
    series:
      - {{name: a}}
      - {{name: b, parameters: {{Rtot: 5}}}}
    readout:
      - {{expression: "100 * Ctot / max_over_doses(Ctot)", name: pct, times: [40]}}
      - {{expression: "(Ctot - min_over_doses(Ctot)) / (max_over_doses(Ctot) - min_over_doses(Ctot))",
          name: span, times: [10, 40]}}
      - {{expression: "Rfree / max_over_doses(2 * Rfree + 0)", name: half_free, integral: true}}
      - {{expression: "(Ctot - min_over_doses(Ctot)) / (max_over_doses(Ctot) - min_over_doses(Ctot))",
          name: span_int, integral: true}}
      - {{observable: Ctot, integral: true, normalise: range}}
      - {{expression: "Ctot * time() / max_over_doses(Ctot)", name: timed, times: [40], peak: true}}
"""
    out = run_study("over_doses", text)
    if not out:
        return
    with h5py.File(out, "r") as f:
        g = f["dr"]
        obs = names(g["observable"])
        check(obs == ["Ctot", "Rfree", "(Ctot)", "(Rfree)", "(2 * Rfree + 0)", "(time())"],
              f"over_doses: stored columns {obs}")
        ro = names(g["readout"])
        check(ro == ["pct@40", "span@10", "span@40", "half_free:integral", "span_int:integral",
                     "Ctot:integral/range", "timed@40", "timed:peak"], f"over_doses: readouts {ro}")
        if len(ro) != 8 or len(obs) != 6:
            return
        t, y = g["time"][()], g["observables"][()].reshape(2, len(doses), -1, len(obs))
        for si, R in enumerate([10.0, 5.0]):
            resp = g["response"][si]
            c40 = np.array([binding_exact(1.0, 1.0, L, R, 40.0) for L in doses])
            c10 = np.array([binding_exact(1.0, 1.0, L, R, 10.0) for L in doses])
            close(resp[:, 0], 100 * c40 / c40.max(), 1e-6, 1e-12, f"over_doses: series {si}: pct (closed form)")
            close(resp[:, 1], (c10 - c10.min()) / (c10.max() - c10.min()), 1e-6, 1e-12,
                  f"over_doses: series {si}: span@10 (closed form)")
            close(resp[:, 2], (c40 - c40.min()) / (c40.max() - c40.min()), 1e-6, 1e-12,
                  f"over_doses: series {si}: span@40 (closed form)")
            integ = np.array([np.trapz(y[si, d, :, 1], t) for d in range(len(doses))])
            close(resp[:, 3], integ / (2 * integ.max()), 1e-12, 1e-300,
                  f"over_doses: series {si}: integral of Rfree / max of the integrals of 2 Rfree")
            close(resp[:, 4], resp[:, 5], 1e-12, 1e-300,
                  f"over_doses: series {si}: integral readout of the range expression = normalise: range")
            close(resp[:, 6], 40 * c40 / c40.max(), 1e-6, 1e-12, f"over_doses: series {si}: time() at 40")
            # peak: operands reduced first: peak(Ctot) * peak(time()) / max(peak(Ctot)), and
            # Ctot rises monotonically here, so its peak is its value at 40
            close(resp[:, 7], 40 * c40 / c40.max(), 1e-6, 1e-12, f"over_doses: series {si}: peak")
        q = [s(x) for x in g["fit_quality"][0]]
        check(q[0] == "ok", f"over_doses: pct fits ({q})")
        fv = dict(zip(names(g["fit_field"]), g["fit"][0, 0]))
        close(fv["ec50"], 1.0, 1e-3, 0, "over_doses: pct's EC50 is Kd")
    bad = [
        ("nested", "max_over_doses(Ctot / max_over_doses(Ctot))", "cannot hold another aggregate"),
        ("empty", "Ctot / max_over_doses( )", "max_over_doses() needs an argument"),
        ("unclosed", "Ctot / max_over_doses(Ctot", "'max_over_doses(' is not closed"),
        ("syntax", "Ctot / * max_over_doses(Ctot)", "in 'Ctot / * max_over_doses(Ctot)'"),
        ("number", "2Ctot / max_over_doses(Ctot)", "at '2Ctot'"),
    ]
    for what, expr, msg in bad:
        t2 = text.replace("100 * Ctot / max_over_doses(Ctot)", expr)
        r = run([ilnet, "run", write(f"over_{what}.yaml", t2), "--check"])
        check.exits(r, 1, f"over_doses: {what}", f"over_{what}.yaml:12:", "readout[0].expression", msg)
    r = run([ilnet, "run", write("over_unknown.yaml", text.replace("max_over_doses(Ctot)", "max_over_doses(Ctt)")),
             "--check"])
    check.exits(r, 1, "over_doses: an unknown name in the argument", "over_unknown.yaml:12:",
                "readout[0].expression", "'Ctt'")
    t3 = text.replace("experiments:", 'output: {expressions: {x: "Ctot / max_over_doses(Ctot)"}}\nexperiments:')
    r = run([ilnet, "run", write("over_output.yaml", t3), "--check"])
    check.exits(r, 1, "over_doses: in an output expression", "over_output.yaml:3:", "output.expressions.x",
                "are for dose-response readouts")


ADDITIVE = """# dA/dt = a, dB/dt = b, dC/dt = c from zero: at t = 1, Y = a + b + c, A*B = a b
begin parameters
    1 a 0.5
    2 b 1
    3 c 1.5
end parameters
begin species
    1 $Src 1
    2 A    0
    3 B    0
    4 C    0
end species
begin reactions
    1 1 1,2 a
    2 1 1,3 b
    3 1 1,4 c
end reactions
begin groups
    1 Y    2,3,4
    2 Atot 2
    3 Btot 3
end groups
"""


def saltelli_indices():
    """Sobol' indices of a saltelli sweep against closed forms (2^12 base samples): an additive
    function of uniform a, b, c (S_i = ST_i = V_i / V = 1/14, 4/14, 9/14) and a product a b
    (S = 3/7, ST = 4/7 for a and b, 0 for c); a constant output gives NaN."""
    write("additive.net", ADDITIVE)
    text = """model: additive.net
simulation: {t_end: 1, n_steps: 1, atol: 1e-12, rtol: 1e-10}
output:
  observables: [Y]
  expressions: {AB: "Atot * Btot"}
experiments:
  - name: gsa
    type: sweep
    design: saltelli
    n: 4096
    seed: 3
    parameters:
      - {name: a, min: 0, max: 1}
      - {name: b, min: 0, max: 2}
      - {name: c, min: 0, max: 3}
"""
    out = run_study("saltelli", text)
    if not out:
        return
    with h5py.File(out, "r") as f:
        g = f["gsa"]
        check(attr(g, "design") == "saltelli" and attr(g, "n_points") == 4096 * 5,
              f"saltelli: design {attr(g, 'design')}, {attr(g, 'n_points')} points")
        check(attr(g, "sobol_samples_used") == 4096, f"saltelli: samples used {attr(g, 'sobol_samples_used')}")
        s1, st = g["sobol_first"][()], g["sobol_total"][()]
        check(s1.shape == (2, 2, 3), f"saltelli: sobol_first shape {s1.shape}")
        if s1.shape != (2, 2, 3):
            return
        v = np.array([1, 4, 9]) / 14
        close(s1[1, 0], v, 0, 0.02, "saltelli: additive first-order indices")
        close(st[1, 0], v, 0, 0.02, "saltelli: additive total indices")
        close(s1[1, 1], [3 / 7, 3 / 7, 0], 0, 0.02, "saltelli: a b first-order indices")
        close(st[1, 1], [4 / 7, 4 / 7, 0], 0, 0.02, "saltelli: a b total indices")
        check(np.all(np.isnan(s1[0])) and np.all(np.isnan(st[0])), "saltelli: t = 0 (constant) not NaN")
        # the layout: A, B, then A with column i from B
        P = g["parameters"][()]
        n = 4096
        A, B = P[:n], P[n:2 * n]
        ok = all(np.array_equal(P[(2 + i) * n:(3 + i) * n][:, j], (B if j == i else A)[:, j])
                 for i in range(3) for j in range(3))
        check(ok, "saltelli: blocks A_B^(i) are A with column i from B")
        check(np.all((P >= 0) & (P <= [1, 2, 3])), "saltelli: samples outside the box")
        # the scatter panels: Y = a + b + c, rank correlations ordered by the ranges 1 < 2 < 3
        sys.path.insert(0, os.path.join(srcdir, "scripts"))
        import plot_study
        rho = plot_study.plot_scatter(g, "gsa", scratch.path("gsa.png"), [], None)
        check(0 < rho["a"] < rho["b"] < rho["c"] < 1, f"saltelli: Spearman rho {rho}")
        def avg_ranks(v):  # ties (the blocks repeat A's and B's columns) get their mean rank
            r = np.empty(len(v))
            r[np.argsort(v, kind="stable")] = np.arange(len(v))
            _, inv = np.unique(v, return_inverse=True)
            return (np.bincount(inv, r) / np.bincount(inv))[inv]
        exact = np.corrcoef(avg_ranks(P[:, 2]), avg_ranks(g["observables"][:, 1, 0]))[0, 1]
        close(rho["c"], exact, 1e-9, 0, "saltelli: rho(c) against average ranks")
        try:
            import xarray as xr
            ds = xr.open_dataset(out, group="gsa", engine="h5netcdf")
            check(ds["sobol_total"].dims == ("time", "observable", "parameter"),
                  f"saltelli: xarray dims {ds['sobol_total'].dims}")
            ds.close()
        except Exception as e:  # noqa: BLE001
            check(False, f"saltelli: xarray: {e!r}")
    r = run(["/usr/bin/python3", os.path.join(srcdir, "scripts", "plot_study.py"), out, "-o", scratch.path("gsa_plots")])
    check(r.returncode == 0 and os.path.isfile(scratch.path("gsa_plots", "gsa_sobol.png"))
          and os.path.isfile(scratch.path("gsa_plots", "gsa.png")), f"saltelli: plots {r.stdout!r} {r.stderr!r}")


def grid_views():
    """Study files shaped like the study: a 3-parameter grid opens in xarray with three named
    parameter dimensions (coordinates = the grid values), a dose response by (series, dose);
    the views are the point data, element for element, and agree with the closed form."""
    text = """model: binding.net
simulation: {t_end: 2, n_steps: 2, atol: 1e-12, rtol: 1e-10}
experiments:
  - name: g3
    type: sweep
    design: grid
    parameters:
      - {name: kf, values: [0.5, 1, 2]}
      - {name: kr, values: [0.1, 1]}
      - {name: L0, values: [0.3, 1, 3, 10]}
  - name: dr
    type: dose_response
    dose: {parameter: L0}
    doses: [0.1, 1, 10]
    readout: {observable: Ctot, times: [2]}
    series:
      - {name: slow}
      - {name: fast, parameters: {kf: 5}}
"""
    out = run_study("grid_views", text)
    if not out:
        return
    try:
        import xarray as xr
    except ImportError:
        check(False, "grid_views: no xarray")
        return
    ds = xr.open_dataset(out, group="g3", engine="h5netcdf")
    v = ds["observables_grid"]
    check(v.dims == ("kf", "kr", "L0", "time", "observable"), f"grid_views: dims {v.dims}")
    check(list(ds["kf"].values) == [0.5, 1, 2] and list(ds["L0"].values) == [0.3, 1, 3, 10],
          f"grid_views: coordinates kf {ds['kf'].values}, L0 {ds['L0'].values}")
    check(ds["status_grid"].dims == ("kf", "kr", "L0") and bool((ds["status_grid"] == 1).all()),
          f"grid_views: status_grid {ds['status_grid'].dims}")
    flat = ds["observables"].values
    check(np.array_equal(v.values.reshape(flat.shape), flat), "grid_views: the view is not the point data")
    t = ds["time"].values
    for kf in (0.5, 2):
        for kr in (0.1, 1):
            for L in (0.3, 10):
                got = v.sel(kf=kf, kr=kr, L0=L, observable="Ctot").values
                close(got, binding_exact(kf, kr, L, 10.0, t), 1e-6, 1e-9, f"grid_views: kf {kf} kr {kr} L0 {L}")
    ds.close()
    dr = xr.open_dataset(out, group="dr", engine="h5netcdf")
    w = dr["observables_grid"]
    check(w.dims == ("series", "dose", "time", "observable"), f"grid_views: dose response dims {w.dims}")
    got = w.sel(series="fast", dose=1.0, observable="Ctot").values
    close(got, binding_exact(5.0, 1.0, 1.0, 10.0, dr["time"].values), 1e-6, 1e-9, "grid_views: series fast, dose 1")
    close(dr["response"].sel(series="fast", dose=1.0).values[0], got[-1], 1e-12, 0,
          "grid_views: the readout is the view's last time")
    dr.close()

    # more swept parameters than HDF5 has dimensions for a view: the points only, no crash
    il2 = os.path.join(srcdir, "models", "il2_il7.bngl")
    pn = [l.split()[0] for l in run([ilnet, "info", il2, "--only", "parameters"]).stdout.splitlines()[1:]]
    pn = [p for p in pn if p.startswith(("k", "f_"))][:33]
    body = "".join(f"      - {{name: {p}, values: [1]}}\n" for p in pn)
    big = run_study("grid33", f"""model: {il2}
simulation: {{t_end: 1, n_steps: 1}}
output: {{observables: [pSTAT5_total]}}
experiments:
  - name: g33
    type: sweep
    design: grid
    parameters:
{body}""")
    if big:
        with h5py.File(big, "r") as f:
            check(len(pn) == 33 and "observables_grid" not in f["g33"] and f["g33/status"][0] == 1,
                  f"grid33: {len(pn)} parameters, views {'observables_grid' in f['g33']}")


def species_and_factor_sweeps():
    """Sweeps over a species' initial amount ({species: R}) and over factors of a parameter's
    value (factor:, relative to the value before the sweep: experiment parameters included),
    against the binding closed form; a factor of a zero value is refused."""
    text = """model: binding.net
parameters: {L0: 1, kr: 4, kf: 3}
simulation: {t_end: 2, n_steps: 2, atol: 1e-12, rtol: 1e-10}
experiments:
  - name: sp
    type: sweep
    design: grid
    parameters:
      - {species: R, values: [1, 5]}
      - {name: kr, factor: [0.5, 2]}
  - name: rel
    type: sweep
    design: lhs
    n: 20
    parameters:
      - {name: kf, factor: {min: 0.5, max: 2, log: true}}
  - name: rng
    type: sweep
    parameters:
      - {name: kr, factor: {min: 0.5, max: 2, n: 3, log: true}}
"""
    out = run_study("species_factor", text)
    if out:
        with h5py.File(out, "r") as f:
            g = f["sp"]
            check(names(g["parameter"]) == ["R", "kr"], f"species sweep: parameters {names(g['parameter'])}")
            P = g["parameters"][()]
            # kr's factors 0.5 and 2 of its value 4 before the sweep
            check(np.array_equal(P, [[1, 2], [1, 8], [5, 2], [5, 8]]), f"species/factor sweep: points {P.tolist()}")
            check(np.array_equal(f["sp"]["kr"][()], [2, 8]), f"factor sweep: the grid axis {f['sp']['kr'][()]}")
            t = g["time"][()]
            for p, (R0, kr) in enumerate(P):
                close(g["observables"][p, :, 0], binding_exact(3.0, kr, 1.0, R0, t), 1e-6, 1e-9,
                      f"species/factor sweep: R0 {R0}, kr {kr}")
            v = f["rel"]["parameters"][()][:, 0]
            close(f["rng"]["parameters"][()][:, 0], [2, 4, 8], 1e-12, 0, "factor range: 0.5, 1, 2 x kr's 4")
            strata = np.floor((np.log10(v) - np.log10(1.5)) / (np.log10(4) / 20)).astype(int)
            check(v.min() >= 1.5 and v.max() <= 6 and sorted(strata.tolist()) == list(range(20)),
                  f"factor lhs: kf {sorted(v.tolist())} (one per log stratum of [0.5, 2] x its 3)")
    r = run([ilnet, "run", write("factor_zero.yaml", text.replace("{name: kr, factor: [0.5, 2]}",
                                                                "{name: L0, factor: [0.5, 2]}").replace("L0: 1, ", "")),
             "--check"])
    check.exits(r, 1, "factor of a zero value", "factor: 'L0' is 0 before the sweep")


def file_designs():
    """design: file: the points of a CSV (parameters) or TSV (a species column), in order,
    against the closed form; bad cells and missing files are one-line errors."""
    write("points.csv", "kr,L0\n0.5,1\n2,0.1\n1, 10\n")
    write("points.tsv", "species:R\tkf\n4\t2\n8\t0.5\n")
    text = """model: binding.net
simulation: {t_end: 2, n_steps: 2, atol: 1e-12, rtol: 1e-10}
experiments:
  - {name: csv, type: sweep, design: file, file: points.csv}
  - {name: tsv, type: sweep, design: file, file: points.tsv, parameters: {L0: 1}}
"""
    out = run_study("file_design", text)
    if out:
        with h5py.File(out, "r") as f:
            g = f["csv"]
            check(attr(g, "design") == "file" and names(g["parameter"]) == ["kr", "L0"],
                  f"file design: {attr(g, 'design')} {names(g['parameter'])}")
            check(np.array_equal(g["parameters"][()], [[0.5, 1], [2, 0.1], [1, 10]]),
                  f"file design: points {g['parameters'][()].tolist()}")
            t = g["time"][()]
            for p, (kr, L) in enumerate(g["parameters"][()]):
                close(g["observables"][p, :, 0], binding_exact(1.0, kr, L, 10.0, t), 1e-6, 1e-9,
                      f"file design: kr {kr}, L0 {L}")
            g = f["tsv"]
            for p, (R0, kf) in enumerate(g["parameters"][()]):
                close(g["observables"][p, :, 0], binding_exact(kf, 1.0, 1.0, R0, t), 1e-6, 1e-9,
                      f"file design (TSV, species column): R0 {R0}, kf {kf}")
    write("bad_points.csv", "kr\n1\nx\n")
    r = run([ilnet, "run", write("file_bad.yaml", text.replace("points.csv", "bad_points.csv")), "--check"])
    check.exits(r, 1, "file design: a bad cell", "bad_points.csv:3: column 'kr': 'x' is not a number")
    r = run([ilnet, "run", write("file_missing.yaml", text.replace("points.csv", "nowhere.csv")), "--check"])
    check.exits(r, 1, "file design: a missing file", "file_missing.yaml:4:", "nowhere.csv")
    write("points_unknown.csv", "krr\n1\n")
    r = run([ilnet, "run", write("file_unknown.yaml", text.replace("points.csv", "points_unknown.csv")), "--check"])
    check.exits(r, 1, "file design: an unknown parameter", "(column 'krr'): the model has no parameter 'krr'",
                "did you mean 'kr'?")


def command_line_set():
    """ilnet run --set: changes the result (closed form), is recorded, a resume must repeat
    it, a misspelled name is refused with a suggestion; output.file in a new directory."""
    text = """model: binding.net
parameters: {L0: 1}
simulation: {t_end: 5, n_steps: 5, atol: 1e-12, rtol: 1e-10}
experiments:
  - {name: tc, type: timecourse}
  - {name: tc_kr, type: timecourse, parameters: {kr: 3}}
"""
    plain = run_study("set_plain", text)
    setk = run_study("set_kr", text, args=("--set", "kr=10", "--set", "L0=2"))
    if plain and setk:
        t = np.linspace(0, 5, 6)
        with h5py.File(plain, "r") as a, h5py.File(setk, "r") as b:
            ya, yb = a["tc/observables"][0, :, 0], b["tc/observables"][0, :, 0]
            close(ya, binding_exact(1, 1, 1, 10, t), 1e-6, 1e-9, "--set: without it, kr 1 and L0 1")
            close(yb, binding_exact(1, 10, 2, 10, t), 1e-6, 1e-9, "--set kr=10 L0=2: the closed form")
            # an experiment's own parameters win over --set
            close(b["tc_kr/observables"][0, :, 0], binding_exact(1, 3, 2, 10, t), 1e-6, 1e-9,
                  "--set: the experiment's kr 3 wins, L0 2 from --set")
            check(attr(a, "set") == "" and attr(b, "set") == "kr=10 L0=2",
                  f"--set recorded: {attr(a, 'set')!r}, {attr(b, 'set')!r}")
        r = run([ilnet, "run", scratch.path("set_kr.yaml"), "-o", setk, "--resume", "--set", "kr=5"])
        check.exits(r, 1, "--resume with another --set", "--set 'kr=10 L0=2'")
        r = run([ilnet, "run", scratch.path("set_kr.yaml"), "-o", setk, "--resume", "--set", "kr=10",
                 "--set", "L0=2"])
        check.exits(r, 0, "--resume with the same --set")
    # plots: the condition in titles (--set included); either plot script takes either file
    sys.path.insert(0, os.path.join(srcdir, "scripts"))
    import plot_study
    if setk:
        with h5py.File(setk, "r") as f:
            cond = plot_study.condition(f, "tc_kr")
        check(cond == "L0=1; kr=3; --set kr=10 L0=2", f"plot condition: {cond!r}")
        r = run(["/usr/bin/python3", os.path.join(srcdir, "scripts", "plot_timecourse.py"), setk, "-o",
                 scratch.path("tc_plots.png")])
        check(r.returncode == 0 and os.path.isfile(scratch.path("tc_plots", "tc_kr.png")),
              f"plot_timecourse.py on a study file: {r.stderr!r}")
    sim = scratch.path("sim.h5")
    run([ilnet, "simulate", scratch.path("binding.net"), "--t-end", "1", "--n-steps", "4", "-o", sim, "-q"])
    r = run(["/usr/bin/python3", os.path.join(srcdir, "scripts", "plot_study.py"), sim, "-o", scratch.path("sim_plots")])
    check(r.returncode == 0 and os.path.isfile(scratch.path("sim_plots", "sim.png")),
          f"plot_study.py on a simulate file: {r.stderr!r}")
    r = run([ilnet, "run", scratch.path("set_plain.yaml"), "--check", "--set", "kR=2"])
    check.exits(r, 1, "--set with a misspelled name", "--set kR: the model has no parameter 'kR'",
                "did you mean 'kr'?")
    r = run([ilnet, "run", scratch.path("set_plain.yaml"), "--check", "--set", "kr"])
    check.exits(r, 1, "--set without a value", "--set kr: expected NAME=VALUE")

    # output.file in directories that do not exist yet: --check leaves them, a run makes them
    new = scratch.path("newdir")
    if os.path.isdir(new):
        import shutil
        shutil.rmtree(new)
    cfg = write("newdir_study.yaml", "model: binding.net\nsimulation: {t_end: 1, n_steps: 2}\n"
                "output: {file: newdir/deeper/x.h5}\nexperiments:\n  - {name: tc, type: timecourse}\n")
    r = run([ilnet, "run", cfg, "--check"])
    check.exits(r, 0, "output.file in a new directory: --check")
    check(not os.path.exists(new), "--check created the output directory")
    r = run([ilnet, "run", cfg, "--quiet"])
    check.exits(r, 0, "output.file in a new directory")
    check(os.path.isfile(os.path.join(new, "deeper", "x.h5")), "newdir/deeper/x.h5 not written")
    blocker = write("notadir", "a file\n")
    cfg = write("blocked_study.yaml", "model: binding.net\nsimulation: {t_end: 1, n_steps: 2}\n"
                "output: {file: notadir/x.h5}\nexperiments:\n  - {name: tc, type: timecourse}\n")
    r = run([ilnet, "run", cfg, "--check"])
    check.exits(r, 1, "output.file under a regular file: --check", "notadir is not a directory")

    # progress for logs: --progress lines (here every point: ILNET_PROGRESS_EVERY=0) ends
    # with a line of the total; the default on a non-terminal (auto) is silent for short runs
    env = dict(os.environ, ILNET_PROGRESS_EVERY="0")
    r = run([ilnet, "run", scratch.path("set_plain.yaml"), "-o", scratch.path("progress.h5"),
             "--overwrite", "--progress", "lines"], env=env)
    check.exits(r, 0, "--progress lines")
    lines = [x for x in r.stderr.splitlines() if x.startswith("ilnet run: ")]
    check(lines and re.match(r"ilnet run: 2/2 points \(100\.0 %\), [0-9.]+ pts/s, took 0:00:0[0-9]$",
                             lines[-1]), f"--progress lines: {r.stderr!r}")
    r = run([ilnet, "run", scratch.path("set_plain.yaml"), "-o", scratch.path("progress.h5"),
             "--overwrite"])
    check(r.returncode == 0 and r.stderr == "", f"--progress auto, not a terminal, 2 points: {r.stderr!r}")
    r = run([ilnet, "run", scratch.path("set_plain.yaml"), "--progress", "sometimes"])
    check.exits(r, 1, "--progress sometimes", "--progress takes auto, bar, lines or none")

    # a study writes HDF5: a CSV name is refused, not written as HDF5 under that name
    csv_out = scratch.path("table.csv")
    r = run([ilnet, "run", scratch.path("set_plain.yaml"), "-o", csv_out])
    check.exits(r, 1, "run -o table.csv", "names a .csv file")
    check(not os.path.exists(csv_out), "run -o table.csv wrote a file")
    cfg = write("csv_study.yaml", "model: binding.net\nsimulation: {t_end: 1, n_steps: 2}\n"
                "output: {file: out.csv}\nexperiments:\n  - {name: tc, type: timecourse}\n")
    r = run([ilnet, "run", cfg, "--check"])
    check.exits(r, 1, "output.file: out.csv", "csv_study.yaml:3:", "output.file: 'out.csv' names a .csv file")


# ======================================================================== main

reference_timecourse()
first = designs()
lhs_reproducible(first)
time_grids()
protocols()
dose_response()
failures()
misc()
expression_readouts()
over_doses_readouts()
saltelli_indices()
grid_views()
species_and_factor_sweeps()
file_designs()
command_line_set()

check.finish("study HDF5")
