#!/usr/bin/python3
"""Dose-response curves from ilnet HDF5 time courses, one file per dose, with 4-parameter
Hill fits and EC50 marks.

usage: /usr/bin/python3 scripts/plot_dose_response.py --dose PARAM --observable OBS
           --time T [--per-parameter P] --series LABEL=FILE1,FILE2,... [--series ...]
           [--units nM] [-o OUT.png]

The dose of each file is the value of parameter PARAM in its /parameter_values; the
response is observable OBS at the output time nearest T (divided by parameter P of the
same file with --per-parameter, e.g. STAT5_total for a fraction). Prints one line per
series: label, EC50, Hill coefficient, bottom, top.
"""
import argparse
import sys

import h5py
import matplotlib
import numpy as np
from scipy.optimize import curve_fit

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def names(ds):
    return [n.decode() if isinstance(n, bytes) else str(n) for n in ds[()]]


def read_point(path, dose_par, obs, t, per):
    with h5py.File(path, "r") as f:
        if f.attrs.get("status", b"complete") not in (b"complete", "complete"):
            sys.exit(f"plot_dose_response: {path} holds a partial run")
        pn = names(f["parameter_names"])
        pv = f["parameter_values"][()]
        on = names(f["observable_names"])
        for want, have, what in ((dose_par, pn, "parameter"), (obs, on, "observable")):
            if want not in have:
                sys.exit(f"plot_dose_response: {path} has no {what} '{want}'")
        times = f["time"][()]
        i = int(np.argmin(np.abs(times - t)))
        y = f["observables"][i, on.index(obs)]
        if per:
            if per not in pn:
                sys.exit(f"plot_dose_response: {path} has no parameter '{per}'")
            y /= pv[pn.index(per)]
        return pv[pn.index(dose_par)], y, times[i]


def hill(x, bottom, top, log_ec50, n):
    return bottom + (top - bottom) / (1 + (10 ** log_ec50 / x) ** n)


def fit(x, y):
    mid = 10 ** np.mean(np.log10(x))
    p0 = [y.min(), y.max(), np.log10(mid), 1.0]
    try:
        p, _ = curve_fit(hill, x, y, p0=p0, maxfev=20000)
        return p
    except RuntimeError:
        return None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dose", required=True)
    ap.add_argument("--observable", required=True)
    ap.add_argument("--time", type=float, required=True)
    ap.add_argument("--per-parameter")
    ap.add_argument("--series", action="append", required=True)
    ap.add_argument("--units", default="")
    ap.add_argument("--title")
    ap.add_argument("-o", "--output", default="dose_response.png")
    a = ap.parse_args()
    fig, ax = plt.subplots(figsize=(6, 4.2))
    for s in a.series:
        label, _, files = s.partition("=")
        pts = sorted(read_point(p, a.dose, a.observable, a.time, a.per_parameter) for p in files.split(",") if p)
        if len(pts) < 4:
            sys.exit(f"plot_dose_response: series {label} needs at least 4 doses")
        x = np.array([p[0] for p in pts])
        y = np.array([p[1] for p in pts])
        if np.any(x <= 0):
            sys.exit(f"plot_dose_response: series {label} has a dose <= 0")
        (line,) = ax.semilogx(x, y, "o", label=label)
        p = fit(x, y)
        if p is not None:
            xs = np.logspace(np.log10(x.min()), np.log10(x.max()), 200)
            ax.semilogx(xs, hill(xs, *p), "-", color=line.get_color())
            ec = 10 ** p[2]
            ax.axvline(ec, color=line.get_color(), ls=":", lw=1)
            print(f"{label}: EC50 {ec:.4g} {a.units}, Hill n {p[3]:.3g}, bottom {p[0]:.4g}, top {p[1]:.4g}")
        else:
            print(f"{label}: Hill fit did not converge")
    ax.set_xlabel(f"{a.dose} ({a.units})" if a.units else a.dose)
    ylab = a.observable + (f" / {a.per_parameter}" if a.per_parameter else "")
    ax.set_ylabel(f"{ylab} at t = {a.time:g}")
    if a.title:
        ax.set_title(a.title)
    ax.legend()
    fig.tight_layout()
    fig.savefig(a.output, dpi=120)


if __name__ == "__main__":
    main()
