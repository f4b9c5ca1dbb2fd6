#!/usr/bin/python3
"""The IL-2 model's 30-min dose responses against the PBMC measurements.

    /usr/bin/python3 scripts/plot_il2_data.py MAIN.h5 CHECKS.json -o FIGURE.png [--tsv EC50.tsv]
        [--experiment il2_dose_30min] [--data models/il2_il7_data]

MAIN.h5 is the main job's study (a dose_response experiment whose series are named Treg,
T-helper, CD8, NK), CHECKS.json what scripts/il2_checks.py --json wrote (the data's and the
model's Hill fits at the data's doses). One panel per population: the model's curve and each
replicate's measured points, both normalised the same way, (y - bottom) / (top - bottom)
with bottom and top from the curve's own four-parameter Hill fit (MFI is relative, each
replicate is its own plate). The titles and --tsv give the EC50s of model and data at 30 min
from CHECKS.json (data and model fitted at the same doses by the same procedure)."""
import argparse
import csv
import json
import os

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SERIES = {"Treg": "Treg", "T-helper": "Thelper", "CD8": "CD8", "NK": "NK"}


def read_tsv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def data_points(data_dir, population):
    """{replicate: (doses, MFI)} of the 30-min PBMC measurements of a population."""
    conds = {c["conditionId"]: c for c in read_tsv(os.path.join(data_dir, "conditions.tsv"))}
    out = {}
    for m in read_tsv(os.path.join(data_dir, "measurements_all.tsv")):
        ds = m["datasetId"]
        if not ds.startswith(f"pbmc_{population}_rep") or float(m["time"]) != 30:
            continue
        d, y = out.setdefault(ds, ([], []))
        d.append(float(conds[m["simulationConditionId"]]["L2_nM"]))
        y.append(float(m["measurement"]))
    return out


def model_curve(h5, experiment, name):
    with h5py.File(h5, "r") as f:
        g = f[experiment]
        series = [s.decode() if isinstance(s, bytes) else s for s in g["series"][()]]
        fields = [s.decode() if isinstance(s, bytes) else s for s in g["fit_field"][()]]
        k = series.index(name)
        fit = g["fit"][k, 0]
        return g["dose"][()], g["response"][k, :, 0], fit[fields.index("bottom")], fit[fields.index("top")]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("h5")
    ap.add_argument("checks")
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--tsv")
    ap.add_argument("--experiment", default="il2_dose_30min")
    ap.add_argument("--data", default=os.path.join(ROOT, "models", "il2_il7_data"))
    a = ap.parse_args()
    checks = json.load(open(a.checks))
    rows = {r["population"]: r for r in checks["pbmc"] if r["time"] == 30}
    fig, axes = plt.subplots(1, 4, figsize=(16, 4), sharey=True)
    table = []
    for ax, (name, pop) in zip(axes, SERIES.items()):
        dose, resp, bottom, top = model_curve(a.h5, a.experiment, name)
        ax.plot(dose, (resp - bottom) / (top - bottom), "-", color="C0", label="model")
        r = rows.get(pop)
        for i, (ds, (d, y)) in enumerate(sorted(data_points(a.data, pop).items())):
            fit = r["data_fits"].get(ds) if r else None
            lo, hi = (fit["bottom"], fit["top"]) if fit else (min(y), max(y))
            ax.plot(d, (np.array(y) - lo) / (hi - lo), "o", color=f"C{i + 1}", ms=4,
                    label=f"data, replicate {ds[-1]}")
        title = name + (" (held out of calibration)" if pop == "CD8" else "")
        if r:
            title += (f"\nEC50 model {r['model_ec50']:.3g} nM, data {r['data_ec50_gmean']:.3g} nM"
                      f"\nHill n model {r['model_hill']:.2f}, data {r['data_hill_mean']:.2f}")
            table.append((name, r))
        ax.set_title(title, fontsize=9)
        ax.set_xscale("log")
        ax.set_xlabel("IL-2 (nM)")
        ax.axhline(0, color="0.8", lw=0.5)
        ax.axhline(1, color="0.8", lw=0.5)
    axes[0].set_ylabel("pSTAT5, normalised (Hill fit bottom 0, top 1)")
    axes[0].legend(fontsize=8, loc="upper left")
    fig.suptitle("IL-2, 30 min: model against the PBMC measurements (Farhat 2021)", fontsize=11)
    fig.tight_layout()
    fig.savefig(a.output, dpi=110)
    print("population\tdata EC50 nM (replicates)\tdata EC50 gmean\tmodel EC50\tmodel/data\t"
          "data Hill n\tmodel Hill n")
    lines = []
    for name, r in table:
        lines.append(f"{name}\t{'/'.join(f'{x:.3g}' for x in r['data_ec50'])}\t{r['data_ec50_gmean']:.3g}\t"
                     f"{r['model_ec50']:.3g}\t{r['model_ec50'] / r['data_ec50_gmean']:.2f}\t"
                     f"{r['data_hill_mean']:.2f}\t{r['model_hill']:.2f}")
    print("\n".join(lines))
    if a.tsv:
        with open(a.tsv, "w") as f:
            f.write("population\tdata_ec50_nM\tdata_ec50_gmean_nM\tmodel_ec50_nM\tmodel_over_data\t"
                    "data_hill\tmodel_hill\n" + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
