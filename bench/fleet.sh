#!/usr/bin/env bash
# bench/fleet.sh -- the fleet-size curve of the lights-out plant: throughput,
# vehicle utilization, congestion and an item's wait for a vehicle, for 1 to
# MAX (default 16) vehicles, REPS (default 5) replications each with common
# random numbers, 95 % confidence intervals. Also the closed-form ceiling: the
# slowest station's capacity. Writes the "fleet" section of bench/RESULTS.md.
# usage: bench/fleet.sh   (env: MAX, REPS, BUILD_DIR default build-bench)
set -euo pipefail
cd "$(dirname "$0")/.."
MAX=${MAX:-16}
REPS=${REPS:-5}
B=${BUILD_DIR:-build-bench}
cmake -S . -B "$B" -DCMAKE_BUILD_TYPE=Release -DFT_WERROR=ON >/dev/null
cmake --build "$B" --target fabtwin -j "$(nproc)" >/dev/null
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
start=$(date +%s.%N)
"$B/fabtwin" experiment models/lights-out-plant.yaml --vary "fleet.vehicles=1..$MAX" \
    --replications "$REPS" --no-db --json "$out/sweep.json" >/dev/null
secs=$(echo "$(date +%s.%N) - $start" | bc)
tmp="$out/section.md"
/usr/bin/python3 - "$out/sweep.json" "$secs" "$REPS" >"$tmp" <<PY
import json, sys
d = json.load(open(sys.argv[1]))
secs, reps = float(sys.argv[2]), int(sys.argv[3])
# the ceiling: the paint shop, tri(70 s, 75 s, 82 s) per housing, one server
ceiling = 3600 / ((70 + 75 + 82) / 3)
print("## AGV fleet size: the lights-out plant\n")
print("Written by \`bench/fleet.sh\`: \`fabtwin experiment models/lights-out-plant.yaml "
      f"--vary fleet.vehicles=1..N --replications {reps}\` (1 simulated day after a 2 h warm-up each, "
      "common random numbers, 95 % confidence intervals).\n")
print("- date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit: $(git rev-parse --short HEAD)")
print("- machine: $(lscpu | sed -nE 's/^Model name: *//p' | head -n 1), $(nproc) CPUs (shared, noisy); "
      f"whole sweep {secs:.1f} s wall\n")
print(f"Ceiling: the paint shop (喷涂), mean 75.67 s per housing: {ceiling:.1f} hoods per hour.\n")
print("| vehicles | hoods per hour | utilization | held by traffic | item wait for a vehicle (mean) | bottleneck (replications) |")
print("|---:|---|---:|---:|---:|---|")
rows = []
for s in d["scenarios"]:
    k = s["kpis"]
    rows.append((int(list(s["set"].values())[0]), k["plant.throughput_per_hour"]["mean"],
                 k["fleet.utilization"]["mean"]))
    def f(name, scale=1, digits=1):
        x = k[name]
        hw = x.get("half_width")
        return f"{x['mean']*scale:.{digits}f}" + (f" ± {hw*scale:.{digits}f}" if hw is not None else "")
    n = list(s["set"].values())[0]
    bn = ", ".join(f"{b['station'] or 'none'} ({b['replications']})" for b in s["bottleneck"])
    print(f"| {n} | {f('plant.throughput_per_hour')} | {f('fleet.utilization', 100, 0)} % | "
          f"{f('fleet.blocked', 100, 1)} % | {f('fleet.wait_mean_s', 1, 0)} s | {bn} |")
best = max(r[1] for r in rows)
knee = min(r for r in rows if r[1] >= 0.97 * best)
print(f"\nThe curve flattens from {knee[0]} vehicles at {knee[1]:.1f} hoods per hour "
      f"({100 * knee[1] / ceiling:.0f} % of the paint shop's ceiling; best {best:.1f}); there the "
      f"vehicles are busy {100 * knee[2]:.0f} % of the time. Beyond it more vehicles only shorten "
      "the wait for transport: what is left of the gap to the ceiling is the paint shop starving "
      "or blocked while its items are loaded, carried and unloaded (about a minute per hop, "
      "which the 2-place buffers do not fully hide).")
PY
bash bench/put-section.sh fleet "$tmp"
sed -n '/begin fleet/,/end fleet/p' bench/RESULTS.md
