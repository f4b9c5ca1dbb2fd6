#!/usr/bin/env bash
# The README's first command minus setup: the shipped IL-2 receptor model simulated to an
# HDF5 file and plotted to a PNG by scripts/plot_timecourse.py; the receptor chains are
# conserved and the active complexes settle at a positive level.
# usage: test_main_job.sh ILNET SOURCE_DIR
set -euo pipefail
ilnet=$1 src=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$ilnet" simulate "$src/model/pathways/il2_receptor.net" --t-end 60 --n-steps 120 -o "$dir/il2.h5" -q
/usr/bin/python3 "$src/scripts/plot_timecourse.py" "$dir/il2.h5" -o "$dir/il2.png" \
  --observables Active_complexes,IL2_bound >/dev/null
/usr/bin/python3 - "$dir/il2.h5" "$dir/il2.png" <<'PY'
import sys, h5py, numpy as np
h5, png = sys.argv[1:3]
with open(png, "rb") as f:
    assert f.read(8) == b"\x89PNG\r\n\x1a\n", "not a PNG"
with h5py.File(h5, "r") as f:
    names = [n.decode() for n in f["observable_names"][()]]
    ob = f["observables"][()]
    col = {n: ob[:, i] for i, n in enumerate(names)}
    for chain, total in (("IL2Ra_total", 3476), ("IL2Rb_total", 657), ("gc_total", 14017)):
        assert np.allclose(col[chain], total, rtol=1e-9), chain
    act = col["Active_complexes"]
    assert act[0] == 0 and act[-1] > 1 and abs(act[-1] - act[-2]) < 1e-6 * act[-1], act[-3:]
print("main job: HDF5 and PNG written, chains conserved, active complexes at steady state")
PY
echo "1 passed, 0 failed"
