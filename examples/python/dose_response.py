#!/usr/bin/python3
"""IL-2 dose response of T-regs and T-helpers: pSTAT5 at 30 min over 12 doses, a Hill fit
per cell type, and the plot.  usage: dose_response.py [OUT.png]"""
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from scipy.optimize import curve_fit  # noqa: E402

import ilnet  # noqa: E402

doses = np.logspace(-4, 2, 12)  # nM
fig, ax = plt.subplots(figsize=(5, 3.5))
for cell in ["human_treg", "human_thelper"]:
    m = ilnet.load("il2_il7", preset=cell)
    p = []
    for d in doses:
        m.parameters["L2_nM"] = d
        r = m.simulate(times=[0, 30])
        p.append(float(r.observables.sel(observable="pSTAT5_total", time=30)))
    p = np.array(p)

    def hill(x, bottom, top, ec50, n):
        return bottom + (top - bottom) / (1 + (ec50 / x) ** n)

    (b, t, ec50, n), _ = curve_fit(hill, doses, p, p0=[p[0], p[-1], 0.1, 1],
                                   bounds=([0, 0, 1e-6, 0.1], [np.inf, np.inf, 1e3, 10]))
    print(f"{cell}: EC50 {ec50:.3g} nM, Hill n {n:.2f}")
    ax.semilogx(doses, p, "o", label=f"{cell} (EC50 {ec50:.2g} nM)")
    x = np.logspace(-4, 2, 200)
    ax.semilogx(x, hill(x, b, t, ec50, n), color=ax.lines[-1].get_color())
ax.set_xlabel("IL-2 (nM)")
ax.set_ylabel("pSTAT5 at 30 min (molecules/cell)")
ax.legend(fontsize=8)
fig.tight_layout()
fig.savefig(sys.argv[1] if len(sys.argv) > 1 else "dose_response.png", dpi=120)
