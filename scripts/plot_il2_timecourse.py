#!/usr/bin/python3
"""Four-panel time course of the IL-2/IL-7 model from ilnet HDF5 files (one per cell):
pSTAT5 fraction, active complexes (surface and endosome), surface chains, CIS/SOCS.

usage: /usr/bin/python3 scripts/plot_il2_timecourse.py LABEL=FILE.h5[:GROUP] [...]
           [-o OUT.png] [--title T]

FILE.h5 is an `ilnet simulate` time course, or with :GROUP a time-course experiment of a
study file (`ilnet run STUDY.yaml`; its first point). The pSTAT5 fraction is pSTAT5_total
over the STAT5_all observable (all STAT5 molecules, a conserved total).
"""
import argparse

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def names(ds):
    return [n.decode() if isinstance(n, bytes) else str(n) for n in ds[()]]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("runs", nargs="+")
    ap.add_argument("-o", "--output", default="il2_timecourse.png")
    ap.add_argument("--title")
    a = ap.parse_args()
    fig, axes = plt.subplots(2, 2, figsize=(10, 7), sharex=True)
    panels = [("pSTAT5 fraction", [("pSTAT5_total", "")]),
              ("active complexes (#/cell)", [("active_surf", " surface"), ("active_endo", " endosome")]),
              ("surface chains (#/cell)", [("IL2Ra_surf", " IL-2Ra"), ("IL2Rb_surf", " IL-2Rb"), ("gc_surf", " gc")]),
              ("feedback proteins (#/cell)", [("CIS_total", " CIS"), ("SOCS1_total", " SOCS1"), ("SOCS3_total", " SOCS3")])]
    styles = ["-", "--", ":", "-."]
    for k, run in enumerate(a.runs):
        label, _, path = run.partition("=")
        path, _, group = path.partition(":")
        with h5py.File(path, "r") as f:
            if group:
                g = f[group]
                t, on, ob = g["time"][()], names(g["observable"]), g["observables"][0]
            else:
                t, on, ob = f["time"][()], names(f["observable"] if "observable" in f else f["observable_names"]), f["observables"][()]
            stat5 = ob[:, on.index("STAT5_all")]
        for ax, (title, series) in zip(axes.flat, panels):
            for j, (obs, suffix) in enumerate(series):
                y = ob[:, on.index(obs)]
                if obs == "pSTAT5_total":
                    y = y / stat5
                ax.plot(t, y, styles[k % 4], color=f"C{j}", label=label + suffix)
            ax.set_title(title)
            ax.legend(fontsize=7)
    for ax in axes[1]:
        ax.set_xlabel("time (min)")
    if a.title:
        fig.suptitle(a.title)
    fig.tight_layout()
    fig.savefig(a.output, dpi=120)


if __name__ == "__main__":
    main()
