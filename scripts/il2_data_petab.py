#!/usr/bin/python3
"""The measurements beside the IL-2/IL-7 model as a PEtab problem.

    /usr/bin/python3 scripts/il2_data_petab.py [--data DIR] [-o models/il2_il7_data]

reads ../shared/reference/il2/data/ (Farhat et al. 2021, github meyer-lab/gc-cytokines
ckine/data/, see SOURCE.txt there) and writes PEtab v1 tables for models/il2_il7.bngl:

  conditions.tsv        one condition per cell type, cytokine and dose
  measurements_all.tsv  every datum converted, held-out ones included (datasetId says which)
  measurements.tsv      the calibration subset (held-out data removed)
  observables.tsv       observation models
  parameters.tsv        observation parameters (scales, offsets, noise), estimated, marked
                        parameterType scaling/offset/sigma: ilnet fit computes them in
                        closed form (docs/petab.md, hierarchical observation parameters);
                        then the model parameters the calibration estimates (MODEL_PARAMETERS,
                        nominal = the model's v0.2 value, log10 bounds) and the lineage
                        capacities it estimates (condition cells name them per lineage)
  problem.yaml          the calibration problem; validation.yaml uses measurements_all.tsv
  farhat_*.tsv, farhat_validation.yaml  the same data for Farhat et al.'s fitted model
                        (the peer_il2 preset in every condition; pSTAT5 read as their proxy,
                        the assembled IL-2 signalling complexes, surface + endosome)

Every transformation, in the order applied (the test il2_data_petab checks that the
committed files are what this script writes, and spot-checks raw cells):

PBMC pSTAT5 (pSTAT_data.csv, human PBMC, IL-2, flow cytometry MFI):
  * Blocks are found by their cell-type title row; within a block the dose row
    ('nM treatment:') and the rows 'IL-2, 4 hours' .. 'IL-2, 30 min' are read. Replicate 1
    is columns 3-14 of the sheet, replicate 2 columns 20-31 (same doses, same row order).
  * Doses: the sheet prints 84 nM and threefold dilutions rounded to 10 digits; the exact
    84 / 3^k nM (k = 0..11) are used.
  * Times: '30 min', '1 hour', '2 hours', '4 hours' -> 30, 60, 120, 240 min.
  * Populations: the four gates with receptor counts in the model's presets: T-reg ->
    Treg, T-helper -> Thelper, CD8+ -> CD8, NK -> NK. The naive/memory sub-gates are
    subsets of these cells (not independent data) and are not converted; IL-15 rows are
    not converted (the model has no IL-15).
  * Gating: each value is the median pSTAT5 of the gated population in one well (Farhat
    2021 Methods).
  * Plates (the sheet's notes): replicate 1 T-reg and T-helper from the 03-15 experiment,
    NK and CD8 from 03-19; replicate 2 both plates from 03-27. MFI is relative and differs
    by cell type and plate, so each (population, replicate) has its own scale and offset:
    MFI = scale * pSTAT5_total + offset (offset = background, the sheet's zero-treatment
    reference well is not given), and its own noise sigma (normal noise, linear scale).
  * No background subtraction, no normalisation, replicates kept as separate rows.
  * Excluded: row C (IL-2, 1 h) of replicate 1's 03-15 plate, in T-reg and T-helper. It is
    inconsistent in every gate of that plate: wells C2 and C3 (28 and 9.3 nM) dip (naive
    Treg 34,729 and 28,370 between 53,929 and 47,652; memory T-helper 19,227 and 15,050
    between 37,315 and 27,375), C5 (1.04 nM) exceeds the saturating doses in every T-helper
    gate (T-helper 18,243 against 12,268 at 84 nM; replicate 2 7,283), and the T-reg gate
    holds 70000 and 65000, values edited by hand in gc-cytokines (commits 4cdb9d2, f759a32:
    "Tweak outliers", from 47152.74 and 37743.28). Replicate 2's 1 h row (03-27) is kept.
  * Held out for validation (decided before any fit, see docs/il2-model.md): the CD8
    population, both replicates and every time. Its rows are in measurements_all.tsv with
    datasetId pbmc_CD8_rep*, not in measurements.tsv.

YT-1 pSTAT5 (IL2_IL15_extracted_data.csv, Ring et al. 2012 Fig. 5, digitised by Farhat):
  * Column 1 is log10 of the IL-2 dose in nM (the digitised x positions) -> dose = 10^x
    nM (Farhat's code uses logspace(-3.3, 2.7, 8) instead, up to 0.29 log units away); the
    IL-2 columns for IL-2Ra+ and IL-2Ra- YT-1 cells are % of each curve's maximal pSTAT5
    (negative digitisation noise kept). Observation: % = scale * pSTAT5_total, one scale
    per cell line, one sigma.
  * Time: 500 min (YT1_TIME_MIN), the spec's check C2 and Farhat's fit (ckine/fit.py: "was
    500. in literature"); the files do not state Ring's stimulation time.

YT-1 surface IL-2Rb (Ring 2012, IL2Ra+/-_surface_IL2RB_datasets.csv) and surface gc
(mitra_surface_gc_depletion.csv, Mitra et al. 2015):
  * IL-2Rb values are on a 0-10 scale (10 = untreated): x 10 -> % of the t = 0 level;
    IL-2 at 1 and 500 nM, times in min. gc values are already % of t = 0, 1 uM IL-2 on
    IL-2Ra- YT-1 cells (MITRA_CELLS). Observation: 100 * surface chain / its ligand-free
    level (R_B, R_G), no scale; one sigma per data set.

IL-7 (Gonnord_S3C.csv, Gonnord et al. 2018 Fig. S3C, human CD4+ T cells):
  * Doses in pg/mL -> nM with IL-7's molecular weight IL7_KDA: 1 pg/mL = 1e-9 g/L, so
    c[nM] = c[pg/mL] / MW[g/mol] = c[pg/mL] / (IL7_KDA * 1000); pSTAT5 median fluorescence,
    two digitised curves kept as replicates; time GONNORD_TIME_MIN; one scale, one offset,
    one sigma.
"""
import argparse
import csv
import math
import os
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(os.path.dirname(ROOT), "shared", "reference", "il2", "data")
YT1_TIME_MIN = 500.0
GONNORD_TIME_MIN = 10.0
IL7_KDA = 17.4
MITRA_CELLS = "yt1_alpha_neg"
TIMES = {"30 min": 30.0, "1 hour": 60.0, "2 hours": 120.0, "4 hours": 240.0}
POPULATIONS = {"T-reg": "Treg", "T-helper": "Thelper", "CD8+": "CD8", "NK": "NK"}
PRESET = {"Treg": "human_treg", "Thelper": "human_thelper", "CD8": "human_cd8", "NK": "human_nk"}
PLATE = {("Treg", 1): "03-15", ("Thelper", 1): "03-15", ("CD8", 1): "03-19", ("NK", 1): "03-19",
         ("Treg", 2): "03-27", ("Thelper", 2): "03-27", ("CD8", 2): "03-27", ("NK", 2): "03-27"}
EXCLUDED_ROWS = {("03-15", "C")}  # (plate, row letter)
HELD_OUT = {"CD8"}
DOSES_PBMC = [84.0 / 3 ** k for k in range(12)]
# The calibration's model parameters: (id, nominal = the model's v0.2 value, lower, upper),
# log10 scale; bounds about a decade either side, within the spec's literature ranges where
# it gives one (docs/il2-model.md, "Model v0.2").
MODEL_PARAMETERS = [
    ("f_gc_IL2", 0.035, 0.003, 0.3),
    ("f_k11", 0.2462, 0.02, 2.0),
    ("f_kcat_STAT5", 12.5, 1.0, 100.0),
    ("f_dock", 6.5, 0.5, 50.0),
    ("q_kon_fold", 15.0, 1.0, 300.0),
    ("kcat_q", 97.4, 5.0, 2000.0),
    ("phos_scale", 0.1, 0.01, 1.0),
    ("f_int_cplx", 0.3258, 0.05, 3.0),
]
# Lineage capacities estimated per lineage (the cell presets' values as nominal): a condition
# of a preset in the lineage gets the parameter's id in that column; other values (the
# structural 0/1 switches) stay numbers.
LINEAGE_OF = {"human_treg": "Treg", "human_thelper": "Tconv", "human_cd8": "Tconv",
              "gonnord_cd4": "Tconv", "human_nk": "NK", "yt1_alpha_pos": "NK", "yt1_alpha_neg": "NK"}
LINEAGE_PARAMETERS = {("lin_kp1", "Treg"): (0.003, 0.5), ("lin_kon", "Tconv"): (0.3, 30.0)}

# the stimulus, then every parameter a cell preset sets (receptor counts, lineage capacities)
CONDITION_COLUMNS = ["L2_nM", "L7_nM"]


def fmt(x):
    return repr(float(x)) if not float(x).is_integer() else str(int(x)) if abs(x) < 1e15 else repr(x)


def read_pbmc(path):
    """[(population, replicate, time, dose index, row letter, column, MFI)], in sheet order."""
    rows = list(csv.reader(open(path, newline="")))
    out = []
    i = 0
    while i < len(rows):
        r = rows[i] + [""] * 32
        name = r[1].strip()
        if name in POPULATIONS and i + 2 < len(rows) and rows[i + 1][1].startswith("nM treatment"):
            pop = POPULATIONS[name]
            for rep, first in ((1, 2), (2, 19)):
                doses = [c.strip() for c in (rows[i + 1] + [""] * 32)[first:first + 12]]
                if not any(doses):
                    continue
                for k, d in enumerate(doses):  # the printed doses are 84/3^k, rounded
                    if abs(float(d) - DOSES_PBMC[k]) > 1e-6 * DOSES_PBMC[k]:
                        sys.exit(f"{path}:{i + 2}: dose {d} is not 84/3^{k}")
                for j in range(i + 3, i + 11):
                    row = rows[j] + [""] * 32
                    label = row[0].strip() if rep == 1 else row[17].strip()
                    if not label.startswith("IL-2,"):
                        continue
                    t = TIMES[label.split(",", 1)[1].strip()]
                    letter = row[1].strip()
                    for k in range(12):
                        cell = row[first + k].strip()
                        if cell:
                            out.append((pop, rep, t, k, letter, k + 1, float(cell)))
            i += 11
        else:
            i += 1
    return out


def read_csv_columns(path):
    rows = [r for r in csv.reader(open(path, newline="")) if any(c.strip() for c in r)]
    return rows[0], rows[1:]


def presets():
    with open(os.path.join(ROOT, "models", "il2_il7.presets.yaml")) as f:
        return yaml.safe_load(f)["presets"]


def model_values():
    """The numeric parameter values written in the model file (name value # ...)."""
    out, inside = {}, False
    for line in open(os.path.join(ROOT, "models", "il2_il7.bngl")):
        w = line.split("#")[0].split()
        if w[:2] == ["begin", "parameters"] or w[:2] == ["end", "parameters"]:
            inside = w[0] == "begin"
        elif inside and len(w) == 2:
            try:
                out[w[0]] = float(w[1])
            except ValueError:
                pass
    return out


class Problem:
    def __init__(self):
        self.conditions = {}  # id -> {column: value}
        self.meas = []        # dicts
        self.params = {}      # id -> (scale, lower, upper, nominal)

    def condition(self, cid, preset, **values):
        row = {c: 0.0 for c in CONDITION_COLUMNS}
        row.update(presets()[preset]["parameters"])
        row.update(values)
        for (col, lineage), (lo, hi) in LINEAGE_PARAMETERS.items():
            if LINEAGE_OF.get(preset) == lineage:
                pid = f"{col}_{lineage}"
                self.param(pid, "log10", lo, hi, row[col], "")
                row[col] = pid
        for k in row:
            if k not in CONDITION_COLUMNS:
                CONDITION_COLUMNS.append(k)
        self.conditions[cid] = row
        return cid

    def param(self, pid, scale, lo, hi, nominal, kind=None):
        self.params.setdefault(pid, (scale, lo, hi, nominal, inner_type(pid) if kind is None else kind))
        return pid

    def datum(self, obs, cond, t, y, obs_pars, noise, dataset, replicate=""):
        self.meas.append(dict(observableId=obs, simulationConditionId=cond, measurement=y,
                              time=t, observableParameters=";".join(obs_pars),
                              noiseParameters=noise, datasetId=dataset, replicateId=replicate))


MODEL = os.path.join(ROOT, "models", "il2_il7.bngl")
SCALE_PER_TIME = False


def add_pbmc(p, data_dir):
    for pop, rep, t, k, letter, col, y in read_pbmc(os.path.join(data_dir, "pSTAT_data.csv")):
        plate = PLATE[(pop, rep)]
        if (plate, letter) in EXCLUDED_ROWS:
            continue
        cond = p.condition(f"pbmc_{pop}_IL2_{k}", PRESET[pop], L2_nM=DOSES_PBMC[k])
        tag = f"{pop}_rep{rep}"
        scale = p.param(f"scale_{tag}" + (f"_{t:g}" if SCALE_PER_TIME else ""), "log10", 1e-4, 1e4, 1.0)
        offset = p.param(f"offset_{tag}", "lin", 0.0, 5e4, 1000.0)
        sigma = p.param(f"sigma_{tag}", "log10", 1.0, 1e5, 1000.0)
        p.datum("pSTAT5_MFI", cond, t, y, [scale, offset], sigma, f"pbmc_{tag}", f"plate_{plate}")


def add_yt1(p, data_dir):
    header, rows = read_csv_columns(os.path.join(data_dir, "IL2_IL15_extracted_data.csv"))
    for cells, col in (("yt1_alpha_pos", "## IL2 in IL2Ra+ in YT-1 cells"),
                       ("yt1_alpha_neg", "## IL2 in IL2Ra- in YT-1 cells")):
        c = header.index(col)
        scale = p.param(f"scale_{cells}", "log10", 1e-4, 1e4, 0.01)
        for k, r in enumerate(rows):
            dose = 10 ** float(r[0])
            cond = p.condition(f"{cells}_IL2_{k}", cells, L2_nM=dose)
            p.datum("pSTAT5_pct", cond, YT1_TIME_MIN, float(r[c]), [scale], "sigma_yt1_pSTAT5",
                    f"ring2012_{cells}")
    p.param("sigma_yt1_pSTAT5", "log10", 0.1, 100.0, 5.0)


def add_receptors(p, data_dir):
    for cells, fname in (("yt1_alpha_pos", "IL2Ra+_surface_IL2RB_datasets.csv"),
                         ("yt1_alpha_neg", "IL2Ra-_surface_IL2RB_datasets.csv")):
        header, rows = read_csv_columns(os.path.join(data_dir, fname))
        for col, dose in (("IL2 - 1nM", 1.0), ("IL2 - 500nM", 500.0)):
            c = header.index(col)
            cond = p.condition(f"{cells}_IL2_{fmt(dose)}nM", cells, L2_nM=dose)
            for r in rows:
                p.datum("IL2Rb_surface_pct", cond, float(r[0]), 10.0 * float(r[c]), [],
                        "sigma_surface_IL2Rb", f"ring2012_IL2Rb_{cells}_{fmt(dose)}nM")
    header, rows = read_csv_columns(os.path.join(data_dir, "mitra_surface_gc_depletion.csv"))
    cond = p.condition(f"{MITRA_CELLS}_IL2_1000nM", MITRA_CELLS, L2_nM=1000.0)
    for r in rows:
        p.datum("gc_surface_pct", cond, float(r[0]), float(r[1]), [], "sigma_surface_gc",
                "mitra2015_gc")
    p.param("sigma_surface_IL2Rb", "log10", 0.1, 100.0, 10.0)
    p.param("sigma_surface_gc", "log10", 0.1, 100.0, 10.0)


def add_gonnord(p, data_dir):
    header, rows = read_csv_columns(os.path.join(data_dir, "Gonnord_S3C.csv"))
    scale = p.param("scale_gonnord", "log10", 1e-4, 1e4, 10.0)
    offset = p.param("offset_gonnord", "lin", 0.0, 1e4, 0.0)
    for k, r in enumerate(rows):
        dose = float(r[0]) / (IL7_KDA * 1e3)
        cond = p.condition(f"gonnord_cd4_IL7_{k}", "gonnord_cd4", L7_nM=dose)
        for rep in (1, 2):
            p.datum("pSTAT5_MFI", cond, GONNORD_TIME_MIN, float(r[rep]), [scale, offset],
                    "sigma_gonnord", "gonnord2018_S3C", f"curve_{rep}")
    p.param("sigma_gonnord", "log10", 1.0, 1e4, 100.0)


OBSERVABLES = [
    ("pSTAT5_MFI", "pSTAT5 MFI (scale, offset per population and plate)",
     "observableParameter1_pSTAT5_MFI * pSTAT5_total + observableParameter2_pSTAT5_MFI"),
    ("pSTAT5_pct", "pSTAT5, % of maximum (Ring 2012)", "observableParameter1_pSTAT5_pct * pSTAT5_total"),
    ("IL2Rb_surface_pct", "surface IL-2Rb, % of untreated", "100 * IL2Rb_surf / R_B"),
    ("gc_surface_pct", "surface gc, % of untreated", "100 * gc_surf / R_G"),
]


def write_tsv(path, header, rows):
    with open(path, "w", newline="") as f:
        f.write("\t".join(header) + "\n")
        for r in rows:
            f.write("\t".join(str(r[h]) if not isinstance(r[h], float) else fmt(r[h]) for h in header) + "\n")


def yt1_gc_farhat(data_dir):
    """The gc of Farhat's fitted YT-1 synthesis (their model's own; the presets hold the
    measured count)."""
    import json
    path = os.path.join(os.path.dirname(os.path.abspath(data_dir)), "farhat2021_posterior_median.json")
    cells = json.load(open(path))["IL2_cells_steady_state_surface_receptors"]
    return cells["YT1_IL2Ra_pos"]["gc"]


def farhat_conditions(p):
    """Farhat's model: every condition with the peer_il2 preset on top (spec v0.1's
    binding and trafficking, M3-M8 off) and the gc Farhat fitted for YT-1."""
    peer = presets()["peer_il2"]["parameters"]
    cols = CONDITION_COLUMNS[2:] + CONDITION_COLUMNS[:2]
    rows = []
    for c, v in p.conditions.items():
        row = dict({k: 0.0 for k in cols}, conditionId=c, **v)
        row.update(peer)
        if c.startswith("yt1_"):
            row["R_G"] = yt1_gc_farhat(p.data_dir)
        rows.append(row)
    return ["conditionId"] + cols + [k for k in peer if k not in cols], rows


def write_problem(out, name, meas, cond="conditions.tsv", obs="observables.tsv"):
    with open(os.path.join(out, name), "w") as f:
        f.write("# Written by scripts/il2_data_petab.py; do not edit.\n")
        yaml.safe_dump({"format_version": 1, "parameter_file": "parameters.tsv",
                        "problems": [{"sbml_files": [os.path.relpath(MODEL, os.path.abspath(out))
                                                     if SCALE_PER_TIME else "../il2_il7.bngl"],
                                      "condition_files": [cond],
                                      "measurement_files": [meas], "observable_files": [obs]}]},
                       f, sort_keys=False)


def inner_type(pid):
    return {"scale": "scaling", "offset": "offset", "sigma": "sigma"}[pid.split("_", 1)[0]]


def write(p, out):
    os.makedirs(out, exist_ok=True)
    cols = CONDITION_COLUMNS[2:] + CONDITION_COLUMNS[:2]
    write_tsv(os.path.join(out, "conditions.tsv"), ["conditionId"] + cols,
              [dict({k: 0.0 for k in cols}, conditionId=c, **v) for c, v in p.conditions.items()])
    mh = ["observableId", "simulationConditionId", "measurement", "time", "observableParameters",
          "noiseParameters", "datasetId", "replicateId"]
    write_tsv(os.path.join(out, "measurements_all.tsv"), mh, p.meas)
    held = lambda m: any(m["datasetId"].startswith(f"pbmc_{h}_") for h in HELD_OUT)
    write_tsv(os.path.join(out, "measurements.tsv"), mh, [m for m in p.meas if not held(m)])
    write_tsv(os.path.join(out, "observables.tsv"),
              ["observableId", "observableName", "observableFormula", "observableTransformation",
               "noiseFormula", "noiseDistribution"],
              [dict(observableId=o, observableName=n, observableFormula=f,
                    observableTransformation="lin", noiseFormula=f"noiseParameter1_{o}",
                    noiseDistribution="normal") for o, n, f in OBSERVABLES])
    write_tsv(os.path.join(out, "parameters.tsv"),
              ["parameterId", "parameterScale", "lowerBound", "upperBound", "nominalValue", "estimate",
               "parameterType"],
              [dict(parameterId=k, parameterScale=s, lowerBound=lo, upperBound=hi, nominalValue=v,
                    estimate=1, parameterType=t) for k, (s, lo, hi, v, t) in p.params.items()])
    write_problem(out, "problem.yaml", "measurements.tsv")
    write_problem(out, "validation.yaml", "measurements_all.tsv")
    header, rows = farhat_conditions(p)
    write_tsv(os.path.join(out, "farhat_conditions.tsv"), header, rows)
    write_tsv(os.path.join(out, "farhat_observables.tsv"),
              ["observableId", "observableName", "observableFormula", "observableTransformation",
               "noiseFormula", "noiseDistribution"],
              [dict(observableId=o, observableName=n,
                    observableFormula=f.replace("pSTAT5_total", "(cplx_IL2_surf + cplx_IL2_endo)"),
                    observableTransformation="lin", noiseFormula=f"noiseParameter1_{o}",
                    noiseDistribution="normal") for o, n, f in OBSERVABLES])
    write_problem(out, "farhat_validation.yaml", "measurements_all.tsv", "farhat_conditions.tsv",
                  "farhat_observables.tsv")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=DATA)
    ap.add_argument("-o", "--out", default=os.path.join(ROOT, "models", "il2_il7_data"))
    ap.add_argument("--scale-per-time", action="store_true",
                    help="a variant (not the shipped problem): one PBMC scale per population, "
                         "replicate and time, so the amplitude's time course does not enter")
    a = ap.parse_args()
    global SCALE_PER_TIME
    SCALE_PER_TIME = a.scale_per_time
    p = Problem()
    p.data_dir = a.data
    add_pbmc(p, a.data)
    add_yt1(p, a.data)
    add_receptors(p, a.data)
    add_gonnord(p, a.data)
    model = model_values()
    for pid, nominal, lo, hi in MODEL_PARAMETERS:
        if model.get(pid) != nominal:
            sys.exit(f"il2_data_petab: {pid} is {model.get(pid)} in models/il2_il7.bngl, {nominal} here")
        p.param(pid, "log10", lo, hi, nominal, "")
    os.makedirs(a.out, exist_ok=True)
    write(p, a.out)
    n_model = len(MODEL_PARAMETERS) + len(LINEAGE_PARAMETERS)
    print(f"{a.out}: {len(p.conditions)} conditions, {len(p.meas)} measurements, "
          f"{len(p.params) - n_model} observation and {n_model} model parameters")


if __name__ == "__main__":
    main()
