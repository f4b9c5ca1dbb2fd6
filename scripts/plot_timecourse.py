#!/usr/bin/python3
"""Plot observables (or species) over time from an ilnet HDF5 time course to a PNG.

usage: /usr/bin/python3 scripts/plot_timecourse.py FILE.h5 [-o OUT.png]
           [--observables a,b,...] [--species s1,s2,...] [--logy] [--title T]

A study file (`ilnet run`) is handed to scripts/plot_study.py, its PNGs written into OUT
without .png as a directory, so either script plots either kind of file.
"""
import argparse
import sys

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def names(ds):
    return [n.decode() if isinstance(n, bytes) else str(n) for n in ds[()]]


def pick(all_names, wanted, what):
    if not wanted:
        return list(range(len(all_names)))
    idx = []
    for w in wanted.split(","):
        if w not in all_names:
            sys.exit(f"plot_timecourse: no {what} named '{w}' (have: {', '.join(all_names)})")
        idx.append(all_names.index(w))
    return idx


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("h5")
    ap.add_argument("-o", "--output", help="PNG path (default: FILE with .png)")
    ap.add_argument("--observables", help="comma-separated observable names (default: all)")
    ap.add_argument("--species", help="comma-separated species names (default: none)")
    ap.add_argument("--logy", action="store_true", help="logarithmic y axis")
    ap.add_argument("--title")
    a = ap.parse_args()
    out = a.output or (a.h5[:-3] if a.h5.endswith(".h5") else a.h5) + ".png"
    try:
        f = h5py.File(a.h5, "r")
    except OSError as e:
        sys.exit(f"plot_timecourse: {a.h5}: {e}")
    with f:
        kind = f.attrs.get("kind", b"")
        if (kind.decode() if isinstance(kind, bytes) else str(kind)) == "study":
            # a study file: its figures come from plot_study.py, into OUT's stem as a directory
            f.close()
            import os
            import subprocess
            outdir = out[:-4] if out.endswith(".png") else out
            here = os.path.dirname(os.path.abspath(__file__))
            r = subprocess.run([sys.executable, os.path.join(here, "plot_study.py"), a.h5, "-o", outdir])
            sys.exit(r.returncode)
        t = f["time"][()]
        fig, ax = plt.subplots(figsize=(7, 4.5))
        series = []
        if a.observables or not a.species:
            # names as ilnet writes them ("observable"; before 2026-12: "observable_names")
            onames = names(f["observable"] if "observable" in f else f["observable_names"])
            for i in pick(onames, a.observables, "observable"):
                series.append((onames[i], f["observables"][:, i]))
        if a.species:
            new = "species_amounts" in f
            snames = names(f["species"] if new else f["species_names"])
            amounts = f["species_amounts"] if new else f["species"]
            for i in pick(snames, a.species, "species"):
                series.append((snames[i], amounts[:, i]))
        if not series:
            sys.exit("plot_timecourse: nothing to plot (the model has no observables; use --species)")
        for label, y in series:
            ax.plot(t, y, label=label)
        ax.set_xlabel("time (model units)")
        ax.set_ylabel("amount (model units)")
        if a.logy:
            ax.set_yscale("log")
        status = f.attrs.get("status", b"complete")
        status = status.decode() if isinstance(status, bytes) else str(status)
        model = f.attrs.get("model_path", b"")
        model = model.decode() if isinstance(model, bytes) else str(model)
        title = a.title or model
        if status != "complete":
            title += f" ({status})"
        ax.set_title(title, fontsize=10)
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
        fig.tight_layout()
        fig.savefig(out, dpi=120)
    print(out)


if __name__ == "__main__":
    main()
