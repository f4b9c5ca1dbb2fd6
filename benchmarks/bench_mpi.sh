#!/usr/bin/env bash
# MPI scaling of a study sweep: `mpirun -np N build-mpi/ilnet run CONFIG --threads T` for
# each N, wall time of the whole command (start-up, the points, the final compressed file),
# points per second, speed-up over the first N, and the output's size.
# usage: benchmarks/bench_mpi.sh [CONFIG.yaml (benchmarks/sweep_10k.yaml)] [RANKS (1 2)] [THREADS (1)]
set -euo pipefail
cd "$(dirname "$0")/.."
config=${1:-benchmarks/sweep_10k.yaml}
ranks=${2:-1 2}
threads=${3:-1}
bin=build-mpi/ilnet
[ -x "$bin" ] || { echo "build the MPI variant first: ./scripts/setup --mpi" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# "CONFIG: valid: E experiments, N points"
points=$(build/ilnet run "$config" --check | sed -n 's/.*, \([0-9]*\) points*$/\1/p')
echo "# ilnet bench_mpi: $config, $points points, $threads thread(s) per rank, $(nproc) cores"
printf "%-6s %10s %10s %8s %10s\n" ranks elapsed_s pts/s speedup file_MB
base=""
for n in $ranks; do
  t0=$(date +%s.%N)
  mpirun --allow-run-as-root --oversubscribe --bind-to none -np "$n" "$bin" run "$config" \
    --threads "$threads" -q -o "$out/r$n.h5"
  t1=$(date +%s.%N)
  el=$(echo "$t1 - $t0" | bc -l)
  rate=$(echo "$points / $el" | bc -l)
  [ -n "$base" ] || base=$rate
  mb=$(echo "$(stat -c %s "$out/r$n.h5") / 1048576" | bc -l)
  printf "%-6s %10.3f %10.1f %8.2f %10.1f\n" "$n" "$el" "$rate" "$(echo "$rate / $base" | bc -l)" "$mb"
done
