#!/usr/bin/env bash
# Two builds of ilnet side by side, in one run, alternating (this machine's speed drifts):
# bench_reference per model and bench_study (1 and 2 threads), PAIRS times each, and the
# median of the paired ratios NEW/OLD (time per simulation; points per second).
#   benchmarks/compare_builds.sh OLD_BUILD_DIR NEW_BUILD_DIR [PAIRS] [MODELS] [STUDY.yaml]
# e.g. git worktree add /tmp/base <commit> && build it in /tmp/base/build, then
#   benchmarks/compare_builds.sh /tmp/base/build build 5
set -euo pipefail
old=$1 new=$2 pairs=${3:-5}
models=${4:-Haugh2b,Motivating_example,Cheemalavagu_JAK_STAT,fceri_ji,egfr_net}
here=$(cd "$(dirname "$0")" && pwd)
study=${5:-$here/sweep_2k.yaml}
ref=$here/../../shared/reference/bng
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for i in $(seq 1 "$pairs"); do
  for side in old new; do
    dir=$old
    [ "$side" = new ] && dir=$new
    "$dir/bench_reference" --models "$models" --min-seconds 1 "$ref" >"$tmp/ref_${side}_$i.txt"
    "$dir/bench_study" --threads 1,2 "$study" >"$tmp/study_${side}_$i.txt"
  done
  echo "pair $i of $pairs done" >&2
done
/usr/bin/python3 - "$tmp" "$pairs" <<'PY'
import statistics, sys
tmp, pairs = sys.argv[1], int(sys.argv[2])
def table(path, key_col, val_col):
    out = {}
    for line in open(path):
        f = line.split()
        # rows only: not comments, headers, or a summary line the library printed
        if not f or line.startswith("#") or f[0] in ("model", "threads") or len(f) < 8 \
                or not f[1].isdigit():
            continue
        out[f[key_col]] = float(f[val_col])
    return out
print("bench_reference: median ms per simulation (old, new) and the median of paired ratios new/old")
ref = [(table(f"{tmp}/ref_old_{i}.txt", 0, 5), table(f"{tmp}/ref_new_{i}.txt", 0, 5)) for i in range(1, pairs + 1)]
for m in ref[0][0]:
    o = [a[m] for a, _ in ref]; n = [b[m] for _, b in ref]
    r = [b / a for a, b in zip(o, n)]
    print(f"  {m:24s} old {statistics.median(o):9.3f}  new {statistics.median(n):9.3f}  "
          f"new/old {statistics.median(r):.3f} (pairs {min(r):.2f}-{max(r):.2f})")
print("bench_study: points per second (old, new) and the median of paired ratios new/old")
st = [(table(f"{tmp}/study_old_{i}.txt", 0, 3), table(f"{tmp}/study_new_{i}.txt", 0, 3)) for i in range(1, pairs + 1)]
for t in st[0][0]:
    o = [a[t] for a, _ in st]; n = [b[t] for _, b in st]
    r = [b / a for a, b in zip(o, n)]
    print(f"  threads {t:3s}  old {statistics.median(o):9.1f}  new {statistics.median(n):9.1f}  "
          f"new/old {statistics.median(r):.3f} (pairs {min(r):.2f}-{max(r):.2f})")
PY
