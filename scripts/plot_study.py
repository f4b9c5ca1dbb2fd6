#!/usr/bin/python3
"""PNG figures of the experiments in an ilnet study file (`ilnet run STUDY.yaml`,
docs/study.md).

usage: /usr/bin/python3 scripts/plot_study.py STUDY.h5 -o OUTDIR [--group NAME]...
           [--observable NAME]... [--time T] [--max-lines N]

One figure per experiment group (every group, or the --group ones), OUTDIR/GROUP.png:
  dose_response  response vs dose (log x) per series with its fitted Hill curve and the
                 EC50 marked (dashed line, label EC50 ± SE, the Hill coefficient n and the
                 interpolated half-maximal dose), one panel per readout. Only fits of
                 quality ok get an EC50 line; the others say why not in the legend
                 (flat, biphasic, ec50_outside_doses, poor_fit: docs/study.md), their
                 curve dotted (none for a flat response);
  sweep          with exactly two swept parameters on a full grid: a heatmap of one
                 observable (default: the first) at one time (default: the last; --time T
                 takes the output time nearest T), log axes for log-spaced values;
                 with three or more parameters, or an lhs, sobol or saltelli design: the
                 observable at that time against each parameter (scatter, one panel per
                 parameter, Spearman's rank correlation in its title), and for saltelli the
                 Sobol' indices (first order and total) as bars, OUTDIR/GROUP_sobol.png;
  otherwise      time courses of every point (thin lines coloured by the first swept
                 parameter, at most --max-lines of them, default 200), one panel per
                 observable (the first 6, or the --observable ones), protocol steps marked.
Titles give the condition: the presets, parameter overrides and --set of the run (from the
config stored in the file). A time-course file of `ilnet simulate` is handed to
scripts/plot_timecourse.py (OUTDIR/FILE.png), so either script plots either kind.
Points whose status is not 1 (not run, failed) are left out, and counted on stderr.
Prints the files written, one per line, on stdout. Exit status 1 with a message for a missing file,
a file that is not a study file, or an unknown group or observable.
"""
import argparse
import math
import os
import re
import sys

import numpy as np

try:
    import h5py
    import matplotlib
except ImportError as e:  # pragma: no cover
    sys.exit(f"plot_study: {e} (run it with Debian's /usr/bin/python3)")

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import cm, colors  # noqa: E402

MAX_PANELS = 6


def die(msg):
    print(f"plot_study: {msg}", file=sys.stderr)
    sys.exit(1)


def text(v):
    if isinstance(v, np.ndarray) and v.shape == (1,):
        v = v[0]
    if isinstance(v, (bytes, np.bytes_)):
        return v.decode("utf-8", "replace").rstrip("\0")
    return str(v)


def names(g, key):
    if key not in g:
        return []
    return [text(n) for n in g[key][()]]


def safe_name(name):
    return re.sub(r"[^A-Za-z0-9_.+-]+", "_", name) or "group"


def log_spaced(v):
    """True when the sorted distinct values v (>= 2) are positive and evenly spaced in log."""
    v = np.asarray(v, float)
    if len(v) < 2 or np.any(v <= 0):
        return False
    if len(v) == 2:
        return v[1] / v[0] >= 10
    d = np.diff(np.log(v))
    return bool(np.allclose(d, d[0], rtol=1e-6, atol=0) and not np.allclose(np.diff(v), np.diff(v)[0], rtol=1e-6))


def wide_positive(v):
    v = np.asarray(v, float)
    return len(v) > 1 and np.all(v > 0) and v.max() / v.min() >= 20


def edges(v, log):
    """Cell edges around the sorted centres v."""
    v = np.asarray(v, float)
    x = np.log10(v) if log else v
    if len(x) == 1:
        e = np.array([x[0] - 0.5, x[0] + 0.5])
    else:
        mid = (x[1:] + x[:-1]) / 2
        e = np.concatenate([[x[0] - (mid[0] - x[0])], mid, [x[-1] + (x[-1] - mid[-1])]])
    return 10 ** e if log else e


def fmt(x):
    if x is None or not np.isfinite(x):
        return "nan"
    return f"{x:.3g}"


def ok_mask(g, what):
    st = g["status"][()] if "status" in g else np.ones(g["observables"].shape[0], np.int8)
    ok = st == 1
    bad = int(np.sum(~ok))
    if bad:
        kinds = {0: "not run", -1: "solver failure", -2: "bad point"}
        detail = ", ".join(f"{int(np.sum(st == k))} {kinds.get(int(k), f'status {int(k)}')}"
                           for k in np.unique(st[~ok]))
        print(f"{what}: skipped {bad} of {len(st)} points with status != 1 ({detail})", file=sys.stderr)
    return ok, bad


# ------------------------------------------------------------------ units (config units:)

def with_unit(g, name, kind="observable"):
    """'name (unit)' when the study declared a unit for it (observable, parameter, time)."""
    u = ""
    if kind == "time":
        u = text(g["time"].attrs.get("units", "")) if "units" in g["time"].attrs else ""
    else:
        col = re.split(r"[@:]", name)[0]
        key = f"{kind}_units"
        if key in g:
            table = dict(zip(names(g, kind), names(g, key)))
            u = table.get(col, "")
    return f"{name} ({u})" if u else name


# ------------------------------------------------------------------ the run's condition

def condition(f, gname):
    """'preset human_treg; L2_nM=1; --set R_A=500' for group gname, from the stored config
    (top level, then the experiment), or ''."""
    try:
        import yaml
        cfg = yaml.safe_load(text(f.attrs.get("config_text", ""))) or {}
    except Exception:  # noqa: BLE001 -- a title is not worth failing for
        return ""
    exp = next((e for e in cfg.get("experiments", []) or [] if isinstance(e, dict)
                and e.get("name") == gname), {})
    parts = []
    for level in (cfg, exp):
        pr = level.get("preset")
        if pr:
            parts.append("preset " + (", ".join(pr) if isinstance(pr, list) else str(pr)))
        for k, v in (level.get("parameters") or {}).items() if isinstance(level.get("parameters"), dict) else []:
            parts.append(f"{k}={v}")
    sets = text(f.attrs.get("set", "")) if "set" in f.attrs else ""
    if sets:
        parts.append("--set " + sets)
    return "; ".join(parts)


def protocol_steps(f, gname):
    """The times of the experiment's protocol steps, from the stored config."""
    try:
        import yaml
        cfg = yaml.safe_load(text(f.attrs.get("config_text", ""))) or {}
        exp = next(e for e in cfg.get("experiments", []) if e.get("name") == gname)
        return [float(s["at"]) for s in (exp.get("protocol") or {}).get("steps", []) or []]
    except Exception:  # noqa: BLE001
        return []


# ------------------------------------------------------------------ dose response

def hill(x, bottom, top, ec50, n):
    x = np.asarray(x, float)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return bottom + (top - bottom) / (1 + (ec50 / x) ** n)


QUALITY_TEXT = {
    "flat": "flat: the response does not rise above its noise",
    "biphasic": "biphasic: two phases, one Hill curve does not describe it",
    "ec50_outside_doses": "fitted EC50 outside the doses",
    "poor_fit": "poor fit: r² < 0.9 or SE(EC50) > EC50",
}


def plot_dose_response(g, gname, out):
    """Writes the figure; returns what it drew per (readout, series): the fit's quality and
    whether an EC50 line was drawn."""
    drawn = {}
    dose = g["dose"][()]
    series = names(g, "series") or ["default"]
    readouts = names(g, "readout")
    resp = np.array(g["response"][()], float)  # series x dose x readout
    fields = names(g, "fit_field")
    fit = g["fit"][()] if "fit" in g else None
    fst = g["fit_status"][()] if "fit_status" in g else None
    fq = g["fit_quality"][()] if "fit_quality" in g else None
    ok, bad = ok_mask(g, gname)
    if "point_series" in g and "point_dose" in g:
        ps, pd = g["point_series"][()], g["point_dose"][()]
    else:
        n_dose = len(dose)
        ps, pd = np.arange(len(ok)) // n_dose, np.arange(len(ok)) % n_dose
    for p in np.nonzero(~ok)[0]:
        resp[ps[p], pd[p], :] = np.nan

    pn = names(g, "parameter")
    dose_name = pn[0] if len(pn) == 1 else "dose"
    nr = max(len(readouts), 1)
    ncol = min(nr, 3)
    nrow = math.ceil(nr / ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(5.2 * ncol, 4.2 * nrow), squeeze=False, layout="constrained")
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    pos = dose > 0
    xlo, xhi = (dose[pos].min(), dose[pos].max()) if pos.any() else (1e-3, 1.0)
    xs = np.logspace(math.log10(xlo) - 0.3, math.log10(xhi) + 0.3, 300)
    for r, rname in enumerate(readouts):
        ax = axes[r // ncol][r % ncol]
        for si, sname in enumerate(series):
            c = colours[si % len(colours)]
            y = resp[si, :, r]
            m = pos & np.isfinite(y)
            ax.plot(dose[m], y[m], "o", color=c, ms=5, label=sname)
            zero = (~pos) & np.isfinite(y)
            if zero.any():
                ax.axhline(float(y[zero][0]), color=c, ls=":", lw=0.8)
            if fit is None or fst is None:
                continue
            f = dict(zip(fields, fit[si, r]))
            status = int(fst[si, r])
            quality = text(fq[si, r]) if fq is not None else ("ok" if status == 1 else "")
            finite = all(np.isfinite(f.get(k, np.nan)) for k in ("ec50", "hill", "bottom", "top"))
            drawn[(rname, sname)] = {"quality": quality, "ec50_line": False}
            if status == 1 and finite and quality == "ok":
                ax.plot(xs, hill(xs, f["bottom"], f["top"], f["ec50"], f["hill"]), "-", color=c, lw=1.5)
                ax.axvline(f["ec50"], color=c, ls="--", lw=1)
                drawn[(rname, sname)]["ec50_line"] = True
                n_used = int(np.sum(m))
                lab = (f"{sname}: EC50 = {fmt(f['ec50'])} ± {fmt(f.get('se_ec50'))}\n"
                       f"    n = {fmt(f['hill'])} ± {fmt(f.get('se_hill'))}  ({n_used} doses)")
                if np.isfinite(f.get("half_max_dose", np.nan)):
                    lab += f"\n    half-max (data) {fmt(f['half_max_dose'])}"
                ax.plot([], [], "--", color=c, lw=1, label=lab)
                ymid = f["bottom"] + (f["top"] - f["bottom"]) / 2
                ax.annotate(f"EC50 {fmt(f['ec50'])}", (f["ec50"], ymid), xytext=(4, -12 - 12 * si),
                            textcoords="offset points", color=c, fontsize=8)
            elif status == 1:
                if finite and quality != "flat":
                    ax.plot(xs, hill(xs, f["bottom"], f["top"], f["ec50"], f["hill"]), ":", color=c, lw=1)
                why = QUALITY_TEXT.get(quality, quality)
                ax.plot([], [], " ", label=f"{sname}: no EC50 ({why})")
            else:
                why = {0: "too few points", -1: "did not converge"}.get(status, f"status {status}")
                ax.plot([], [], " ", label=f"{sname}: not fitted ({why})")
        ax.set_xscale("log")
        ax.set_xlabel(with_unit(g, dose_name, "parameter"))
        ax.set_ylabel(with_unit(g, rname))
        ax.set_title(rname)
        # below the panel: a legend never covers the points
        ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=1, frameon=False)
        ax.grid(True, which="major", alpha=0.3)
    for k in range(nr, nrow * ncol):
        axes[k // ncol][k % ncol].axis("off")
    note = f" ({bad} points skipped)" if bad else ""
    cond = condition(g.file, gname)
    fig.suptitle(f"{gname}: dose response{note}" + (f"\n{cond}" if cond else ""), fontsize=11)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return drawn


# ------------------------------------------------------------------ heatmap

def grid_axes(g):
    """(names, sorted values 1, sorted values 2, index1, index2) for a full 2-D grid, else None."""
    pnames = names(g, "parameter")
    if len(pnames) != 2 or "parameters" not in g:
        return None
    design = text(g.attrs.get("design", "grid"))
    if design not in ("grid", ""):
        return None
    v = g["parameters"][()]
    u1, i1 = np.unique(v[:, 0], return_inverse=True)
    u2, i2 = np.unique(v[:, 1], return_inverse=True)
    if len(u1) * len(u2) != v.shape[0] or len(set(zip(i1.tolist(), i2.tolist()))) != v.shape[0]:
        return None
    return pnames, u1, u2, i1, i2


def pick_observable_time(g, gname, obs_wanted, t_wanted):
    """(observables, the one asked for or the first, times, index of the time nearest t_wanted
    or the last) of group g; an unknown observable is an error."""
    obs = names(g, "observable")
    oname = obs_wanted[0] if obs_wanted else obs[0]
    if oname not in obs:
        die(f"{gname}: no observable '{oname}' (observables: {', '.join(obs)})")
    t = g["time"][()]
    ti = len(t) - 1 if t_wanted is None else int(np.argmin(np.abs(t - t_wanted)))
    return obs, oname, t, ti


def plot_heatmap(g, gname, out, axes_info, obs_wanted, t_wanted):
    pnames, u1, u2, i1, i2 = axes_info
    obs, oname, t, ti = pick_observable_time(g, gname, obs_wanted, t_wanted)
    ok, bad = ok_mask(g, gname)
    vals = np.array(g["observables"][:, ti, obs.index(oname)], float)
    vals[~ok] = np.nan
    z = np.full((len(u2), len(u1)), np.nan)
    z[i2, i1] = vals
    lx, ly = log_spaced(u1), log_spaced(u2)
    fig, ax = plt.subplots(figsize=(6.4, 5.2), layout="constrained")
    cmap = plt.get_cmap("viridis").copy()
    cmap.set_bad("lightgrey")
    mesh = ax.pcolormesh(edges(u1, lx), edges(u2, ly), np.ma.masked_invalid(z), cmap=cmap, shading="flat")
    if lx:
        ax.set_xscale("log")
    if ly:
        ax.set_yscale("log")
    ax.set_xlabel(with_unit(g, pnames[0], "parameter"))
    ax.set_ylabel(with_unit(g, pnames[1], "parameter"))
    fig.colorbar(mesh, ax=ax, label=with_unit(g, oname))
    note = f"; {bad} points skipped (grey)" if bad else ""
    ax.set_title(f"{gname}: {oname} at t = {fmt(t[ti])}{note}", fontsize=10)
    fig.savefig(out, dpi=110)
    plt.close(fig)


# ------------------------------------------------------------------ scatter (many parameters, sampled designs)

def spearman(x, y):
    """Spearman's rank correlation (average ranks for ties); NaN for a constant column."""
    def ranks(v):
        r = np.empty(len(v))
        r[np.argsort(v, kind="mergesort")] = np.arange(len(v), dtype=float)
        _, inv = np.unique(v, return_inverse=True)  # ties: the mean of their ranks
        return (np.bincount(inv, r) / np.bincount(inv))[inv]
    if len(x) < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return float("nan")
    return float(np.corrcoef(ranks(np.asarray(x, float)), ranks(np.asarray(y, float)))[0, 1])


def plot_scatter(g, gname, out, obs_wanted, t_wanted):
    """The observable at one time against each swept parameter; returns {parameter: rho}."""
    obs, oname, t, ti = pick_observable_time(g, gname, obs_wanted, t_wanted)
    ok, bad = ok_mask(g, gname)
    y = np.array(g["observables"][:, ti, obs.index(oname)], float)[ok]
    P = np.array(g["parameters"][()], float)[ok]
    pnames = names(g, "parameter")
    npan = len(pnames)
    ncol = min(npan, 3)
    nrow = math.ceil(npan / ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(4.6 * ncol, 3.8 * nrow), squeeze=False, layout="constrained")
    rho = {}
    for k, pn in enumerate(pnames):
        ax = axes[k // ncol][k % ncol]
        x = P[:, k]
        rho[pn] = spearman(x, y)
        ax.plot(x, y, ".", ms=3 if len(y) > 500 else 5, alpha=0.5 if len(y) > 500 else 0.9)
        if wide_positive(x):
            ax.set_xscale("log")
        ax.set_xlabel(with_unit(g, pn, "parameter"))
        ax.set_ylabel(f"{with_unit(g, oname)} at t = {fmt(t[ti])}")
        ax.set_title(f"{pn}: Spearman ρ = {rho[pn]:.2f}", fontsize=10)
        ax.grid(True, alpha=0.3)
    for k in range(npan, nrow * ncol):
        axes[k // ncol][k % ncol].axis("off")
    design = text(g.attrs.get("design", ""))
    cond = condition(g.file, gname)
    note = f"; {bad} points skipped" if bad else ""
    fig.suptitle(f"{gname} ({design}, {len(y)} points{note})" + (f"\n{cond}" if cond else ""), fontsize=11)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return rho


def plot_sobol(g, gname, out, obs_wanted, t_wanted):
    """A saltelli sweep's first-order and total Sobol' indices of one observable at one time."""
    obs, oname, t, ti = pick_observable_time(g, gname, obs_wanted, t_wanted)
    j = obs.index(oname)
    s1, st = g["sobol_first"][ti, j, :], g["sobol_total"][ti, j, :]
    pnames = names(g, "parameter")
    x = np.arange(len(pnames))
    fig, ax = plt.subplots(figsize=(max(4.5, 1.1 * len(pnames) + 2), 3.8), layout="constrained")
    ax.bar(x - 0.18, s1, 0.36, label="first order S")
    ax.bar(x + 0.18, st, 0.36, label="total ST")
    ax.set_xticks(x, pnames, rotation=30 if len(pnames) > 4 else 0)
    ax.set_ylabel("Sobol' index")
    ax.set_ylim(min(0, float(np.nanmin(s1)) if np.isfinite(s1).any() else 0) - 0.02, 1.05)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    ax.grid(True, axis="y", alpha=0.3)
    used = int(np.ravel(g.attrs.get("sobol_samples_used", [0]))[0])
    ax.set_title(f"{gname}: {oname} at t = {fmt(t[ti])} ({used} base samples)", fontsize=10)
    fig.savefig(out, dpi=110)
    plt.close(fig)


# ------------------------------------------------------------------ time courses

def plot_timecourses(g, gname, out, obs_wanted, max_lines):
    obs = names(g, "observable")
    if obs_wanted:
        for o in obs_wanted:
            if o not in obs:
                die(f"{gname}: no observable '{o}' (observables: {', '.join(obs)})")
        panels = list(obs_wanted)
    else:
        panels = obs[:MAX_PANELS]
    t = g["time"][()]
    ok, bad = ok_mask(g, gname)
    idx = np.nonzero(ok)[0]
    n_ok = len(idx)
    if n_ok > max_lines:
        idx = idx[np.unique(np.linspace(0, n_ok - 1, max_lines).round().astype(int))]
    pnames = names(g, "parameter")
    colour_by = None
    if pnames and "parameters" in g and len(idx) > 1:
        cv = g["parameters"][:, 0]
        sel = cv[idx]
        if wide_positive(sel):
            norm = colors.LogNorm(vmin=sel.min(), vmax=sel.max())
        else:
            lo, hi = float(sel.min()), float(sel.max())
            norm = colors.Normalize(vmin=lo, vmax=hi if hi > lo else lo + 1)
        colour_by = (pnames[0], cv, norm, plt.get_cmap("viridis"))
    npan = max(len(panels), 1)
    ncol = min(npan, 3)
    nrow = math.ceil(npan / ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(5 * ncol + (1.2 if colour_by else 0), 3.8 * nrow), squeeze=False,
                             layout="constrained")
    data = g["observables"]
    lw = 1.5 if len(idx) <= 5 else (0.8 if len(idx) <= 50 else 0.5)
    alpha = 1.0 if len(idx) <= 50 else 0.6
    for k, o in enumerate(panels):
        ax = axes[k // ncol][k % ncol]
        j = obs.index(o)
        y = data[:, :, j] if data.shape[0] * data.shape[1] <= 5e7 else None
        for p in idx:
            row = y[p] if y is not None else data[p, :, j]
            if colour_by:
                c = colour_by[3](colour_by[2](colour_by[1][p]))
            else:
                c = None
            ax.plot(t, row, lw=lw, alpha=alpha, color=c)
        for st in protocol_steps(g.file, gname):
            ax.axvline(st, color="grey", ls=":", lw=1)
        ax.set_title(with_unit(g, o), fontsize=10)
        ax.set_xlabel(with_unit(g, "time", "time"))
        ax.grid(True, alpha=0.3)
    for k in range(npan, nrow * ncol):
        axes[k // ncol][k % ncol].axis("off")
    if colour_by:
        sm = cm.ScalarMappable(norm=colour_by[2], cmap=colour_by[3])
        sm.set_array([])
        fig.colorbar(sm, ax=axes.ravel().tolist(), label=colour_by[0], shrink=0.9)
    notes = []
    if n_ok > len(idx):
        notes.append(f"{len(idx)} of {n_ok} points shown")
    if bad:
        notes.append(f"{bad} points skipped")
    if not obs_wanted and len(obs) > MAX_PANELS:
        notes.append(f"first {MAX_PANELS} of {len(obs)} observables")
    typ = text(g.attrs.get("type", ""))
    npt = g["observables"].shape[0]
    cond = condition(g.file, gname)
    steps = protocol_steps(g.file, gname)
    if steps:
        notes.append("dotted: protocol steps")
    fig.suptitle(f"{gname} ({typ}, {npt} point{'s' if npt != 1 else ''})" + (f": {'; '.join(notes)}" if notes else "")
                 + (f"\n{cond}" if cond else ""), fontsize=11)
    fig.savefig(out, dpi=110)
    plt.close(fig)


# ------------------------------------------------------------------ main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("study", help="study file written by `ilnet run`")
    ap.add_argument("-o", "--outdir", required=True, help="directory for the PNGs (created)")
    ap.add_argument("--group", action="append", default=[], help="plot only this experiment (repeatable)")
    ap.add_argument("--observable", action="append", default=[],
                    help="observable of the heatmaps / panels of the time courses (repeatable)")
    ap.add_argument("--time", type=float, default=None, help="heatmap time (default: the last output time)")
    ap.add_argument("--max-lines", type=int, default=200, help="most time courses drawn per panel (default 200)")
    a = ap.parse_args()

    if not os.path.exists(a.study):
        die(f"{a.study}: no such file")
    if not os.path.isfile(a.study):
        die(f"{a.study}: not a file")
    try:
        f = h5py.File(a.study, "r")
    except OSError as e:
        die(f"{a.study}: not a readable HDF5 file ({e})")
    with f:
        kind = text(f.attrs.get("kind", "")) if "kind" in f.attrs else None
        if kind != "study" and "time" in f and "observables" in f:
            # a time course of `ilnet simulate`: the time-course script draws it
            os.makedirs(a.outdir, exist_ok=True)
            png = os.path.join(a.outdir, safe_name(os.path.basename(a.study).rsplit(".", 1)[0]) + ".png")
            here = os.path.dirname(os.path.abspath(__file__))
            import subprocess
            r = subprocess.run([sys.executable, os.path.join(here, "plot_timecourse.py"), a.study, "-o", png])
            sys.exit(r.returncode)
        if kind != "study":
            die(f"{a.study}: not a study file (root attribute kind = {kind!r}, want 'study')")
        groups = [k for k in f.keys() if isinstance(f[k], h5py.Group) and "observables" in f[k]]
        if not groups:
            die(f"{a.study}: no experiment groups")
        for gname in a.group:
            if gname not in groups:
                die(f"{a.study}: no experiment '{gname}' (experiments: {', '.join(groups)})")
        status = text(f.attrs.get("status", ""))
        if status == "running":
            print(f"{a.study}: the study is incomplete (status 'running'); plotting the finished points",
                  file=sys.stderr)
        todo = a.group or groups
        os.makedirs(a.outdir, exist_ok=True)
        written = []
        for gname in todo:
            g = f[gname]
            typ = text(g.attrs.get("type", ""))
            out = os.path.join(a.outdir, safe_name(gname) + ".png")
            design = text(g.attrs.get("design", "")) if "design" in g.attrs else ""
            npar = len(names(g, "parameter"))
            if typ == "dose_response" or ("response" in g and "dose" in g):
                plot_dose_response(g, gname, out)
            elif typ == "sweep" and (npar >= 3 or design in ("lhs", "sobol", "saltelli")):
                plot_scatter(g, gname, out, a.observable, a.time)
                if "sobol_first" in g:
                    so = os.path.join(a.outdir, safe_name(gname) + "_sobol.png")
                    plot_sobol(g, gname, so, a.observable, a.time)
                    written.append(so)
            else:
                info = grid_axes(g) if typ == "sweep" else None
                if info is not None:
                    plot_heatmap(g, gname, out, info, a.observable, a.time)
                else:
                    plot_timecourses(g, gname, out, a.observable, a.max_lines)
            written.append(out)
    for w in written:
        print(w)


if __name__ == "__main__":
    main()
