#!/usr/bin/env bash
# MPI scaling of a study sweep: `mpirun -np N build-mpi/ilnet run CONFIG --threads T` for
# each N: the run's own time as rank 0 reports it (from the first point to the final
# compressed file; throughput and speed-up come from it), the speed-up of the points phase
# alone (points_x: without the final file, which rank 0 writes alone), and the whole
# command's time (with mpirun's start-up, about 0.45 s here),
# the median of REPS runs (the rank counts taken in turn, so that a slow spell of a shared
# machine hits all of them), points per second, speed-up over the first N, output size.
# usage: benchmarks/bench_mpi.sh [CONFIG.yaml (benchmarks/sweep_10k.yaml)] [RANKS (1 2)]
#                                [THREADS (1)] [REPS (3)]
set -euo pipefail
cd "$(dirname "$0")/.."
config=${1:-benchmarks/sweep_10k.yaml}
ranks=${2:-1 2}
threads=${3:-1}
reps=${4:-3}
bin=build-mpi/ilnet
[ -x "$bin" ] || { echo "build the MPI variant first: ./scripts/setup --mpi" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# "CONFIG: valid: E experiments, N points"
points=$(build/ilnet run "$config" --check | sed -n 's/.*, \([0-9]*\) points*$/\1/p')
echo "# ilnet bench_mpi: $config, $points points, $threads thread(s) per rank, $(nproc) cores, median of $reps"
declare -A times cmd pts
for ((r = 0; r < reps; r++)); do
  for n in $ranks; do
    t0=$(date +%s.%N)
    line=$(mpirun --allow-run-as-root --oversubscribe --bind-to none -np "$n" "$bin" run "$config" \
      --threads "$threads" --overwrite -o "$out/r$n.h5")
    t1=$(date +%s.%N)
    # the run's own time (rank 0: first point to final file), then the whole command's
    times[$n]="${times[$n]:-} $(echo "$line" | sed -n 's/.* points* in \([0-9.]*\) s .*/\1/p')"
    pts[$n]="${pts[$n]:-} $(echo "$line" | sed -n 's/.*; points \([0-9.]*\) s.*/\1/p')"
    cmd[$n]="${cmd[$n]:-} $(echo "$t1 - $t0" | bc -l)"
  done
done
printf "%-6s %10s %10s %8s %9s %10s %10s   %s\n" ranks run_s pts/s speedup points_x command_s file_MB "runs (s)"
base=""
for n in $ranks; do
  el=$(echo ${times[$n]} | tr ' ' '\n' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  ce=$(echo ${cmd[$n]} | tr ' ' '\n' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  pe=$(echo ${pts[$n]} | tr ' ' '\n' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  [ -n "${pbase:-}" ] || pbase=$pe
  rate=$(echo "$points / $el" | bc -l)
  [ -n "$base" ] || base=$rate
  mb=$(echo "$(stat -c %s "$out/r$n.h5") / 1048576" | bc -l)
  printf "%-6s %10.3f %10.1f %8.2f %9.2f %10.3f %10.1f  %s\n" "$n" "$el" "$rate" "$(echo "$rate / $base" | bc -l)" \
    "$(echo "$pbase / $pe" | bc -l)" "$ce" "$mb" \
    "$(printf ' %.2f' ${times[$n]})"
done
