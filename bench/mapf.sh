#!/usr/bin/env bash
# bench/mapf.sh -- the MAPF planner (`fabtwin mapf`) on the MovingAI benchmark maps in
# ../shared/data/mapf (read in place, never copied): random-32-32-20, warehouse-10-20-10-2-1,
# room-32-32-4, 25 scenarios each, 100 / 400 / 1000 agents where the scenario has that many
# rows. Writes the section "mapf" of bench/RESULTS.md (bench/put-section.sh).
#
# Two kinds of runs, both with a 10 s limit (TIME_LIMIT):
#  - first solution (--no-anytime): LaCAM with PIBT; success rate, runtime to the first plan
#    (median, max; the planner's own clock, excluding file reading) and its sum-of-costs and
#    sum-of-loss over the lower bound. An instance fails if no plan came within the limit.
#  - anytime (default mode: LaCAM*, then a fresh prioritised plan and neighbourhood search
#    until the limit) on the first ANYTIME_SCENS scenarios of each size, and on all SCENS for
#    the target (1,000 agents on the warehouse): the refined ratios.
# Every plan is validated by the independent checker inside the command before it prints its
# figures (an invalid plan would be a failure, exit 1).
#
# usage: bench/mapf.sh   (env: TIME_LIMIT (10s), SCENS (25), ANYTIME_SCENS (3),
#                          BUILD_DIR (build-bench-mapf), DATA (../shared/data/mapf))
set -euo pipefail
cd "$(dirname "$0")/.."

TIME_LIMIT=${TIME_LIMIT:-10s}
SCENS=${SCENS:-25}
ANYTIME_SCENS=${ANYTIME_SCENS:-3}
B=${BUILD_DIR:-build-bench-mapf}
DATA=${DATA:-../shared/data/mapf}
FT=$B/fabtwin
MAPS="random-32-32-20 warehouse-10-20-10-2-1 room-32-32-4"
SIZES="100 400 1000"

[ -d "$DATA" ] || { echo "bench/mapf.sh: $DATA not found" >&2; exit 1; }
echo "== building fabtwin (Release) in $B"
cmake -S . -B "$B" -DCMAKE_BUILD_TYPE=Release -DFT_WERROR=ON >/dev/null
cmake --build "$B" --target fabtwin -j "$(nproc)" >/dev/null

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rows=$tmp/rows.tsv   # mode map agents scen solved first_s soc lb sol wall_s
short=$tmp/short.txt # sizes a map's scenarios cannot offer
: >"$rows"
: >"$short"

run() { # mode map agents scen
  local mode=$1 map=$2 n=$3 k=$4 extra=""
  [ "$mode" = first ] && extra=--no-anytime
  local t0 t1 line
  t0=$(date +%s.%N)
  line=$("$FT" mapf --map "$DATA/$map/$map.map" --scen "$DATA/$map/$map-random-$k.scen" \
         --agents "$n" --time-limit "$TIME_LIMIT" $extra 2>/dev/null || true)
  t1=$(date +%s.%N)
  python3 - "$mode" "$map" "$n" "$k" "$line" "$t0" "$t1" >>"$rows" <<'PY'
import sys, re
mode, m, n, k, line, t0, t1 = sys.argv[1:]
f = dict(re.findall(r'(\w+)=("[^"]*"|\S+)', line))
ok = f.get("solved") == "yes"
g = lambda key: f.get(key, "") if ok else ""
print("\t".join([mode, m, n, k, "1" if ok else "0", g("first_solution_s"), g("sum_of_costs"),
                 g("lower_bound"), g("sum_of_loss"), "%.3f" % (float(t1) - float(t0))]))
PY
}

for map in $MAPS; do
  rows_in=$(( $(grep -c . "$DATA/$map/$map-random-1.scen") - 1 ))
  for n in $SIZES; do
    if [ "$n" -gt "$rows_in" ]; then
      echo "$map: $n agents: not run, its scenarios have only $rows_in rows" >>"$short"
      continue
    fi
    echo "== $map, $n agents, first solution, $SCENS scenarios"
    for k in $(seq 1 "$SCENS"); do run first "$map" "$n" "$k"; done
    na=$ANYTIME_SCENS
    [ "$map-$n" = warehouse-10-20-10-2-1-1000 ] && na=$SCENS # the target: every scenario
    echo "== $map, $n agents, anytime $TIME_LIMIT, $na scenarios"
    for k in $(seq 1 "$na"); do run anytime "$map" "$n" "$k"; done
  done
  # all the rows a smaller scenario offers, so "up to 1,000 agents" covers its densest case
  if [ "$rows_in" -lt 1000 ] && ! echo " $SIZES " | grep -q " $rows_in "; then
    echo "== $map, all $rows_in agents, first solution, $SCENS scenarios"
    for k in $(seq 1 "$SCENS"); do run first "$map" "$rows_in" "$k"; done
  fi
done

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
python3 - "$rows" "$short" "$(nproc)" "$cpu" "$(date -u '+%Y-%m-%d %H:%M UTC')" \
  "$TIME_LIMIT" "$(cat /proc/loadavg | cut -d' ' -f1-3)" >"$tmp/section.md" <<'PY'
import sys, statistics as st
rows_path, short_path, nproc, cpu, date, limit, load = sys.argv[1:]
rows = [l.rstrip("\n").split("\t") for l in open(rows_path) if l.strip()]
short = [l.strip() for l in open(short_path) if l.strip()]
def groups(mode):
    out = {}
    for r in rows:
        if r[0] == mode:
            out.setdefault((r[1], int(r[2])), []).append(r)
    return out
def fmt(x, d=3): return ("%%.%df" % d) % x
print("## MAPF planner: LaCAM / LaCAM* (`fabtwin mapf`)\n")
print("Written by `bench/mapf.sh` (edit that, not this section).\n")
print(f"- date: {date}; machine: {cpu}, {nproc} CPUs (shared); load average at the end: {load}")
print(f"- MovingAI instances from `../shared/data/mapf`, read in place; time limit {limit} per run;"
      " Release build; runtime = the planner's own clock to the first plan (map and scenario"
      " reading excluded); every plan passed the independent checker")
print("- ratio = cost / lower bound (sum of single-agent BFS distances, 4-connected);"
      " SoC = sum-of-costs (agent cost: last step away from its goal + 1);"
      " SoL = sum-of-loss (steps not resting at the goal, LaCAM*'s objective)\n")
print("### First solution (LaCAM + PIBT, `--no-anytime`)\n")
print("| map | agents | solved | success | runtime median s | runtime max s | SoC/LB mean | SoC/LB max | SoL/LB mean |")
print("|---|---|---|---|---|---|---|---|---|")
first = groups("first")
allok = alln = 0
for (m, n), rs in first.items():
    ok = [r for r in rs if r[4] == "1"]
    allok += len(ok); alln += len(rs)
    if ok:
        t = [float(r[5]) for r in ok]
        soc = [int(r[6]) / int(r[7]) for r in ok]
        sol = [int(r[8]) / int(r[7]) for r in ok]
        print(f"| {m} | {n} | {len(ok)}/{len(rs)} | {100*len(ok)/len(rs):.0f} % | {fmt(st.median(t))} | {fmt(max(t))} | {fmt(st.mean(soc),2)} | {fmt(max(soc),2)} | {fmt(st.mean(sol),2)} |")
    else:
        print(f"| {m} | {n} | 0/{len(rs)} | 0 % | | | | | |")
if short:
    print()
for s in short:
    print(f"- {s}")
print(f"\nOverall success: {allok}/{alln} ({100*allok/max(alln,1):.1f} %).\n")
print("### Anytime (LaCAM* then neighbourhood search, until the limit)\n")
print("| map | agents | scenarios | solved | SoC/LB first (mean) | SoC/LB after refinement (mean) | SoL/LB after (mean) | SoL/LB after (max) |")
print("|---|---|---|---|---|---|---|---|")
for (m, n), rs in groups("anytime").items():
    ok = [r for r in rs if r[4] == "1"]
    if not ok:
        print(f"| {m} | {n} | {len(rs)} | 0 | | | | |"); continue
    firsts = {r[3]: r for r in first.get((m, n), []) if r[4] == "1"}
    f0 = [int(firsts[r[3]][6]) / int(firsts[r[3]][7]) for r in ok if r[3] in firsts]
    soc = [int(r[6]) / int(r[7]) for r in ok]
    sol = [int(r[8]) / int(r[7]) for r in ok]
    print(f"| {m} | {n} | {len(rs)} | {len(ok)} | {fmt(st.mean(f0),2) if f0 else ''} | {fmt(st.mean(soc),2)} | {fmt(st.mean(sol),2)} | {fmt(max(sol),2)} |")
wh = [r for r in rows if r[0] == "first" and r[1].startswith("warehouse") and r[2] == "1000"]
wok = [r for r in wh if r[4] == "1"]
wany = [r for r in rows if r[0] == "anytime" and r[1].startswith("warehouse") and r[2] == "1000"
        and r[4] == "1"]
print("\n### Against the targets\n")
print(f"- ≥ 99 % success up to 1,000 agents: {100*allok/max(alln,1):.1f} % → **{'met' if allok >= 0.99*alln else 'NOT met'}**")
if wok:
    tmax = max(float(r[5]) for r in wok)
    print(f"- 1,000 agents on warehouse-10-20-10-2-1 in under 1 s: {len(wok)}/{len(wh)} solved, first plan in {fmt(st.median([float(r[5]) for r in wok]))} s median, {fmt(tmax)} s max → **{'met' if tmax < 1 and len(wok) == len(wh) else 'NOT met'}**")
wall = [r for r in rows if r[0] == "anytime" and r[1].startswith("warehouse") and r[2] == "1000"]
if wall:
    sol = [int(r[8]) / int(r[7]) for r in wany]
    soc = [int(r[6]) / int(r[7]) for r in wany]
    worst = fmt(max(sol), 3) if sol else "-"
    met = len(wany) == len(wall) and max(sol) <= 1.5
    print(f"- sum-of-loss within 1.5 × the lower bound there, within the {limit} limit: {len(wany)}/{len(wall)} scenarios solved, SoL/LB median {fmt(st.median(sol),3) if sol else '-'}, max {worst} (sum-of-costs: median {fmt(st.median(soc),3) if soc else '-'}, max {fmt(max(soc),3) if soc else '-'}) → **{'met' if met else 'NOT met'}**")
PY
cat "$tmp/section.md"
bash bench/put-section.sh mapf "$tmp/section.md"
echo "== wrote the mapf section of bench/RESULTS.md"
