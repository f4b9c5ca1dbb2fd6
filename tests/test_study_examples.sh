#!/usr/bin/env bash
# The example study configs (SRCDIR/configs/*.yaml) run as they are, and
# scripts/plot_study.py draws every output.
#
# usage: test_study_examples.sh ILNET SRCDIR SCRATCH
#
# For every config: `ilnet run CONFIG -o SCRATCH/<name>.h5 --quiet` exits 0 within 120 s,
# prints nothing, writes the file (root kind "study", status "complete", every point
# status 1) and nothing beside the config; plot_study.py on it exits 0 and writes the PNGs
# it lists. Spot checks: dose_response has finite EC50s for both series with
# Treg EC50 < Th EC50; washout's pSTAT5 falls after the wash-out at 60 min, below the
# continuous exposure; xarray (h5netcdf) names the dimensions point/time/observable (and
# series/dose/readout for dose responses). Prints one line per check and a summary.

set -u

ILNET=${1:?usage: test_study_examples.sh ILNET SRCDIR SCRATCH}
SRCDIR=${2:?usage: test_study_examples.sh ILNET SRCDIR SCRATCH}
SCRATCH=${3:?usage: test_study_examples.sh ILNET SRCDIR SCRATCH}
case $ILNET in /*) ;; *) ILNET=$PWD/$ILNET ;; esac
[ -x "$ILNET" ] || { echo "test_study_examples.sh: $ILNET is not executable" >&2; exit 1; }
SRCDIR=$(cd "$SRCDIR" && pwd)
mkdir -p "$SCRATCH" || exit 1
SCRATCH=$(cd "$SCRATCH" && pwd)
PYTHON=/usr/bin/python3
PLOT=$SRCDIR/scripts/plot_study.py

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok    $*"; }
bad() { failed=$((failed + 1)); echo "FAIL  $*"; }

shopt -s nullglob
configs=("$SRCDIR"/configs/*.yaml)
if [ ${#configs[@]} -lt 6 ]; then
    bad "expected at least 6 configs in $SRCDIR/configs, found ${#configs[@]}"
fi
for want in timecourse sweep_1d sweep_2d dose_response washout lhs; do
    [ -f "$SRCDIR/configs/$want.yaml" ] || bad "configs/$want.yaml missing"
done

before=$(ls -A "$SRCDIR/configs")
for cfg in "${configs[@]}"; do
    name=$(basename "$cfg" .yaml)
    out=$SCRATCH/$name.h5
    rm -f "$out"
    start=$(date +%s.%N)
    (cd "$SCRATCH" && timeout 120 "$ILNET" run "$cfg" -o "$out" --quiet >"$SCRATCH/$name.stdout" 2>"$SCRATCH/$name.stderr" </dev/null)
    status=$?
    secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    if [ $status -ne 0 ]; then
        bad "$name: exit $status: $(head -c 400 "$SCRATCH/$name.stderr")"
        continue
    fi
    if [ -s "$SCRATCH/$name.stdout" ] || [ -s "$SCRATCH/$name.stderr" ]; then
        bad "$name: --quiet run printed: $(cat "$SCRATCH/$name.stdout" "$SCRATCH/$name.stderr" | head -c 300)"
    fi
    if [ ! -f "$out" ]; then
        bad "$name: no $out"
        continue
    fi
    ok "$name: ran in $secs s"
    pdir=$SCRATCH/plots_$name
    rm -rf "$pdir"
    "$PYTHON" "$PLOT" "$out" -o "$pdir" >"$SCRATCH/$name.plot.stdout" 2>"$SCRATCH/$name.plot.stderr"
    status=$?
    if [ $status -ne 0 ]; then
        bad "$name: plot_study.py exit $status: $(head -c 400 "$SCRATCH/$name.plot.stderr")"
        continue
    fi
    pngs=$(find "$pdir" -name '*.png' -size +1k | wc -l)
    listed=0
    missing=0
    while read -r f; do
        [ -n "$f" ] || continue
        listed=$((listed + 1))
        [ -s "$f" ] || missing=$((missing + 1))
    done <"$SCRATCH/$name.plot.stdout"
    if [ "$pngs" -ge 1 ] && [ "$listed" -eq "$pngs" ] && [ $missing -eq 0 ]; then
        ok "$name: plot_study.py wrote $pngs PNG(s)"
    else
        bad "$name: plot_study.py: $pngs PNGs in $pdir, $listed listed, $missing listed but missing"
    fi
done
after=$(ls -A "$SRCDIR/configs")
[ "$before" = "$after" ] && ok "nothing written beside the configs" ||
    bad "files appeared in configs/: $(comm -13 <(echo "$before") <(echo "$after") | tr '\n' ' ')"

# plot_study.py's errors: missing file, not a study file, unknown group
expect_plot_error() {
    local what=$1
    shift
    "$PYTHON" "$PLOT" "$@" >"$SCRATCH/plot_err.stdout" 2>"$SCRATCH/plot_err.stderr"
    local st=$?
    if [ $st -ne 0 ] && [ -s "$SCRATCH/plot_err.stderr" ] && ! grep -q Traceback "$SCRATCH/plot_err.stderr"; then
        ok "plot_study.py: $what -> exit $st, $(head -1 "$SCRATCH/plot_err.stderr")"
    else
        bad "plot_study.py: $what: exit $st, stderr: $(head -c 300 "$SCRATCH/plot_err.stderr")"
    fi
}
expect_plot_error "missing file" "$SCRATCH/no_such_study.h5" -o "$SCRATCH/plots_err"
"$ILNET" simulate "$SRCDIR/models/il2_receptor.net" --t-end 1 --n-steps 2 -o "$SCRATCH/not_a_study.h5" -q \
    >/dev/null 2>&1
# a simulate file is handed to plot_timecourse.py (one entry point for both kinds)
if "$PYTHON" "$SRCDIR/scripts/plot_study.py" "$SCRATCH/not_a_study.h5" -o "$SCRATCH/plots_sim" \
    >/dev/null 2>&1 && [ -s "$SCRATCH/plots_sim/not_a_study.png" ]; then
    ok "plot_study.py on a simulate file: plotted by plot_timecourse.py"
else
    bad "plot_study.py on a simulate file: no $SCRATCH/plots_sim/not_a_study.png"
fi
mkdir -p "$SCRATCH/plots_err_other.h5.d"
"$PYTHON" -c "import h5py, sys; h5py.File(sys.argv[1], 'w').create_dataset('x', data=[1])" \
    "$SCRATCH/plots_err_other.h5.d/other.h5"
expect_plot_error "not a study file" "$SCRATCH/plots_err_other.h5.d/other.h5" -o "$SCRATCH/plots_err"
expect_plot_error "not HDF5" "$SRCDIR/configs/timecourse.yaml" -o "$SCRATCH/plots_err"
if [ -f "$SCRATCH/timecourse.h5" ]; then
    expect_plot_error "unknown group" "$SCRATCH/timecourse.h5" -o "$SCRATCH/plots_err" --group no_such_group
fi

# spot checks on the outputs
"$PYTHON" - "$SCRATCH" <<'EOF'
import glob
import os
import sys

import h5py
import numpy as np
import xarray as xr

scratch = sys.argv[1]
fails = 0


def report(cond, msg):
    global fails
    print(("ok    " if cond else "FAIL  ") + msg)
    fails += 0 if cond else 1


def s(x):
    return x.decode() if isinstance(x, bytes) else str(x)


def names(ds):
    return [s(n) for n in ds[()]]


for path in sorted(glob.glob(os.path.join(scratch, "*.h5"))):
    name = os.path.basename(path)[:-3]
    if name in ("not_a_study", "other"):
        continue
    with h5py.File(path, "r") as f:
        report(s(f.attrs.get("kind")) == "study" and s(f.attrs.get("status")) == "complete",
               f"{name}: kind {s(f.attrs.get('kind'))!r}, status {s(f.attrs.get('status'))!r}")
        groups = [k for k in f if isinstance(f[k], h5py.Group)]
        for gname in groups:
            g = f[gname]
            st = g["status"][()]
            report(np.all(st == 1), f"{name}/{gname}: {int(np.sum(st == 1))} of {len(st)} points ok")
            report(np.all(np.isfinite(g["observables"][()])), f"{name}/{gname}: observables finite")
            try:
                ds = xr.open_dataset(path, group=gname, engine="h5netcdf")
                dims = ds["observables"].dims
                report(dims == ("point", "time", "observable"), f"{name}/{gname}: xarray observables dims {dims}")
                if s(g.attrs.get("type")) == "dose_response":
                    report(ds["response"].dims == ("series", "dose", "readout"),
                           f"{name}/{gname}: xarray response dims {ds['response'].dims}")
                    report(ds["fit"].dims == ("series", "readout", "fit_field"),
                           f"{name}/{gname}: xarray fit dims {ds['fit'].dims}")
                ds.close()
            except Exception as e:  # noqa: BLE001
                report(False, f"{name}/{gname}: xarray open_dataset: {e!r}")

# dose response: both series fitted, Treg more sensitive than T-helpers
p = os.path.join(scratch, "dose_response.h5")
if os.path.exists(p):
    ds = xr.open_dataset(p, group="il2_dose", engine="h5netcdf")
    series = [s(x) for x in ds["series"].values]
    readouts = [s(x) for x in ds["readout"].values]
    report(series == ["Treg", "Th"], f"dose_response: series {series}")
    report(len(ds["dose"]) == 10, f"dose_response: {len(ds['dose'])} doses")
    report(set(readouts) == {"pSTAT5_total@30", "pSTAT5_total:peak"}, f"dose_response: readouts {readouts}")
    ec50 = ds["fit"].sel(fit_field="ec50")
    fst = ds["fit_status"].values
    report(np.all(fst == 1), f"dose_response: fit_status {fst.tolist()}")
    for r in readouts:
        e = {sr: float(ec50.sel(series=sr.encode() if isinstance(ds['series'].values[0], bytes) else sr,
                                readout=r.encode() if isinstance(ds['readout'].values[0], bytes) else r))
             for sr in series}
        report(all(np.isfinite(v) and v > 0 for v in e.values()), f"dose_response: {r} EC50 finite: {e}")
        if "Treg" in e and "Th" in e:
            report(e["Treg"] < e["Th"], f"dose_response: {r} EC50 Treg {e['Treg']:.3g} < Th {e['Th']:.3g} nM")
    ds.close()
else:
    report(False, "dose_response.h5 missing")

# washout: pSTAT5 falls once IL-2 is removed at 60 min, below the continuous exposure
p = os.path.join(scratch, "washout.h5")
if os.path.exists(p):
    with h5py.File(p, "r") as f:
        def ps5(gname):
            g = f[gname]
            return g["time"][()], g["observables"][0, :, names(g["observable"]).index("pSTAT5_total")]
        t, w = ps5("washout")
        t2, c = ps5("continuous")
        report(np.array_equal(t, t2), "washout: same time grid in both experiments")
        i60, i120, i240 = (int(np.argmin(np.abs(t - x))) for x in (60, 120, 240))
        report(w[i60] > 0.1 * w.max(), f"washout: pSTAT5 up at 60 min ({w[i60]:.4g})")
        report(np.all(np.diff(w[i120:]) < 0), "washout: pSTAT5 falls steadily from 120 min")
        report(w[i240] < 0.5 * w[i60], f"washout: pSTAT5 at 240 min {w[i240]:.4g} < half of 60 min {w[i60]:.4g}")
        report(w[i120] < c[i120] and w[i240] < 0.5 * c[i240],
               f"washout below continuous: {w[i120]:.4g} vs {c[i120]:.4g} at 120, {w[i240]:.4g} vs {c[i240]:.4g} at 240")
        report(np.allclose(w[:i60 + 1], c[:i60 + 1], rtol=1e-9, atol=0),
               "washout = continuous up to 60 min")
        gi = names(f["washout/observable"]).index("IL2_medium")
        med = f["washout/observables"][0, :, gi]
        report(med[i60 + 1:].max() == 0 and med[1:i60].min() > 0,
               "washout: medium IL-2 present from 0 to 60 min, zero after")
else:
    report(False, "washout.h5 missing")

# LHS: 50 points, seed stored; sweeps: sizes
for fname, gname, n in (("lhs.h5", None, 50), ("sweep_2d.h5", None, 64), ("sweep_1d.h5", None, 9)):
    p = os.path.join(scratch, fname)
    if not os.path.exists(p):
        report(False, f"{fname} missing")
        continue
    with h5py.File(p, "r") as f:
        g = f[list(f.keys())[0]]
        report(g["status"].shape == (n,), f"{fname}: {g['status'].shape[0]} points, want {n}")
        if fname == "lhs.h5":
            report(int(np.ravel(g.attrs.get("seed", [-1]))[0]) == 7, f"lhs: seed attribute {g.attrs.get('seed')}")
print(f"spot checks: {fails} failed")
sys.exit(1 if fails else 0)
EOF
if [ $? -eq 0 ]; then ok "spot checks"; else bad "spot checks"; fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
