#!/usr/bin/env bash
# bench/serve.sh -- the dashboard server under load: CLIENTS (default 200)
# concurrent event streams on loopback for DURATION seconds (default 60) while a plant
# (MODEL) runs at 100x real time. Reports dropped clients, events each
# client received, and the server's resident memory over the run (it should
# stay flat). Writes the "serve" section of bench/RESULTS.md.
# usage: bench/serve.sh   (env: CLIENTS, DURATION (s), MODEL default the lights-out plant with its
#                          12 AGVs in every state, BUILD_DIR default build-bench)
set -euo pipefail
cd "$(dirname "$0")/.."
CLIENTS=${CLIENTS:-200}
DURATION=${DURATION:-60}
MODEL=${MODEL:-models/lights-out-plant.yaml}
B=${BUILD_DIR:-build-bench}
cmake -S . -B "$B" -DCMAKE_BUILD_TYPE=Release -DFT_WERROR=ON >/dev/null
cmake --build "$B" --target fabtwin -j "$(nproc)" >/dev/null
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$B/fabtwin" serve "$MODEL" --port "$port" --speed 100 >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait 2>/dev/null' EXIT
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.05; done
r=$(/usr/bin/python3 bench/sse_load.py "http://127.0.0.1:$port" "$CLIENTS" "$DURATION" "$pid")
echo "$r"
tmp=$(mktemp)
/usr/bin/python3 - "$r" >"$tmp" <<PY
import json, sys
d = json.loads(sys.argv[1])
print("## Dashboard server: concurrent event streams\n")
print("Written by \`bench/serve.sh\`: \`fabtwin serve $MODEL --speed 100\`, "
      f"{d['clients']} clients on loopback reading /api/events for {d['seconds']:.0f} s (Python threads, "
      "one HTTP connection each; the server publishes 20 states a second).\n")
print("- date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit: $(git rev-parse --short HEAD)")
print("- machine: $(lscpu | sed -nE 's/^Model name: *//p' | head -n 1), $(nproc) CPUs; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (shared, noisy)\n")
print("| clients | dropped | events per client (min / median / max) | server RSS start → end (peak) |")
print("|---:|---:|---|---|")
print(f"| {d['clients']} | {d['dropped']} | {d['events_min']} / {d['events_median']:.0f} / {d['events_max']} | "
      f"{d['rss_start_kb']/1024:.1f} → {d['rss_end_kb']/1024:.1f} MB ({d['rss_max_kb']/1024:.1f} MB) |")
PY
bash bench/put-section.sh serve "$tmp"
rm -f "$tmp"
cat bench/RESULTS.md | sed -n '/begin serve/,/end serve/p'
