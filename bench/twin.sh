#!/usr/bin/env bash
# bench/twin.sh -- the live twin's two speeds: telemetry messages ingested per
# second on one core (parse, validate, dedup, apply; from a JSON Lines log
# through `fabtwin twin --replay`, no forecasts), and the latency of one
# end-of-shift forecast with 100 replications for each shipped model (every
# 10 min over an emulated 06:00-14:00 shift). Writes the "twin" section of
# bench/RESULTS.md. Targets: >= 200,000 messages/s; forecast P95 < 200 ms.
#
# The ingest log is a week of the elevator line in 7 emulated days with each
# day's gateway named apart (so their seqs do not collide), concatenated and
# repeated with fresh gateway names until it holds at least N messages.
# Start-up (loading the model, its calibration run) is cancelled out by also
# timing a log of N/10 messages and dividing the difference.
#
# usage: bench/twin.sh   (env: N (default 1000000), RUNS (3), BUILD_DIR (build-bench))
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-1000000}
RUNS=${RUNS:-3}
B=${BUILD_DIR:-build-bench}
FT=$B/fabtwin
cmake -S . -B "$B" -DCMAKE_BUILD_TYPE=Release -DFT_WERROR=ON >/dev/null
cmake --build "$B" --target fabtwin -j "$(nproc)" >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# ---- the ingest log ----------------------------------------------------------
for d in 0 1 2 3 4 5 6; do
  "$FT" emulate models/elevator-line.yaml --day $d --start 00:00 --shift-end 23:59 \
    --seed $((d + 1)) --out "$tmp/day$d.jsonl"
done
python3 - "$tmp" "$N" <<'PY'
import sys
tmp, n = sys.argv[1], int(sys.argv[2])
days = [open(f"{tmp}/day{d}.jsonl").read().splitlines() for d in range(7)]
written, rnd = 0, 0
with open(f"{tmp}/big.jsonl", "w") as big, open(f"{tmp}/small.jsonl", "w") as small:
    while written < n:
        for d, lines in enumerate(days):
            for line in lines:
                line = line.replace('"gw":"gw0"', f'"gw":"r{rnd}d{d}"', 1) + "\n"
                big.write(line)
                if written < n // 10:
                    small.write(line)
                written += 1
        rnd += 1
print(written, file=open(f"{tmp}/count", "w"))
PY
total=$(cat "$tmp/count")
small=$(wc -l <"$tmp/small.jsonl")
wall() {
  local t0 t1
  t0=$(date +%s.%N)
  taskset -c 0 "$FT" twin models/elevator-line.yaml --replay "$1" --forecast-every 0s \
    --json /dev/null --quiet
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc -l
}
for r in $(seq 1 "$RUNS"); do
  a=$(wall "$tmp/small.jsonl")
  b=$(wall "$tmp/big.jsonl")
  echo "($total - $small) / ($b - $a)" | bc -l
done | median >"$tmp/rate"
rate=$(printf '%.0f' "$(cat "$tmp/rate")")

# ---- forecast latency ----------------------------------------------------------
lat_rows=""
for model in models/elevator-line.yaml models/elevator-line-unbalanced.yaml models/textile-line.yaml; do
  "$FT" emulate "$model" --start 06:00 --shift-end 14:00 --out "$tmp/shift.jsonl"
  "$FT" twin "$model" --replay "$tmp/shift.jsonl" --shift-end 14:00 --forecast-every 10min \
    --replications 100 --json "$tmp/f.jsonl" --quiet
  read -r n p50 p95 mx < <(python3 - "$tmp/f.jsonl" <<'PY'
import json, sys
ms = sorted(json.loads(l)["forecast"]["elapsed_ms"] for l in open(sys.argv[1]))
q = lambda p: ms[min(len(ms) - 1, max(0, -(-int(p * len(ms) * 1000) // 1000) - 1))]
print(len(ms), f"{q(0.5):.1f}", f"{q(0.95):.1f}", f"{ms[-1]:.1f}")
PY
)
  lat_rows+="| \`$model\` | $n | $p50 | $p95 | $mx |"$'\n'
done

load=$(cut -d' ' -f1-3 /proc/loadavg)
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
{
  echo "## Live twin: ingest rate and forecast latency"
  echo
  echo "Written by \`bench/twin.sh\`. Ingest: \`fabtwin twin --replay\` of $total telemetry messages"
  echo "(a week of the elevator line, repeated) pinned to one core, start-up cancelled out; median of $RUNS runs."
  echo "Forecast: 100 replications from the mirrored state to 14:00, every 10 min of an emulated 06:00-14:00 shift."
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); machine: $cpu, $(nproc) CPUs; load average at the end: $load (shared, noisy)"
  echo
  echo "| figure | measured | target |"
  echo "|---|---:|---:|"
  echo "| messages ingested per second, one core | $rate | ≥ 200,000 |"
  echo
  echo "| model | forecasts | P50 ms | P95 ms | max ms |"
  echo "|---|---:|---:|---:|---:|"
  printf '%s' "$lat_rows"
  echo
  echo "Target: forecast P95 < 200 ms with 100 replications."
} >"$tmp/section.md"
bash bench/put-section.sh twin "$tmp/section.md"
cat "$tmp/section.md"
