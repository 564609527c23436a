#!/usr/bin/env bash
# bench/run.sh -- fabtwin against SimPy 2.3.1 (Debian's python3-simpy); writes bench/RESULTS.md.
#
# What it measures, each side RUNS times (default 3, interleaved, run i with seed i on both
# sides; medians are reported):
#  - M/M/1 (bench/mm1.yaml, rho 0.8): fabtwin simulates the full 1e8 s (~10 M customers);
#    SimPy (bench/simpy_mm1.py) simulates SIMPY_MM1_N customers (default 1 M) because it is
#    slow. The two are compared per customer: wall time / customers served.
#  - 10-station tandem line with buffers of 5, blocking and failures (bench/tandem10.yaml):
#    fabtwin simulates 500 d, SimPy (bench/simpy_tandem10.py) SIMPY_TANDEM_S seconds (default
#    50 d); compared per item finished.
#  - fabtwin's events per second (the "events" count of its JSON report / wall time).
#  - Memory: fabtwin's max RSS on M/M/1 at ~1e7 and ~1e8 events (should be flat), and bytes
#    per pending event in the kernel (bench/pending_mem.c, built here against the library).
# Wall time: fabtwin's is the whole process (load + run, from outside); SimPy's is measured
# inside the script around initialize() .. simulate(), without the interpreter's start-up --
# both choices favour SimPy. Max RSS comes from /usr/bin/time (%M). Sanity KPIs (M/M/1 mean
# time in system, tandem throughput) of both sides go into the report.
#
# usage: bench/run.sh    (env: RUNS, SIMPY_MM1_N, SIMPY_TANDEM_S; BUILD_DIR, default build-bench)
# Needs cmake, a C compiler, libyaml, jansson and python3-simpy (bash scripts/deps installs them).
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}
SIMPY_MM1_N=${SIMPY_MM1_N:-1000000}
SIMPY_TANDEM_S=${SIMPY_TANDEM_S:-4320000}   # 50 d, a tenth of fabtwin's 500 d
PY=/usr/bin/python3                         # Debian's python, the one with SimPy 2
B=${BUILD_DIR:-build-bench}
FT=$B/fabtwin

echo "== building fabtwin (Release) in $B"
cmake -S . -B "$B" -DCMAKE_BUILD_TYPE=Release -DFT_WERROR=ON >/dev/null
cmake --build "$B" --target fabtwin -j "$(nproc)" >/dev/null
cc -std=c17 -O2 -D_POSIX_C_SOURCE=200809L -I include -I src bench/pending_mem.c \
   "$B/libfabtwin_core.a" -lm -o "$B/pending_mem"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rows=$tmp/rows.tsv   # side model run wall_s maxrss_kb events items kpi
: >"$rows"

# measure OUT CMD...: run CMD with stdout to OUT; sets WALL (s, from outside) and RSS (kB)
measure() {
  local out=$1; shift
  local t0=$EPOCHREALTIME
  /usr/bin/time -f '%M' -o "$tmp/rss" "$@" >"$out"
  local t1=$EPOCHREALTIME
  WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
  RSS=$(tail -n 1 "$tmp/rss")
}

# fabtwin MODEL TAG RUN [options]: one run, one row (kpi: W for M/M/1, per hour for the tandem)
fabtwin() {
  local model=$1 tag=$2 run=$3; shift 3
  measure "$tmp/out.json" "$FT" run "$model" --quiet --json - "$@"
  read -r events items w ph < <($PY -c 'import json, sys
r = json.load(open(sys.argv[1])); p = r["products"][0]
print(r["events"], p["produced"], p["cycle_time_s"]["mean"], p["per_hour"])' "$tmp/out.json")
  local kpi=$ph; [ "$tag" != tandem ] && kpi=$w
  printf 'fabtwin\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$tag" "$run" "$WALL" "$RSS" "$events" "$items" "$kpi" >>"$rows"
  echo "   fabtwin $tag: ${WALL}s, $events events, $items items, kpi $kpi, max RSS ${RSS} kB"
}

# simpy SCRIPT TAG RUN ARG: one run with seed RUN, one row (wall from the script's own wall_s)
simpy() {
  local script=$1 tag=$2 run=$3 arg=$4
  measure "$tmp/simpy.txt" "$PY" "$script" "$arg" "$run"
  local line; line=$(cat "$tmp/simpy.txt")
  local wall items kpi
  wall=$(sed -E 's/.*wall_s=([^ ]+).*/\1/' <<<"$line")
  items=$(sed -E 's/.*(customers|items)=([^ ]+).*/\2/' <<<"$line")
  kpi=$(sed -E 's/.*(W_s|per_hour)=([^ ]+).*/\2/' <<<"$line")
  printf 'simpy\t%s\t%s\t%s\t%s\t\t%s\t%s\n' "$tag" "$run" "$wall" "$RSS" "$items" "$kpi" >>"$rows"
  echo "   simpy   $tag: ${wall}s, $items items, kpi $kpi, max RSS ${RSS} kB"
}

for i in $(seq 1 "$RUNS"); do
  echo "== run $i of $RUNS"
  fabtwin bench/mm1.yaml mm1 "$i" --seed "$i"
  simpy bench/simpy_mm1.py mm1 "$i" "$SIMPY_MM1_N"
  fabtwin bench/tandem10.yaml tandem "$i" --seed "$i"
  simpy bench/simpy_tandem10.py tandem "$i" "$SIMPY_TANDEM_S"
done

echo "== memory: M/M/1 at ~1e7 and ~1e8 events, pending events"
fabtwin bench/mm1.yaml mem1e7 1 --length 5e7s
fabtwin bench/mm1.yaml mem1e8 1 --length 5e8s
pending=$("$B/pending_mem" 1e7)
echo "   pending_mem: $pending"

echo "== writing the kernel section of bench/RESULTS.md"
MODEL_NAME=$(lscpu | sed -nE 's/^Model name: *//p' | head -n 1) \
CPUS=$(nproc) LOADAVG=$(cut -d' ' -f1-3 /proc/loadavg) DATE=$(date -u '+%Y-%m-%d %H:%M UTC') \
GIT=$(git rev-parse --short HEAD 2>/dev/null || echo "no commit yet") \
PENDING=$pending RUNS=$RUNS SIMPY_MM1_N=$SIMPY_MM1_N SIMPY_TANDEM_S=$SIMPY_TANDEM_S \
  $PY - "$rows" >"$tmp/section.md" <<'EOF'
import os, statistics as st, sys
E = os.environ
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
def sel(side, tag): return [r for r in rows if r[0] == side and r[1] == tag]
def med(rs, col, f=float): return st.median(f(r[col]) for r in rs)
def per_item_us(rs): return st.median(float(r[3]) / float(r[6]) * 1e6 for r in rs)

print("## Kernel: fabtwin vs SimPy\n")
print("Written by `bench/run.sh` (edit that, not this file).\n")
print(f"- date: {E['DATE']}; commit: {E['GIT']}")
print(f"- machine: {E['MODEL_NAME']}, {E['CPUS']} CPUs; load average at the end: {E['LOADAVG']} (shared, noisy machine: medians of {E['RUNS']} interleaved runs)")
print("- fabtwin: Release build (`cmake -DCMAKE_BUILD_TYPE=Release -DFT_WERROR=ON`, i.e. -O3 with link-time optimisation), `build-bench/fabtwin run MODEL --quiet --json -`; wall time of the whole process")
print("- SimPy 2.3.1 (Debian python3-simpy) under /usr/bin/python3; wall time measured inside the script (initialize .. simulate), interpreter start-up excluded")
print(f"- **SimPy runs shorter horizons than fabtwin** (it is slow): M/M/1 {int(E['SIMPY_MM1_N']):,} customers vs fabtwin's ~10 M; "
      f"tandem {float(E['SIMPY_TANDEM_S'])/86400:g} d vs fabtwin's 500 d. The speed ratio is therefore computed **per customer / per item**: "
      "(SimPy wall / customers) / (fabtwin wall / customers).\n")

print("### Speed (medians)\n")
print("| model | side | simulated | customers/items | wall s | µs per customer/item | customers/items per s | events | events/s | ns per event | max RSS MB | KPI |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
ratios = {}
for tag, name, kpi in (("mm1", "M/M/1", "W s (theory 40)"), ("tandem", "tandem 10", "per hour")):
    f, s = sel("fabtwin", tag), sel("simpy", tag)
    fu, su = per_item_us(f), per_item_us(s)
    ratios[tag] = su / fu
    ev = med(f, 5)
    horizon = {"mm1": ("1e8 s", f"{float(E['SIMPY_MM1_N'])*10:.0e} s"), "tandem": ("500 d", f"{float(E['SIMPY_TANDEM_S'])/86400:g} d")}[tag]
    print(f"| {name} | fabtwin | {horizon[0]} | {med(f,6):,.0f} | {med(f,3):.2f} | {fu:.3f} | {1e6/fu:,.0f} | {ev:,.0f} | {ev/med(f,3):,.0f} | {med(f,3)/ev*1e9:.0f} | {med(f,4)/1024:.1f} | {kpi} {med(f,7):.3f} |")
    print(f"| {name} | SimPy | {horizon[1]} | {med(s,6):,.0f} | {med(s,3):.2f} | {su:.3f} | {1e6/su:,.0f} | | | | {med(s,4)/1024:.1f} | {kpi} {med(s,7):.3f} |")
print()
print("| model | speed-up of fabtwin over SimPy (per customer/item) | target |")
print("|---|---|---|")
for tag, name in (("mm1", "M/M/1"), ("tandem", "tandem 10")):
    print(f"| {name} | **{ratios[tag]:.0f}x** | ≥ 100x: {'met' if ratios[tag] >= 100 else 'NOT met'} |")
fk, sk = med(sel("fabtwin", "tandem"), 7), med(sel("simpy", "tandem"), 7)
print(f"\nSanity (medians over seeds 1..{E['RUNS']}): M/M/1 mean time in system fabtwin {med(sel('fabtwin','mm1'),7):.2f} s, SimPy {med(sel('simpy','mm1'),7):.2f} s (theory 40 s); "
      f"tandem throughput fabtwin {fk:.2f}/h, SimPy {sk:.2f}/h (fabtwin {(fk/sk-1)*100:+.2f} %). "
      "SimPy's shorter horizons carry more sampling noise (on the tandem, about ±1 % between seeds at 50 d).\n")

print("All runs (wall s, max RSS kB, events, customers/items, KPI):\n")
print("| side | model | run | wall s | max RSS kB | events | items | KPI |")
print("|---|---|---|---|---|---|---|---|")
for r in rows:
    print("| " + " | ".join(r) + " |")

print("\n### Memory\n")
m1, m2 = sel("fabtwin", "mem1e7")[0], sel("fabtwin", "mem1e8")[0]
print("Flat over a long run: fabtwin on M/M/1 (`--length 5e7s` and `--length 5e8s`):\n")
print("| run | events | wall s | max RSS kB |")
print("|---|---|---|---|")
for r in (m1, m2):
    print(f"| {r[1]} | {int(r[5]):,} | {r[3]} | {r[4]} |")
print(f"\nMax RSS ratio (1e8 / 1e7 events): {float(m2[4])/float(m1[4]):.3f}.\n")
kv = dict(x.split("=") for x in E["PENDING"].split())
print(f"Bytes per pending event (`bench/pending_mem.c`: {int(kv['pending']):,} events scheduled on a bare kernel, "
      f"resident set growth / events, from /proc/self/statm): **{kv['rss_bytes_per_event']} bytes** "
      f"(peak resident set, VmHWM: {kv['peak_bytes_per_event']} bytes; target ≤ ~100).")
EOF
bash bench/put-section.sh kernel "$tmp/section.md"
echo "done: bench/RESULTS.md"
