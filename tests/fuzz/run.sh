#!/usr/bin/env bash
# Coverage-guided fuzzing of ilnet's input readers with libFuzzer (ASan + UBSan):
#   tests/fuzz/run.sh BUILD_DIR SECONDS [HARNESS...]
# BUILD_DIR is a build with -DILNET_FUZZ=ON and clang (scripts/test makes build-fuzz). For
# each harness (bngl, net, config, sbml, petab) it replays the seed corpus -- the repository's own
# models, configs and reference files -- and the crash reproducers in regressions/, then
# fuzzes for SECONDS (-timeout 10 s per input: a hang is a finding; -rss_limit_mb 2048) with
# the harness's dictionary. Findings (crash-*, leak-*, timeout-*, oom-*) land in
# $ILNET_FUZZ_ARTIFACTS (default: a temporary directory, printed) and fail the run: add
# each to regressions/HARNESS/ once fixed. A long campaign: SECONDS=3600 or more; the
# executions per harness are printed. With ILNET_FUZZ_RUNS=N the fuzzing is reproducible
# (-seed=1, N inputs, SECONDS only a cap): what CI runs, so that a finding there is found
# again by the same command rather than by luck.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=$(cd "$1" && pwd)
seconds=$2
shift 2
harnesses=("$@")
[ ${#harnesses[@]} -gt 0 ] || harnesses=(bngl net config sbml petab)
ref=$src/../shared/reference
work=$(mktemp -d)
art=${ILNET_FUZZ_ARTIFACTS:-$work/artifacts}
mkdir -p "$art"
trap 'rm -rf "$work/seeds"' EXIT
export ILNET_FUZZ_MODEL=$src/models/il2_il7.bngl ILNET_FUZZ_MODELS=$src/models
export ILNET_FUZZ_PETAB=$ref/petab/test-suite/v1.0.0/sbml/0001
export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS=suppressions=$src/tests/lsan.supp:print_suppressions=0

seeds() { # HARNESS DIR: the seed files of a harness into DIR
  local h=$1 d=$2
  mkdir -p "$d"
  case $h in
  bngl) find "$src/models" "$src/tests/data" "$ref/bng" -name '*.bngl' -size -200k 2>/dev/null ;;
  net) find "$src/models" "$ref/bng" -name '*.net' -size -200k 2>/dev/null | head -40 ;;
  config) find "$src/configs" "$src/benchmarks" -name '*.yaml' 2>/dev/null ;;
  sbml) { find "$src/tests/data" -name '*.xml'; find "$ref" -path '*sbml*' -name '*-sbml-l3v2.xml' \
            -size -20k 2>/dev/null | sort | head -300; } ;;
  petab) find "$ref/petab/test-suite/v1.0.0/sbml" -mindepth 1 -maxdepth 1 -type d 2>/dev/null ;;
  esac | while read -r f; do
    if [ -d "$f" ]; then # a PEtab case: its tables as sections of one input
      for s in parameters observables conditions measurements; do
        echo "=== $s"; cat "$f/_$s.tsv"
      done >"$d/petab_$(basename "$f")"
    else
      cp "$f" "$d/$(echo "$f" | md5sum | cut -c1-12)_$(basename "$f")"
    fi
  done \
    || true # head closing the pipe early is not a failure
}

status=0
for h in "${harnesses[@]}"; do
  bin=$build/tests/fuzz/fuzz_$h
  [ -x "$bin" ] || { echo "fuzz: $bin missing (build with -DILNET_FUZZ=ON)" >&2; exit 1; }
  seeds "$h" "$work/seeds/$h"
  corpus=$work/corpus/$h
  mkdir -p "$corpus"
  n=$(ls "$work/seeds/$h" | wc -l)
  # replay: every seed and reproducer once, no mutation
  if ! "$bin" -runs=0 -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$art/$h-" \
      "$work/seeds/$h" "$here/regressions/$h" >"$work/$h.replay.log" 2>&1; then
    echo "fuzz $h: replay of $n seeds and the reproducers FAILED:" >&2
    tail -30 "$work/$h.replay.log" >&2
    status=1
    continue
  fi
  budget=(-max_total_time="$seconds")
  [ -z "${ILNET_FUZZ_RUNS:-}" ] || budget+=(-seed=1 -runs="$ILNET_FUZZ_RUNS")
  if ! "$bin" "${budget[@]}" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
      -dict="$here/$h.dict" -artifact_prefix="$art/$h-" -print_final_stats=1 \
      "$corpus" "$work/seeds/$h" >"$work/$h.log" 2>&1; then
    echo "fuzz $h: FINDING (artifacts in $art):" >&2
    grep -E 'ERROR|SUMMARY|Test unit written|==[0-9]+==' "$work/$h.log" | head -20 >&2
    status=1
    continue
  fi
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$h.log")
  cov=$(grep -o 'cov: [0-9]*' "$work/$h.log" | tail -1)
  echo "fuzz $h: $n seeds + reproducers replayed; $execs executions${ILNET_FUZZ_RUNS:+ (seed 1)}" \
    "in at most ${seconds} s, $cov, no finding"
done
[ $status -eq 0 ] && rm -rf "$work" || echo "fuzz: logs and artifacts in $work" >&2
exit $status
