#!/usr/bin/env python3
"""Writes the parameters of the IL-2/IL-7 model from the specification's table.

The one path from ../shared/specs/il2-model-params.json into the model:
  * models/il2_il7.bngl: the block between "# BEGIN GENERATED PARAMETERS" and
    "# END GENERATED PARAMETERS". Measured/assumed/fitted values (status V, A, R, F) are
    copied as numbers; derived ones (status D) become expressions of other parameters, so
    changing a base value keeps them consistent (tests check the expressions reproduce the
    table's numbers).
  * models/il2_il7.presets.yaml: cell presets and the peer (Farhat 2021) mode, from
    the same table, ../shared/reference/il2/farhat2021_posterior_median.json and spec §6.

usage: gen_il2_params.py [--check] [SHARED_DIR]   (default SHARED_DIR: ../shared beside the
project). --check exits 1 when the files differ from what would be written."""
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODEL = os.path.join(ROOT, "models", "il2_il7.bngl")
PRESETS = os.path.join(ROOT, "models", "il2_il7.presets.yaml")
BEGIN = "# BEGIN GENERATED PARAMETERS"
END = "# END GENERATED PARAMETERS"

# Literature values behind the derived parameters, in the units of their source (spec §5).
LITERATURE = [
    ("lit_kon_SHP1", 0.001, "nM^-1 s^-1, Yamada 2003 SHP-2 binding"),
    ("lit_kon_STAT5_dock", 0.008, "nM^-1 s^-1, Yamada 2003 v5"),
    ("lit_kon_dimer", 0.02, "nM^-1 s^-1, Yamada 2003 v8/v17"),
    ("lit_kon_PP", 0.001, "nM^-1 s^-1, Yamada 2003 v11/v13/v18/v20"),
    ("lit_kon_SOCS", 0.02, "nM^-1 s^-1, Yamada 2003 SOCS1-receptor"),
    ("lit_Km_gene_nM", 400, "nM, Yamada 2003 v24"),
    ("lit_mRNA_export_s", 0.001, "s^-1, Yamada 2003 mRNA export"),
    ("lit_SHP1_nM", 100, "nM, Yamada 2003 SHP-2"),
    ("lit_PPX_nM", 50, "nM, Yamada 2003 PPX"),
    ("lit_PPN_nM", 60, "nM, Yamada 2003 PPN"),
    ("ratio_gc_L2AB", 12 / 1.5, "Rickert 2004 Kd ratio 12 nM : 1.5 nM"),
    ("ratio_b_L2A", 63 / 1.5, "Rickert 2004 Kd ratio 63 nM : 1.5 nM"),
]

# Derived parameters as expressions (spec §5 'D' rows).
DERIVED = {
    "k10rev_L2AB_gc": "ratio_gc_L2AB*k5rev_L2B_gc",
    "k11rev_L2A_b": "ratio_b_L2A*k5rev_L2B_gc",
    "k12rev_L2B_a": "koff_IL2_IL2Ra*k11rev_L2A_b/koff_IL2_IL2Rb",
    "k9rev_L2AG_b": "k10rev_L2AB_gc*k11rev_L2A_b/k4rev_L2A_gc",
    "k8rev_L2BG_a": "k10rev_L2AB_gc*k12rev_L2B_a/k5rev_L2B_gc",
    "kon_SHP1": "lit_kon_SHP1*per_nM_s_cyt",
    "kon_STAT5_dock": "lit_kon_STAT5_dock*per_nM_s_cyt",
    "kon_dimer_cyt": "lit_kon_dimer*per_nM_s_cyt",
    "kon_dimer_nuc": "lit_kon_dimer*per_nM_s_nuc",
    "kon_PPX": "lit_kon_PP*per_nM_s_cyt",
    "kon_PPN": "lit_kon_PP*per_nM_s_nuc",
    "Kd_gene_dimer": "lit_Km_gene_nM*nM_nuc",
    "k_delay_Socs1": "lit_mRNA_export_s*60*n_delay",
    "kon_SOCS": "lit_kon_SOCS*per_nM_s_cyt",
    "SHP1_total": "lit_SHP1_nM*nM_cyt",
    "PPX_total": "lit_PPX_nM*nM_cyt",
    "PPN_total": "lit_PPN_nM*nM_nuc",
}

CONVERSIONS = [
    ("nM_cyt", "6.02214076e23*1e-21*V_cyt", "molecules per nM in V_cyt (pL)"),
    ("nM_nuc", "6.02214076e23*1e-21*V_nuc", "molecules per nM in V_nuc (pL)"),
    ("per_nM_s_cyt", "60/nM_cyt", "nM^-1 s^-1 -> #^-1 min^-1 in the cytosol"),
    ("per_nM_s_nuc", "60/nM_nuc", "nM^-1 s^-1 -> #^-1 min^-1 in the nucleus"),
]


def num(v):
    return repr(float(v)) if not float(v).is_integer() or abs(v) >= 1e15 else str(int(v))


def params_block(spec):
    out = ["    " + BEGIN + " (scripts/gen_il2_params.py from il2-model-params.json; do not edit)"]
    out.append("    # literature values behind the derived parameters")
    for name, v, note in LITERATURE:
        out.append("    %-22s %-22s # %s" % (name, repr(v), note))
    out.append("    # unit conversions")
    for name, expr, note in CONVERSIONS:
        out.append("    %-22s %-22s # %s" % (name, expr, note))
    out.append("    # spec v%s table (name value  # unit, status)" % spec["version"])
    for p in spec["parameters"]:
        name, st = p["name"], p["status"]
        if st == "D":
            if name not in DERIVED:
                sys.exit("gen_il2_params: derived parameter %s has no expression" % name)
            val = DERIVED[name]
        else:
            val = num(p["value"])
        out.append("    %-22s %-22s # %s, %s" % (name, val, p["unit"], st))
    missing = set(DERIVED) - {p["name"] for p in spec["parameters"]}
    if missing:
        sys.exit("gen_il2_params: expressions for unknown parameters %s" % sorted(missing))
    out.append("    " + END)
    return out


# v0.2's factors at the values that give spec v0.1 (the model file holds the v0.2 values)
V01_NEUTRAL = {"f_gc_IL2": 1.0, "f_k11": 1.0, "f_kcat_STAT5": 1.0, "f_dock": 1.0, "f_int_cplx": 1.0,
               "phos_scale": 1.0, "q_kon_fold": 0.0, "lin_q": 1.0, "lin_kp1": 0.0, "lin_kon": 1.0}
# v0.2 lineage capacities (docs/il2-model.md): Treg, conventional T cells, NK-like (defaults)
LINEAGE = {"treg": {"lin_q": 0.0, "lin_kp1": 0.038, "lin_kon": 1.0},
           "tconv": {"lin_q": 1.0, "lin_kp1": 0.0, "lin_kon": 3.0},
           "nk": {"lin_q": 1.0, "lin_kp1": 0.0, "lin_kon": 1.0}}
YT1_GC_MEASURED = 10909.0  # ../shared/reference/il2/data/YT_1_receptor_levels.csv


def presets_yaml(spec, peer):
    """Cell presets set the surface targets R_A, R_B, R_G, R_7 and the lineage capacities;
    mode presets set rates."""
    pb = peer["PBMC_receptor_counts_gmean"]
    keys = {"A": "IL-2R$\\alpha$", "B": "IL-2R$\\beta$", "G": "$\\gamma_{c}$", "7": "IL-7R$\\alpha$"}
    cells = []
    for name, label, lin in [("human_treg", "T-reg", "treg"), ("human_thelper", "T-helper", "tconv"),
                             ("human_cd8", "CD8+", "tconv"), ("human_nk", "NK", "nk")]:
        cells.append((name, "human %s (PBMC), Farhat 2021 flow quantitation, geometric mean" % label,
                      dict({"R_" + k: pb[label][v] for k, v in keys.items()}, **LINEAGE[lin])))
    yt = peer["IL2_cells_steady_state_surface_receptors"]
    for name, key, what in [("yt1_alpha_pos", "YT1_IL2Ra_pos", "IL-2Ra+"), ("yt1_alpha_neg", "YT1_IL2Ra_neg", "IL-2Ra-")]:
        c = yt[key]
        cells.append((name, "YT-1 %s: IL-2Ra and IL-2Rb of Farhat 2021's fitted synthesis, measured "
                            "gc (Farhat's fit: %.0f)" % (what, c["gc"]),
                      dict({"R_A": c["IL2Ra"], "R_B": c["IL2Rb"], "R_G": YT1_GC_MEASURED, "R_7": 0.0},
                           **LINEAGE["nk"])))
    g = peer["IL7_cell_steady_state_surface_receptors"]
    cells.append(("gonnord_cd4", "human CD4+CCR7hi (Gonnord 2018) as fitted by Farhat 2021",
                  dict({"R_A": 0.0, "R_B": 0.0, "R_G": g["gc"], "R_7": g["IL7Ra"]}, **LINEAGE["tconv"])))
    # spec §6 mouse rows (assumed, A): not in any table file
    cells.append(("mouse_naive", "mouse T cell without TCR signal (spec §6; IL-2Rb 300 as in the §8 naive-CD4-like run)",
                  dict({"R_A": 100.0, "R_B": 300.0, "R_G": 5000.0, "R_7": 5000.0}, **LINEAGE["tconv"])))
    cells.append(("mouse_activated", "mouse activated T cell / blast (spec §6, assumed)",
                  dict({"R_A": 3e4, "R_B": 1e4, "R_G": 5000.0, "R_7": 500.0}, **LINEAGE["tconv"])))
    cells.append(("mouse_treg", "mouse Treg, CD25hi (spec §6, assumed)",
                  dict({"R_A": 2e4, "R_B": 1000.0, "R_G": 5000.0, "R_7": 2000.0}, **LINEAGE["treg"])))
    modes = []
    for name, fit, what in [("peer_il2", "IL2_fit_posterior_median_rxntfr30", "IL-2"),
                            ("peer_il7", "IL7_fit_posterior_median_rxntfr30", "IL-7")]:
        f = peer[fit]
        p = {
            "k_act": 0.0,  # M3 off: nothing downstream of the receptor moves
            "feedback": 0.0,
            "k_int_IL2Ra": f["endo"], "k_int_free": f["endo"],
            "k_int_cplx": f["endo"] + f["activeEndo"],
            "k_rec": f["kRec"], "k_deg": f["kDeg"],
            "f_sort_IL2Ra": f["sortF"], "f_sort_other": f["sortF"],
            "k_lig_recycle": 0.0,
            "endo_lig_per_nM": 623 * 0.5,  # gcSolver internalV x internalFrac (docs/notes)
            "endo_koff_factor": 5.0, "endo_area_frac": 0.5,
        }
        p.update(V01_NEUTRAL)
        if what == "IL-2":
            p.update({"kfwd_2D_IL2": f["kfwd"], "k4rev_L2A_gc": f["k4rev"], "k5rev_L2B_gc": f["k5rev"]})
        else:
            p.update({"kfwd_2D_IL7": f["kfwd"], "k27rev_L7R7_gc": f["k27rev"]})
        modes.append((name, "Farhat 2021 peer mode (%s fit posterior medians): M3-M8 off, peer trafficking" % what, p))
    modes.append(("spec_v01", "specification v0.1 exactly (every v0.2 factor neutral; apply after a "
                  "cell preset)", dict(V01_NEUTRAL)))
    modes.append(("feedback_off", "no CIS/SOCS1/SOCS3 transcription (M7 off)", {"feedback": 0.0}))
    modes.append(("equilibrium_binding", "binding only: no JAK activation (M3-M8 inert) and no trafficking",
                  {"k_act": 0.0, "k_int_IL2Ra": 0.0, "k_int_free": 0.0, "k_int_cplx": 0.0}))
    modes.append(("depletion", "ligand depletion: medium ligand becomes a dynamic species", {}, True))
    lines = ["# Generated by scripts/gen_il2_params.py; do not edit.",
             "# Presets for models/il2_il7.bngl. 'parameters' override the model's values, later",
             "# presets over earlier ones (spec_v01 and peer_* after a cell preset);",
             "# 'free_fixed: true' makes the model's fixed species (the medium ligands) dynamic.",
             "presets:"]
    for entry in cells + modes:
        name, desc, params = entry[0], entry[1], entry[2]
        lines.append("  %s:" % name)
        lines.append("    description: %s" % json.dumps(desc))
        if len(entry) > 3 and entry[3]:
            lines.append("    free_fixed: true")
        if params:
            lines.append("    parameters:")
            for k, v in params.items():
                lines.append("      %s: %s" % (k, repr(float(v))))
    return "\n".join(lines) + "\n"


def main():
    args = [a for a in sys.argv[1:] if a != "--check"]
    check = "--check" in sys.argv[1:]
    shared = args[0] if args else os.path.join(os.path.dirname(ROOT), "shared")
    spec = json.load(open(os.path.join(shared, "specs", "il2-model-params.json")))
    peer = json.load(open(os.path.join(shared, "reference", "il2", "farhat2021_posterior_median.json")))
    text = open(MODEL).read().split("\n")
    b = next(i for i, l in enumerate(text) if l.strip().startswith(BEGIN))
    e = next(i for i, l in enumerate(text) if l.strip().startswith(END))
    new_model = "\n".join(text[:b] + params_block(spec) + text[e + 1:])
    new_presets = presets_yaml(spec, peer)
    old_presets = open(PRESETS).read() if os.path.exists(PRESETS) else ""
    if check:
        stale = [p for p, old, new in ((MODEL, "\n".join(text), new_model), (PRESETS, old_presets, new_presets)) if old != new]
        for p in stale:
            print("stale: %s (run scripts/gen_il2_params.py)" % p)
        sys.exit(1 if stale else 0)
    open(MODEL, "w").write(new_model)
    open(PRESETS, "w").write(new_presets)


if __name__ == "__main__":
    main()
