#!/usr/bin/env bash
# The README's first command minus setup: the main job's study (configs/il2_main.yaml: the
# built-in IL-2/IL-7 model in Treg and T-helper cells, a 1 nM time course and a 30-min dose
# response with Hill fits) into one HDF5 file, plotted by the scripts, and checked: the Treg
# pSTAT5 fraction rises to a peak and falls (feedback), and its EC50 is below the T-helper's;
# the model against the PBMC data (scripts/il2_checks.py, scripts/plot_il2_data.py): a figure
# and an EC50 table for the four populations.
# usage: test_main_job.sh ILNET SOURCE_DIR
set -euo pipefail
ilnet=$1 src=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$ilnet" run "$src/configs/il2_main.yaml" -o "$dir/main.h5" -q
/usr/bin/python3 "$src/scripts/plot_il2_timecourse.py" "Treg=$dir/main.h5:treg_1nM" \
  "T-helper=$dir/main.h5:thelper_1nM" -o "$dir/tc.png"
/usr/bin/python3 "$src/scripts/plot_study.py" "$dir/main.h5" -o "$dir/plots" >/dev/null
/usr/bin/python3 "$src/scripts/il2_checks.py" --ilnet "$ilnet" --json "$dir/checks.json" >/dev/null
/usr/bin/python3 "$src/scripts/plot_il2_data.py" "$dir/main.h5" "$dir/checks.json" -o "$dir/data.png" \
  --tsv "$dir/ec50.tsv" >/dev/null
/usr/bin/python3 - "$dir" <<'PY'
import sys, h5py, numpy as np
d = sys.argv[1]
for png in ("tc.png", "plots/il2_dose_30min.png", "data.png"):
    with open(f"{d}/{png}", "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n", png + " is not a PNG"
with h5py.File(f"{d}/main.h5", "r") as f:
    assert f.attrs["status"] in (b"complete", "complete"), f.attrs["status"]
    g = f["treg_1nM"]
    names = [n.decode() for n in g["observable"][()]]
    ob = g["observables"][0]
    frac = ob[:, names.index("pSTAT5_total")] / ob[:, names.index("STAT5_all")]
    dr = f["il2_dose_30min"]
    fields = [x.decode() for x in dr["fit_field"][()]]
    series = [x.decode() for x in dr["series"][()]]
    assert (dr["fit_status"][()] == 1).all(), dr["fit_status"][()]
    ec = {s: dr["fit"][i, 0, fields.index("ec50")] for i, s in enumerate(series)}
i = int(np.argmax(frac))
assert 0.5 < frac[i] <= 1 and 0 < i < len(frac) - 1 and frac[-1] < 0.8 * frac[i], (frac[i], i, frac[-1])
assert ec["Treg"] < ec["T-helper"], ec
rows = [l.split("\t") for l in open(f"{d}/ec50.tsv").read().splitlines()[1:]]
assert [r[0] for r in rows] == ["Treg", "T-helper", "CD8", "NK"], rows
assert all(float(r[2]) > 0 and float(r[3]) > 0 for r in rows), rows
print("main job: HDF5 and PNGs written; Treg pSTAT5 peaks at %.2f and falls; EC50 Treg %.3g < T-helper %.3g nM"
      % (frac[i], ec["Treg"], ec["T-helper"]))
PY
echo "1 passed, 0 failed"
