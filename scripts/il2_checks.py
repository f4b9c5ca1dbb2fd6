#!/usr/bin/python3
"""The IL-2/IL-7 model against the measurements shipped beside it (issue 15's checks).

    /usr/bin/python3 scripts/il2_checks.py [--parameters P.tsv] [--set NAME=VALUE]...
        [--problem models/il2_il7_data/validation.yaml] [--json OUT.json] [--strict]

Simulates every condition of the PEtab problem (`ilnet petab evaluate --simulations`), then
fits the same four-parameter Hill curve (`ilnet hill`, the fit of a study's dose
responses) to the measured and to the simulated values of each data set and time. EC50 and
Hill n do not depend on the observation model's scale and offset, so the model's curve is
the observable itself. Prints, per population and time, data EC50 (replicates and their
geometric mean), model EC50, Hill n, and the acceptance checks:

A replicate's EC50 counts only when its fit has quality ok (`ilnet hill`'s status); a fit
that is flat, biphasic, extrapolated beyond the doses or poor (r2 < 0.9 or SE(EC50) >
EC50) is listed with its quality and left out of the geometric mean, and a check whose
data have no trustworthy fit, or whose model fit is not ok, fails.

  30 min: EC50 within 2x of the data for Treg, T-helper, CD8, NK; Treg below the three
          CD25-low types; T-helper/Treg between 20x and 60x; Hill n within +-0.5
  1 h, 2 h, 4 h: EC50 within 3x
  YT-1: IL-2Ra- / IL-2Ra+ EC50 shift >= 10x, each within 3x of the data
  IL-7, Gonnord CD4: EC50 within 3x
  PBMC weighted sum of squares below Farhat et al.'s fitted model (farhat_validation.yaml
  beside the problem: peer mode, their proxy): each model gets its own best scale and
  offset per data set (population x replicate, closed-form least squares over all times
  and doses), residuals are divided by the data set's range (max - min), WSS = sum r^2

--strict exits 1 when a check fails. --set changes model parameters for this run (a
temporary parameter file; estimated observation parameters keep their nominal values).
"""
import argparse
import csv
import json
import math
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PBMC = ["Treg", "Thelper", "CD8", "NK"]
TIMES = [30.0, 60.0, 120.0, 240.0]


def read_tsv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def problem_tables(problem):
    import yaml
    d = os.path.dirname(os.path.abspath(problem))
    y = yaml.safe_load(open(problem))["problems"][0]
    return (read_tsv(os.path.join(d, y["measurement_files"][0])),
            {r["conditionId"]: r for r in read_tsv(os.path.join(d, y["condition_files"][0]))})


def simulate(ilnet, problem, parameters, tmp):
    sim = os.path.join(tmp, "sim.tsv")
    cmd = [ilnet, "petab", "evaluate", problem, "--simulations", sim, "--threads", "2"]
    if parameters:
        cmd += ["--parameters", parameters]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return read_tsv(sim)


def hill_fits(ilnet, meas, sims, conds, tmp):
    """{(source, dataset, time): fit row} for every dose-response data set."""
    path = os.path.join(tmp, "hill.tsv")
    with open(path, "w") as f:
        f.write("source\tdataset\ttime\tdose\tresponse\n")
        for m, s in zip(meas, sims):
            if (m["observableId"], m["simulationConditionId"]) != (s["observableId"],
                                                                   s["simulationConditionId"]):
                sys.exit("simulations do not line up with the measurement table")
            if not m["observableId"].startswith("pSTAT5"):
                continue
            c = conds[m["simulationConditionId"]]
            dose = float(c["L2_nM"]) if float(c["L2_nM"]) > 0 else float(c["L7_nM"])
            key = m["datasetId"] + ("_" + m["replicateId"] if m["datasetId"].startswith("gonnord") else "")
            f.write(f"data\t{key}\t{m['time']}\t{dose!r}\t{m['measurement']}\n")
            f.write(f"model\t{key}\t{m['time']}\t{dose!r}\t{s['simulation']}\n")
    out = subprocess.run([ilnet, "hill", path, "--by", "source,dataset,time"], check=True,
                         capture_output=True, text=True).stdout
    rows = list(csv.DictReader(out.splitlines(), delimiter="\t"))
    return {(r["source"], r["dataset"], float(r["time"])): r for r in rows}


def pbmc_wss(meas, sims):
    """Sum over PBMC data sets of squared affine-fit residuals relative to the data's range."""
    sets = {}
    for m, s in zip(meas, sims):
        if m["datasetId"].startswith("pbmc_"):
            sets.setdefault(m["datasetId"], []).append((float(s["simulation"]), float(m["measurement"])))
    total = 0.0
    for pts in sets.values():
        n = len(pts)
        mx, my = sum(p[0] for p in pts) / n, sum(p[1] for p in pts) / n
        sxx = sum((p[0] - mx) ** 2 for p in pts)
        a = sum((p[0] - mx) * (p[1] - my) for p in pts) / sxx if sxx > 0 else 0.0
        b = my - a * mx
        span = max(p[1] for p in pts) - min(p[1] for p in pts)
        total += sum(((p[1] - a * p[0] - b) / span) ** 2 for p in pts)
    return total


def gmean(xs):
    return math.exp(sum(math.log(x) for x in xs) / len(xs))


class Checks:
    def __init__(self):
        self.items = []

    def add(self, name, ok, detail):
        self.items.append({"check": name, "pass": bool(ok), "detail": detail})


def pbmc_table(fits, checks):
    ec, rows = {}, []
    for t in TIMES:
        for pop in PBMC:
            d_all = [fits.get(("data", f"pbmc_{pop}_rep{r}", t)) for r in (1, 2)]
            d = [x for x in d_all if x and x["status"] == "ok"]
            excluded = {x["dataset"]: x["status"] for x in d_all if x and x["status"] != "ok"}
            m = fits.get(("model", f"pbmc_{pop}_rep1", t)) or fits.get(("model", f"pbmc_{pop}_rep2", t))
            lim = 2.0 if t == 30 else 3.0
            name = f"{pop} {t:g} min EC50 within {lim:g}x"
            if not m or not d or m["status"] != "ok":
                if m or d_all != [None, None]:
                    why = (f"model fit {m['status']}" if m and m["status"] != "ok" else
                           "no trustworthy data fit (" + ", ".join(f"{k} {v}" for k, v in excluded.items()) + ")")
                    checks.add(name, False, why)
                continue
            de, dn = gmean([float(x["ec50"]) for x in d]), sum(float(x["hill"]) for x in d) / len(d)
            me, mn = float(m["ec50"]), float(m["hill"])
            ec[(pop, t)] = (de, me)
            rows.append(dict(population=pop, time=t, data_ec50=[float(x["ec50"]) for x in d],
                             data_ec50_gmean=de, model_ec50=me, data_hill=[float(x["hill"]) for x in d],
                             data_hill_mean=dn, model_hill=mn,
                             data_fits={x["dataset"]: {k: float(x[k]) for k in ("ec50", "hill", "bottom", "top")}
                                        for x in d}, excluded=excluded))
            checks.add(name, max(me / de, de / me) <= lim,
                       f"model {me:.3g} nM, data {de:.3g} nM"
                       + "".join(f" ({k} left out: {v})" for k, v in excluded.items()))
            if t == 30:
                checks.add(f"{pop} 30 min Hill n within 0.5", abs(mn - dn) <= 0.5,
                           f"model {mn:.2f}, data {dn:.2f}")
    if ("Treg", 30.0) in ec and ("Thelper", 30.0) in ec:
        r = ec[("Thelper", 30.0)][1] / ec[("Treg", 30.0)][1]
        checks.add("30 min T-helper/Treg EC50 ratio in [20, 60]", 20 <= r <= 60,
                   f"model {r:.1f}, data {ec[('Thelper', 30.0)][0] / ec[('Treg', 30.0)][0]:.1f}")
        low = [ec[(p, 30.0)][1] for p in ("Thelper", "CD8", "NK") if (p, 30.0) in ec]
        checks.add("30 min Treg EC50 below every CD25-low type", ec[("Treg", 30.0)][1] < min(low),
                   f"Treg {ec[('Treg', 30.0)][1]:.3g} nM, lowest other {min(low):.3g} nM")
    return rows


def other_table(fits, checks):
    rows = {}
    for key in sorted({k[1] for k in fits if k[0] == "data" and not k[1].startswith("pbmc")}):
        t = [k[2] for k in fits if k[1] == key][0]
        d, m = fits[("data", key, t)], fits[("model", key, t)]
        rows[key] = dict(dataset=key, time=t, data_ec50=float(d["ec50"]), model_ec50=float(m["ec50"]),
                         data_hill=float(d["hill"]), model_hill=float(m["hill"]),
                         data_quality=d["status"], model_quality=m["status"])
    pos, neg = rows.get("ring2012_yt1_alpha_pos"), rows.get("ring2012_yt1_alpha_neg")
    if pos and neg:
        s = neg["model_ec50"] / pos["model_ec50"]
        checks.add("YT-1 IL-2Ra shift >= 10x", s >= 10,
                   f"model {s:.1f}x, data {neg['data_ec50'] / pos['data_ec50']:.1f}x")
        for r in (pos, neg):
            q = r["model_ec50"] / r["data_ec50"]
            ok = r["data_quality"] == "ok" and r["model_quality"] == "ok"
            checks.add(f"{r['dataset']} EC50 within 3x", ok and 1 / 3 <= q <= 3,
                       f"model {r['model_ec50']:.3g} nM ({r['model_quality']}), "
                       f"data {r['data_ec50']:.3g} nM ({r['data_quality']})")
    g = [r for k, r in rows.items() if k.startswith("gonnord") and r["data_quality"] == "ok"]
    if g:
        de, me = gmean([r["data_ec50"] for r in g]), g[0]["model_ec50"]
        checks.add("IL-7 Gonnord CD4 EC50 within 3x", max(me / de, de / me) <= 3,
                   f"model {me * 1e3:.3g} pM, data {de * 1e3:.3g} pM")
    return list(rows.values())


def problem_with(sets, problem, tmp):
    """A copy of the problem whose parameter table also fixes the model parameters of
    --set NAME=VALUE (a parameter-table row overrides the model's value)."""
    if not sets:
        return problem
    import yaml
    d = os.path.dirname(os.path.abspath(problem))
    y = yaml.safe_load(open(problem))
    pr = y["problems"][0]
    for k in ("sbml_files", "model_files", "condition_files", "measurement_files", "observable_files"):
        if k in pr:
            pr[k] = [os.path.join(d, f) for f in pr[k]]
    with open(os.path.join(d, y["parameter_file"])) as f:
        rows = f.read().splitlines()
    header = rows[0].split("\t")
    for s in sets:
        k, v = s.split("=", 1)
        rows = [r for r in rows if r.split("\t")[0] != k]
        cells = dict(parameterId=k, parameterScale="lin", lowerBound=v, upperBound=v, nominalValue=v,
                     estimate="0")
        rows.append("\t".join(cells.get(h, "") for h in header))
    y["parameter_file"] = os.path.join(tmp, "parameters_set.tsv")
    with open(y["parameter_file"], "w") as f:
        f.write("\n".join(rows) + "\n")
    path = os.path.join(tmp, "problem_set.yaml")
    with open(path, "w") as f:
        yaml.safe_dump(y, f)
    return path


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--problem", default=os.path.join(ROOT, "models", "il2_il7_data", "validation.yaml"))
    ap.add_argument("--parameters")
    ap.add_argument("--set", action="append", default=[])
    ap.add_argument("--ilnet", default=os.path.join(ROOT, "build", "ilnet"))
    ap.add_argument("--json")
    ap.add_argument("--strict", action="store_true")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        meas, conds = problem_tables(a.problem)
        sims = simulate(a.ilnet, problem_with(a.set, a.problem, tmp), a.parameters, tmp)
        fits = hill_fits(a.ilnet, meas, sims, conds, tmp)
        farhat = os.path.join(os.path.dirname(os.path.abspath(a.problem)), "farhat_validation.yaml")
        wss = pbmc_wss(meas, sims)
        wss_farhat = None
        if os.path.exists(farhat) and os.path.abspath(farhat) != os.path.abspath(a.problem):
            fmeas, _ = problem_tables(farhat)
            wss_farhat = pbmc_wss(fmeas, simulate(a.ilnet, farhat, None, tmp))
    checks = Checks()
    pbmc, other = pbmc_table(fits, checks), other_table(fits, checks)
    print("population  time  data EC50 nM (reps; gmean)   model EC50   data n (reps)   model n")
    for r in pbmc:
        reps = "/".join(f"{x:.3g}" for x in r["data_ec50"])
        ns = "/".join(f"{x:.2f}" for x in r["data_hill"])
        print(f"{r['population']:<10} {r['time']:>5g}  {reps:>15}; {r['data_ec50_gmean']:<8.3g}"
              f"  {r['model_ec50']:<10.3g}  {ns:>11}   {r['model_hill']:.2f}"
              + "".join(f"   {k} left out: {v}" for k, v in r["excluded"].items()))
    for r in other:
        print(f"{r['dataset']:<24} {r['time']:>5g} min  data {r['data_ec50']:.3g} nM (n {r['data_hill']:.2f})"
              f"  model {r['model_ec50']:.3g} nM (n {r['model_hill']:.2f})")
    for c in checks.items:
        print(f"{'PASS' if c['pass'] else 'FAIL'}  {c['check']}: {c['detail']}")
    if wss_farhat is not None:
        checks.add("PBMC weighted SS below Farhat 2021's fitted model", wss < wss_farhat,
                   f"{wss:.3f} vs {wss_farhat:.3f}")
        c = checks.items[-1]
        print(f"{'PASS' if c['pass'] else 'FAIL'}  {c['check']}: {c['detail']}")
    n_fail = sum(not c["pass"] for c in checks.items)
    print(f"{len(checks.items) - n_fail} of {len(checks.items)} checks pass")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"pbmc": pbmc, "other": other, "pbmc_wss": wss, "pbmc_wss_farhat": wss_farhat,
                       "checks": checks.items}, f, indent=1)
    sys.exit(1 if a.strict and n_fail else 0)


if __name__ == "__main__":
    main()
