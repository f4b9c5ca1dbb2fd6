#!/usr/bin/env bash
# The README's first command minus setup: the built-in IL-2/IL-7 model simulated for Treg
# and T-helper cells (a 1 nM time course and a 30-min dose response, as scripts/run does
# with fewer doses) to HDF5 files, plotted to PNGs by the scripts, and checked: the Treg
# pSTAT5 fraction rises to a peak and falls (feedback), and its EC50 is below the T-helper's.
# usage: test_main_job.sh ILNET SOURCE_DIR
set -euo pipefail
ilnet=$1 src=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
model=$src/model/pathways/il2_il7.bngl
for cell in treg thelper; do
  "$ilnet" simulate "$model" --preset "human_$cell" --set L2_nM=1 --t-end 240 --n-steps 240 \
    -o "$dir/${cell}_1nM.h5" -q
done
series=()
for cell in treg thelper; do
  files=()
  for d in 0.0001 0.001 0.01 0.1 1 10 100; do
    "$ilnet" simulate "$model" --preset "human_$cell" --set "L2_nM=$d" --t-end 30 --n-steps 30 \
      -o "$dir/${cell}_$d.h5" -q
    files+=("$dir/${cell}_$d.h5")
  done
  series+=(--series "$cell=$(IFS=,; echo "${files[*]}")")
done
/usr/bin/python3 "$src/scripts/plot_il2_timecourse.py" "Treg=$dir/treg_1nM.h5" \
  "T-helper=$dir/thelper_1nM.h5" -o "$dir/tc.png"
/usr/bin/python3 "$src/scripts/plot_dose_response.py" --dose L2_nM --units nM \
  --observable pSTAT5_total --per-parameter STAT5_total --time 30 "${series[@]}" \
  -o "$dir/dr.png" >"$dir/ec50.txt"
cat "$dir/ec50.txt"
/usr/bin/python3 - "$dir" <<'PY'
import re, sys, h5py, numpy as np
d = sys.argv[1]
for png in ("tc.png", "dr.png"):
    with open(f"{d}/{png}", "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n", png + " is not a PNG"
with h5py.File(f"{d}/treg_1nM.h5", "r") as f:
    assert f.attrs["status"] in (b"complete", "complete")
    names = [n.decode() for n in f["observable_names"][()]]
    pn = [n.decode() for n in f["parameter_names"][()]]
    frac = f["observables"][:, names.index("pSTAT5_total")] / f["parameter_values"][pn.index("STAT5_total")]
    assert f["parameter_values"][pn.index("L2_nM")] == 1.0
i = int(np.argmax(frac))
assert 0.5 < frac[i] <= 1 and 0 < i < len(frac) - 1 and frac[-1] < 0.8 * frac[i], (frac[i], i, frac[-1])
ec = dict(re.findall(r"^(\w+): EC50 ([0-9.e+-]+)", open(f"{d}/ec50.txt").read(), re.M))
assert float(ec["treg"]) < float(ec["thelper"]), ec
print("main job: HDF5 and PNGs written; Treg pSTAT5 peaks at %.2f and falls; EC50 Treg %s < T-helper %s nM"
      % (frac[i], ec["treg"], ec["thelper"]))
PY
echo "1 passed, 0 failed"
