#!/usr/bin/env bash
# bench/experiment.sh -- experiment throughput: replications per second of
# the elevator line on 1 and 2 threads (the speed-up from threads), the cost
# of storing every replication in SQLite, and the overhead MPI adds per
# replication. Writes the "experiment" section of bench/RESULTS.md.
#
# Each figure is the median of RUNS runs (default 3). Replications are one
# simulated day each (models/elevator-line.yaml, 2 h warm-up). Process start-up
# and model loading are cancelled out by timing a run of one replication and
# one of N and dividing the difference by N - 1.
#
# usage: bench/experiment.sh   (env: RUNS, N (default 3000), BUILD_DIR default build-bench)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
N=${N:-3000}
B=${BUILD_DIR:-build-bench}
FT=$B/fabtwin
MODEL=models/elevator-line.yaml
cmake -S . -B "$B" -DCMAKE_BUILD_TYPE=Release -DFT_WERROR=ON >/dev/null
cmake --build "$B" --target fabtwin -j "$(nproc)" >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

wall() { # command... -> seconds
  local t0 t1
  t0=$(date +%s.%N)
  "$@" >/dev/null 2>&1
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc -l
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# seconds per replication: (time(N) - time(1)) / (N - 1), median over RUNS
per_rep() { # label, extra args...
  local label=$1
  shift
  for r in $(seq 1 "$RUNS"); do
    rm -f "$tmp"/*.sqlite*
    a=$(wall "$@" --replications 1 --db "$tmp/a.sqlite")
    b=$(wall "$@" --replications "$N" --db "$tmp/b.sqlite")
    echo "($b - $a) / ($N - 1)" | bc -l
  done | median
}

exp=("$FT" experiment "$MODEL" --quiet)
echo "== threads"
t1=$(per_rep t1 "${exp[@]}" --threads 1 --no-db)
t2=$(per_rep t2 "${exp[@]}" --threads 2 --no-db)
echo "== SQLite"
t1db=$(per_rep t1db "${exp[@]}" --threads 1)
mpi="skipped (no mpirun or fabtwin built without MPI)"
if command -v mpirun >/dev/null && "$FT" version | grep -q MPI; then
  echo "== MPI (2 worker ranks + rank 0)"
  m=(mpirun --allow-run-as-root --oversubscribe -np 3 "$FT" experiment "$MODEL" --quiet)
  tm=$(per_rep mpi "${m[@]}" --no-db)
  mpi=$(echo "($tm - $t2) * 1000000" | bc -l)
fi
events=$("$FT" run "$MODEL" --quiet --json - | python3 -c 'import json,sys; print(json.load(sys.stdin)["events"])')

cat >"$tmp/section.md" <<MD
## Experiments: replications per second

Written by \`bench/experiment.sh\` (RUNS=$RUNS, N=$N; medians; per-replication time from the
difference between runs of 1 and N replications, so start-up and model loading cancel out).

- date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit: $(git rev-parse --short HEAD)
- machine: $(lscpu | sed -nE 's/^Model name: *//p' | head -n 1), $(nproc) CPUs; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (shared, noisy)
- model: \`$MODEL\`, one replication = 2 h warm-up + 1 d ($events events)

| run | ms per replication | replications per second |
|---|---:|---:|
| 1 thread, no database | $(printf '%.3f' "$(echo "$t1 * 1000" | bc -l)") | $(printf '%.0f' "$(echo "1 / $t1" | bc -l)") |
| 2 threads, no database | $(printf '%.3f' "$(echo "$t2 * 1000" | bc -l)") | $(printf '%.0f' "$(echo "1 / $t2" | bc -l)") |
| 1 thread, SQLite store | $(printf '%.3f' "$(echo "$t1db * 1000" | bc -l)") | $(printf '%.0f' "$(echo "1 / $t1db" | bc -l)") |

- speed-up from 2 threads: **$(printf '%.2f' "$(echo "$t1 / $t2" | bc -l)")×** (target ≥ 1.8×)
- cost of storing a replication in SQLite (WAL, up to 64 replications per transaction): $(printf '%.0f' "$(echo "($t1db - $t1) * 1000000" | bc -l)") µs
- MPI overhead per replication (3 ranks = 2 workers + the coordinator, vs 2 threads): $(if [[ $mpi == skipped* ]]; then echo "$mpi"; else printf '%.0f µs' "$mpi"; fi)
MD
bash bench/put-section.sh experiment "$tmp/section.md"
cat "$tmp/section.md"
