#!/usr/bin/python3
"""PNG figures of a fit file (`ilnet fit PROBLEM.yaml -o FIT.h5`, docs/fitting.md).

usage: /usr/bin/python3 scripts/plot_fit.py FIT.h5 -o OUTDIR

Writes
  OUTDIR/waterfall.png  the final -llh of every finished start, sorted (log scale of the
                        distance to the best, so that plateaus -- starts ending in the same
                        optimum -- show as steps); failed starts are counted in the title;
  OUTDIR/fit.png        the best fit against the data: one panel per observable, one colour
                        per (pre-equilibration, simulation) condition, data as points and
                        simulations as lines (steady-state measurements at the right edge);
  OUTDIR/profiles.png   (when profiled) the profile of each parameter, llh drop from the
                        best against the value on its scale, the 95 % threshold as a dashed
                        line and the interval marked.
Prints the files written, one per line. Exit status 1 with a message for a missing file or a
file that is not a fit file.
"""
import argparse
import math
import os
import sys

import numpy as np

try:
    import h5py
    import matplotlib
except ImportError as e:  # pragma: no cover
    sys.exit(f"plot_fit: {e} (run it with Debian's /usr/bin/python3)")

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

THRESHOLD = 1.9207294103470673  # chi2(1, 0.95) / 2


def s(x):
    return x.decode() if isinstance(x, bytes) else str(x)


def num(obj, key, default=0.0):
    """A numeric attribute (stored as a one-element array) as a float."""
    return float(np.ravel(obj.attrs[key])[0]) if key in obj.attrs else default


def waterfall(f, out):
    llh, status = f["llh"][:], f["status"][:]
    ok = (status != 0) & np.isfinite(llh)
    vals = np.sort(-llh[ok])
    fig, ax = plt.subplots(figsize=(6, 4))
    if len(vals):
        ax.plot(np.arange(1, len(vals) + 1), vals - vals[0] + 1, "o-", ms=3)
        ax.set_yscale("log")
    ax.set_xlabel("start (sorted)")
    ax.set_ylabel("-llh - (-llh of the best) + 1")
    n_failed = int(((status != 0) & ~np.isfinite(llh)).sum()) + int((status == -1).sum())
    ax.set_title(f"{len(vals)} starts, best llh {-vals[0]:.6g}" if len(vals) else "no start",
                 fontsize=10)
    if n_failed:
        ax.set_title(ax.get_title() + f", {n_failed} failed", fontsize=10)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)


def best_fit(g, out):
    obs = [s(x) for x in g["observable_id"][:]]
    cond = [f"{s(a)}->{s(b)}" if s(a) else s(b)
            for a, b in zip(g["preequilibration_condition_id"][:], g["simulation_condition_id"][:])]
    t, y, m = g["time"][:], g["simulated"][:], g["measured"][:]
    names = sorted(set(obs))
    conds = sorted(set(cond))
    cols = min(3, len(names))
    rows = math.ceil(len(names) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.5 * cols, 3.3 * rows), squeeze=False)
    finite = t[np.isfinite(t)]
    t_inf = (finite.max() * 1.1 if len(finite) else 1.0)
    for k, name in enumerate(names):
        ax = axes[k // cols][k % cols]
        for c_i, c in enumerate(conds):
            sel = np.array([o == name and cc == c for o, cc in zip(obs, cond)])
            if not sel.any():
                continue
            tt = np.where(np.isfinite(t[sel]), t[sel], t_inf)
            order = np.argsort(tt, kind="stable")
            colour = f"C{c_i % 10}"
            ax.plot(tt[order], y[sel][order], "-", color=colour, label=c)
            ax.plot(tt, m[sel], "o", color=colour, ms=3)
        ax.set_title(name, fontsize=9)
        ax.set_xlabel("time")
        if len(conds) <= 8:
            ax.legend(fontsize=6)
    for k in range(len(names), rows * cols):
        axes[k // cols][k % cols].axis("off")
    fig.suptitle(f"best fit (llh {num(g, 'llh'):.6g}): lines simulation, points data",
                 fontsize=10)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)


def profiles(f, out):
    g = f["profiles"]
    names = [s(x) for x in f["parameter"][:] if s(x) in g]
    scales = dict(zip([s(x) for x in f["parameter"][:]], [s(x) for x in f["parameter_scale"][:]]))
    best = num(f, "best_llh") + num(f, "best_log_prior")
    cols = min(3, len(names))
    rows = math.ceil(len(names) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4 * cols, 3 * rows), squeeze=False)
    for k, name in enumerate(names):
        p = g[name]
        ax = axes[k // cols][k % cols]
        ax.plot(p["value"][:], best - p["llh"][:], ".-")
        ax.axhline(THRESHOLD, ls="--", color="grey")
        lo, hi = num(p, "ci_lower"), num(p, "ci_upper")
        for v in (lo, hi):
            if np.isfinite(v):
                ax.axvline(v, ls=":", color="C3")
        ax.set_ylim(-0.1, 3 * THRESHOLD)
        ax.set_xlabel(f"{name} ({scales[name]})", fontsize=8)
        ax.set_ylabel("llh drop")
        fmt = lambda v: f"{v:.3g}" if np.isfinite(v) else ("-inf" if v < 0 else "inf")  # noqa
        ax.set_title(f"95 % CI [{fmt(lo)}, {fmt(hi)}]", fontsize=8)
    for k in range(len(names), rows * cols):
        axes[k // cols][k % cols].axis("off")
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)


def main():
    ap = argparse.ArgumentParser(description="figures of an ilnet fit file")
    ap.add_argument("fit")
    ap.add_argument("-o", "--outdir", required=True)
    a = ap.parse_args()
    if not os.path.exists(a.fit):
        sys.exit(f"plot_fit: {a.fit}: no such file")
    os.makedirs(a.outdir, exist_ok=True)
    with h5py.File(a.fit, "r") as f:
        if s(f.attrs.get("kind", "")) != "fit":
            sys.exit(f"plot_fit: {a.fit}: not an ilnet fit file")
        written = [os.path.join(a.outdir, "waterfall.png")]
        waterfall(f, written[0])
        if "best_fit" in f:
            written.append(os.path.join(a.outdir, "fit.png"))
            best_fit(f["best_fit"], written[-1])
        if "profiles" in f and len(f["profiles"]):
            written.append(os.path.join(a.outdir, "profiles.png"))
            profiles(f, written[-1])
    print("\n".join(written))


if __name__ == "__main__":
    main()
