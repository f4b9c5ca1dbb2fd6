#!/usr/bin/env bash
# The threaded parts of ilnet under ThreadSanitizer (CI, scripts/test): PEtab evaluation
# with gradients on 2 threads (Raia 2011: many condition pairs), and a fit with profiles on
# 2 threads (Boehm 2014: starts, the coordinator, profile workers). Any report fails.
# usage: tests/tsan_threads.sh TSAN_BUILD_DIR PETAB_BENCHMARK_DIR
set -euo pipefail
ilnet=$1/ilnet
bench=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export TSAN_OPTIONS="halt_on_error=1 exitcode=66"
"$ilnet" petab evaluate "$bench/Raia_CancerResearch2011/Raia_CancerResearch2011.yaml" \
  --threads 2 --gradient > "$tmp/raia.out"
grep -q '^llh: ' "$tmp/raia.out"
"$ilnet" fit "$bench/Boehm_JProteomeRes2014/Boehm_JProteomeRes2014.yaml" --starts 6 \
  --threads 2 -q --profile k_phos,sd_pSTAT5A_rel --profile-points 6 -o "$tmp/fit.h5" > "$tmp/fit.out"
grep -q '^best llh: ' "$tmp/fit.out"
echo "tsan_threads: PEtab evaluation and fit on 2 threads, no report"
