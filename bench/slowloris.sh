#!/usr/bin/env bash
# bench/slowloris.sh -- the dashboard server under a slow-client attack:
# SLOW (default 1000) slowloris connections from 125 loopback addresses
# (8 each, under the per-address limit, so that limit does not shed them)
# that trickle a header byte every 5 s (under the 10 s timeout, so the
# timeout does not shed them either), then CLIENTS (default 200) normal
# event-stream clients from 50 other addresses, read for DURATION seconds
# (default 30), while a plant runs at 100 x real time. RUNS runs (default 3);
# the section "slowloris" of bench/RESULTS.md gets each run and the medians.
# Normal clients that got no state at all are "starved"; the goal is none.
# With OLD=path/to/an/older/fabtwin, that binary is measured the same way
# (its default options) for comparison.
# usage: bench/slowloris.sh   (env: SLOW, CLIENTS, DURATION, RUNS, MODEL, BUILD_DIR, OLD)
# Traffic goes to 127.0.0.1 only; every client stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
SLOW=${SLOW:-1000}
CLIENTS=${CLIENTS:-200}
DURATION=${DURATION:-30}
RUNS=${RUNS:-3}
MODEL=${MODEL:-models/lights-out-plant.yaml}
B=${BUILD_DIR:-build-bench}
ulimit -n 8192 2>/dev/null || true   # the clients' sockets: $SLOW + $CLIENTS in this shell's children
cmake -S . -B "$B" -DCMAKE_BUILD_TYPE=Release -DFT_WERROR=ON >/dev/null
cmake --build "$B" --target fabtwin -j "$(nproc)" >/dev/null
out=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$out"' EXIT

# run BINARY LABEL: one run; appends a JSON line to $out/LABEL.jsonl
run() {
  local bin=$1 label=$2 port pid
  port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  "$bin" serve "$MODEL" --port "$port" --speed 100 >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.05; done
  /usr/bin/python3 bench/slowloris.py "$port" "$SLOW" 125 5 $((DURATION + 10)) >"$out/slow.txt" &
  local slow=$!
  for _ in $(seq 1 600); do grep -q ready "$out/slow.txt" 2>/dev/null && break; sleep 0.1; done
  local load
  load=$(/usr/bin/python3 bench/sse_load.py "http://127.0.0.1:$port" "$CLIENTS" "$DURATION" "$pid" 50)
  local state
  state=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' --max-time 10 "http://127.0.0.1:$port/api/state" || true)
  wait "$slow" || true
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
  /usr/bin/python3 - "$load" "$(tail -n 1 "$out/slow.txt")" "$state" >>"$out/$label.jsonl" <<'PY'
import json, sys
d = json.loads(sys.argv[1]); d.update({"slow": json.loads(sys.argv[2])})
code, t = (sys.argv[3].split() + ["000", "0"])[:2]
d["state_code"], d["state_s"] = code, float(t)
print(json.dumps(d))
PY
  tail -n 1 "$out/$label.jsonl"
}

for i in $(seq 1 "$RUNS"); do run "$B/fabtwin" new; done
if [ -n "${OLD:-}" ]; then for i in $(seq 1 "$RUNS"); do run "$OLD" old; done; fi

/usr/bin/python3 - "$out" "${OLD:+old}" >"$out/section.md" <<PY
import json, os, statistics, sys
out, labels = sys.argv[1], ["new"] + ([sys.argv[2]] if sys.argv[2] else [])
print("## Dashboard server: slow clients (slowloris)\n")
print("Written by \`bench/slowloris.sh\`: \`fabtwin serve $MODEL --speed 100\` with its default limits "
      "(10 s timeout, 64 connections per address). $SLOW slowloris connections from 125 loopback "
      "addresses ($(( (SLOW + 124) / 125 )) at most each) send half a request and then a header byte every 5 s; then $CLIENTS normal "
      "clients from 50 other addresses read /api/events for $DURATION s (the server publishes 20 states "
      "a second, so a client that keeps up gets about $((DURATION * 20))). Runs: $RUNS each; a client "
      "with no state at all is starved.\n")
print("- date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit: $(git rev-parse --short HEAD)")
if len(labels) > 1:
    print("- before: \`$OLD\`, an older build measured the same way (its default options)")
print("- machine: $(lscpu | sed -nE 's/^Model name: *//p' | head -n 1), $(nproc) CPUs; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (shared, noisy)\n")
print("| server | run | slowloris held / refused / shed | normal clients starved / dropped | states per client (min / median) | first state after (median / max) | GET /api/state during the attack | server RSS peak |")
print("|---|---:|---|---|---|---|---|---:|")
names = {"new": "this commit", "old": "before (thread per connection)"}
med = lambda xs: statistics.median(xs)
for label in labels:
    rows = [json.loads(l) for l in open(os.path.join(out, label + ".jsonl"))]
    def fmt(x):
        return "-" if x is None else f"{x:.2f} s"
    for i, d in enumerate(rows, 1):
        s = d["slow"]
        print(f"| {names[label]} | {i} | {s['held']} / {s['refused']} / {s['shed']} | {d['starved']} / {d['dropped']} | "
              f"{d['events_min']} / {d['events_median']:.0f} | {fmt(d['first_median_s'])} / {fmt(d['first_max_s'])} | "
              f"{d['state_code']} in {d['state_s']:.3f} s | {d['rss_max_kb']/1024:.1f} MB |")
    fm = [d["first_median_s"] for d in rows if d["first_median_s"] is not None]
    fx = [d["first_max_s"] for d in rows if d["first_max_s"] is not None]
    print(f"| {names[label]} | **median** | {med([d['slow']['held'] for d in rows]):.0f} / "
          f"{med([d['slow']['refused'] for d in rows]):.0f} / {med([d['slow']['shed'] for d in rows]):.0f} | "
          f"{med([d['starved'] for d in rows]):.0f} / {med([d['dropped'] for d in rows]):.0f} | "
          f"{med([d['events_min'] for d in rows]):.0f} / {med([d['events_median'] for d in rows]):.0f} | "
          f"{fmt(med(fm) if fm else None)} / {fmt(med(fx) if fx else None)} | "
          f"{med([d['state_s'] for d in rows]):.3f} s | {med([d['rss_max_kb'] for d in rows])/1024:.1f} MB |")
PY
cat "$out/section.md"
bash bench/put-section.sh slowloris "$out/section.md"
