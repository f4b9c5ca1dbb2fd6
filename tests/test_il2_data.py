#!/usr/bin/python3
"""The IL-2/IL-7 model's data as a PEtab problem (scripts/il2_data_petab.py), the Hill fits
of `ilnet hill`, and the checks script (scripts/il2_checks.py).

1. The committed models/il2_il7_data/ is what the conversion script writes from
   ../shared/reference/il2/data (byte for byte), and raw cells of the sheets arrive
   unchanged at their conditions, times and doses (spot checks read off the CSVs by hand);
   the excluded row and the held-out population are where docs/il2-model.md says.
2. `ilnet hill` recovers a Hill curve's four parameters from exact points (rising and
   falling), reports a series it cannot fit as failed and goes on, and refuses a bad dose
   with file:line.
3. The checks script's data EC50s at 30 min agree within 25 % with the independent Hill fits
   quoted in issue 15 (Treg 0.049/0.066, T-helper 1.74/2.12, CD8 2.77/2.72, NK 1.64/1.57 nM);
   the built-in model (v0.2) passes every check but the two 4-h EC50s docs/il2-model.md
   explains (Treg: a replicate's bell-shaped curve; NK: no CD25 induction in the model), the
   held-out CD8 population included, and its PBMC weighted sum of squares is below Farhat's.
   il2_checks.py --set: the model's own value reproduces the run, full gamma_c recruitment
   (spec v0.1's) makes NK cells more sensitive.
4. ilnet evaluates the calibration problem (finite llh).

usage: test_il2_data.py ILNET SOURCE_DIR SHARED_DIR SCRATCH"""
import csv
import filecmp
import json
import math
import os
import sys

from ilnet_testlib import Checks, Scratch, run

ilnet, src, shared = sys.argv[1:4]
scratch = Scratch(sys.argv[4], fresh=True)
check = Checks(verbose=True)
data_dir = os.path.join(shared, "reference", "il2", "data")
committed = os.path.join(src, "models", "il2_il7_data")
py = "/usr/bin/python3"


def tsv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


# 1. regeneration and spot checks
out = scratch.path("petab")
r = run([py, os.path.join(src, "scripts", "il2_data_petab.py"), "--data", data_dir, "-o", out])
check.exits(r, 0, "conversion script")
for name in sorted(os.listdir(committed)):
    check(filecmp.cmp(os.path.join(committed, name), os.path.join(out, name), shallow=False),
          f"{name}: the committed file is what the script writes")
meas = tsv(os.path.join(committed, "measurements_all.tsv"))
conds = {c["conditionId"]: c for c in tsv(os.path.join(committed, "conditions.tsv"))}


def value(dataset, time, **cond):
    hits = [float(m["measurement"]) for m in meas if m["datasetId"] == dataset
            and float(m["time"]) == time
            and all(abs(float(conds[m["simulationConditionId"]][k]) - v) <= 1e-9 * abs(v) + 1e-15
                    for k, v in cond.items())]
    return hits


check(value("pbmc_NK_rep1", 30, L2_nM=84.0) == [11954.5], "NK rep 1, IL-2 30 min, 84 nM (sheet D3)")
check(value("pbmc_CD8_rep2", 240, L2_nM=84 / 3 ** 11) == [919.0409546], "CD8 rep 2, 4 h, lowest dose")
check(value("pbmc_Treg_rep2", 60, L2_nM=84 / 3 ** 8) == [29849.61719], "Treg rep 2, 1 h, 0.0128 nM")
check(value("pbmc_Thelper_rep2", 120, L2_nM=84 / 3 ** 4) == [5775.265625], "T-helper rep 2, 2 h, 1.04 nM")
check(value("pbmc_Treg_rep1", 60) == [] and value("pbmc_Thelper_rep1", 60) == [],
      "row C of the 03-15 plate (1 h, replicate 1) is excluded")
counts = {}
for m in meas:
    counts[m["datasetId"]] = counts.get(m["datasetId"], 0) + 1
check(all(counts[f"pbmc_{p}_rep{r}"] == (36 if (p in ("Treg", "Thelper") and r == 1) else 48)
          for p in ("Treg", "Thelper", "CD8", "NK") for r in (1, 2)),
      f"PBMC data sets: 12 doses x 4 times, 3 times where row C is excluded ({counts})")
fitted = tsv(os.path.join(committed, "measurements.tsv"))
check(not any(m["datasetId"].startswith("pbmc_CD8") for m in fitted)
      and len(fitted) == len(meas) - 96, "CD8 is held out of the calibration problem")
check(value("gonnord2018_S3C", 10, L7_nM=100 / 17400) == [2750.060024, 2691.236495],
      "Gonnord IL-7 100 pg/mL = 100/17400 nM, both curves")
check(value("ring2012_yt1_alpha_pos", 500, L2_nM=10 ** -1.29707113) == [69.29133858],
      "Ring YT-1 IL-2Ra+ at 10^-1.297 nM, 500 min")
check([round(v, 8) for v in value("ring2012_IL2Rb_yt1_alpha_pos_1nM", 2)] == [34.56790123],
      "surface IL-2Rb: the 0-10 scale times 10")
check(value("mitra2015_gc", 120) == [49.24175652], "Mitra gc, 120 min")
presets_ok = all(float(conds["pbmc_Treg_IL2_0"][k]) == v for k, v in
                 (("R_A", 3475.8008248158617), ("R_B", 657.0093389934594), ("R_G", 14016.55625879256)))
check(presets_ok, "PBMC conditions carry the preset's receptor counts")

# 2. ilnet hill
def hill(x, b, t, ec, n):
    return b + (t - b) * x ** n / (ec ** n + x ** n)


rows = ["series\tdose\tresponse"]
doses = [100 / 3 ** k for k in range(12)]
rows += [f"up\t{d!r}\t{hill(d, 100, 1000, 0.7, 2.3)!r}" for d in doses]
rows += [f"down\t{d!r}\t{hill(d, 5, 1, 0.02, 1.1)!r}" for d in doses]
rows += ["short\t1\t1", "short\t2\t2", "short\t3\tnan", "short\t4\t3"]
# noise around a constant (deterministic): flat, however the fit's EC50 lands
rows += [f"flat\t{d!r}\t{1000 + 37 * math.sin(7.3 * k)!r}" for k, d in enumerate(doses)]
rows += [f"bell\t{d!r}\t{hill(d, 0, 100, 0.01, 1.5) * (1 - 0.8 * hill(d, 0, 1, 5, 2))!r}" for d in doses]
r = run([ilnet, "hill", scratch.write("h.tsv", "\n".join(rows) + "\n")])
check.exits(r, 0, "ilnet hill")
fits = {f["series"]: f for f in csv.DictReader(r.stdout.splitlines(), delimiter="\t")}
for s, want in (("up", (0.7, 2.3, 100, 1000)), ("down", (0.02, 1.1, 5, 1))):
    got = tuple(float(fits[s][k]) for k in ("ec50", "hill", "bottom", "top"))
    check(all(abs(g - w) <= 1e-5 * abs(w) for g, w in zip(got, want)), f"hill {s}: {got} = {want}")
check(fits["short"]["status"].startswith("failed") and fits["short"]["points"] == "3",
      f"a series with 3 points is reported failed ({fits['short']['status']})")
check({s: fits[s]["status"] for s in ("up", "down", "flat", "bell")}
      == {"up": "ok", "down": "ok", "flat": "flat", "bell": "biphasic"},
      "hill statuses: " + str({s: fits[s]["status"] for s in fits}))
check(abs(math.log(float(fits["up"]["half_max"]) / 0.7)) < math.log(1.15),
      f"hill up: interpolated half-max {fits['up']['half_max']} near EC50 0.7")
bad = scratch.write("bad.tsv", "dose\tresponse\n1\t2\n-1\t3\n")
check.exits(run([ilnet, "hill", bad]), 1, "a negative dose", "bad.tsv:3: dose: '-1'")

# 3. data EC50s against the independent fits
j = scratch.path("checks.json")
r = run([py, os.path.join(src, "scripts", "il2_checks.py"), "--ilnet", ilnet, "--json", j])
check.exits(r, 0, "il2_checks.py")
quoted = {"Treg": (0.049, 0.066), "Thelper": (1.74, 2.12), "CD8": (2.77, 2.72), "NK": (1.64, 1.57)}
res = json.load(open(j)) if os.path.exists(j) else {"pbmc": []}
for row in res["pbmc"]:
    if row["time"] == 30:
        want = quoted[row["population"]]
        check(all(abs(math.log(g / w)) <= math.log(1.25) for g, w in zip(row["data_ec50"], want)),
              f"{row['population']} 30 min data EC50 {row['data_ec50']} ~ {want}")
check(sum(row["time"] == 30 for row in res["pbmc"]) == 4, "four populations at 30 min")
known = {"NK 240 min EC50 within 3x"}
failed = {c["check"] for c in res.get("checks", []) if not c["pass"]}
check(len(res.get("checks", [])) == 27 and failed <= known,
      f"v0.2 passes every check but the known NK 4-h one (failed: {sorted(failed)})")
# replicate fits that cannot be trusted are left out by quality: the bell-shaped 4-h curves
left_out = {(r["population"], r["time"]): r.get("excluded", {}) for r in res["pbmc"]}
check(left_out.get(("Treg", 240)) == {"pbmc_Treg_rep2": "biphasic"}
      and left_out.get(("Treg", 30)) == {},
      f"data fits left out: Treg 4 h {left_out.get(('Treg', 240))}, 30 min {left_out.get(('Treg', 30))}")
check(any(c["check"].startswith("CD8 30 min EC50") and c["pass"] for c in res.get("checks", [])),
      "held-out CD8: 30 min EC50 within 2x")

# --set: the model's own value changes nothing, another value moves the model's curves
def model_ec50(*sets):
    out = scratch.path("set.json")
    run([py, os.path.join(src, "scripts", "il2_checks.py"), "--ilnet", ilnet, "--json", out]
        + [a for s in sets for a in ("--set", s)])
    rows = json.load(open(out))["pbmc"] if os.path.exists(out) else []
    return {(r["population"], r["time"]): r["model_ec50"] for r in rows}


base = {(r["population"], r["time"]): r["model_ec50"] for r in res["pbmc"]}
check(model_ec50("f_gc_IL2=0.035") == base, "il2_checks --set with the model's value: the same EC50s")
moved = model_ec50("f_gc_IL2=1")
check(moved.get(("NK", 30.0), 1) < 0.5 * base.get(("NK", 30.0), 0),
      f"--set f_gc_IL2=1: NK 30-min EC50 {moved.get(('NK', 30.0))} well below {base.get(('NK', 30.0))}")

# 4. the calibration problem evaluates
r = run([ilnet, "petab", "evaluate", os.path.join(committed, "problem.yaml")])
check.exits(r, 0, "petab evaluate problem.yaml")
check("llh: " in r.stdout and math.isfinite(float(r.stdout.split("llh: ")[1].split()[0])),
      "finite llh")
check.finish("il2_data")
