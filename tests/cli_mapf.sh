#!/usr/bin/env bash
# cli_mapf.sh -- `fabtwin mapf` as a user drives it: plan then check the
# plan, strict plans, a corrupted plan rejected with its line, bad input
# with file:line:col, exit codes. Usage: cli_mapf.sh path/to/fabtwin
set -u
bin=$1
. "$(dirname "$0")/lib.sh"

# A corridor with a side pocket: the two agents must swap using it.
printf 'type octile\nheight 2\nwidth 5\nmap\n@@.@@\n.....\n' >"$tmp/pocket.map"
printf 'version 1\n0\tpocket.map\t5\t2\t0\t1\t4\t1\t4\n0\tpocket.map\t5\t2\t4\t1\t0\t1\t4\n' \
  >"$tmp/pocket.scen"
m="--map $tmp/pocket.map --scen $tmp/pocket.scen"

# plan + check round trip; the optimum is 11 (tests/test_mapf_plan.c)
"$bin" mapf $m --agents 2 --time-limit 5s --out "$tmp/plan.txt" >"$tmp/out.txt"
check "plan exits 0" "[ $? -eq 0 ]"
check "summary says solved, SoC 11, lower bound 8" \
  "grep -q 'agents=2 solved=yes .*sum_of_costs=11 lower_bound=8 ratio=1.3750' '$tmp/out.txt'"
check "plan file starts at time 0 with both starts" "[ \"\$(head -1 '$tmp/plan.txt')\" = '0:(0,1),(4,1),' ]"
"$bin" mapf --check $m --plan "$tmp/plan.txt" >"$tmp/check.txt"
check "check of the plan exits 0" "[ $? -eq 0 ]"
check "check reports the same SoC" "grep -q 'valid: agents=2 sum_of_costs=11 lower_bound=8' '$tmp/check.txt'"

# the non-strict optimum follows; the strict checker rejects it, the strict plan passes
"$bin" mapf --check $m --plan "$tmp/plan.txt" --strict >/dev/null 2>"$tmp/err.txt"
check "strict check of a following plan exits 1" "[ $? -eq 1 ] && grep -q 'following' '$tmp/err.txt'"
"$bin" mapf $m --agents 2 --strict --out "$tmp/strict.txt" >"$tmp/out.txt"
check "strict plan: SoC 14" "grep -q 'sum_of_costs=14' '$tmp/out.txt'"
"$bin" mapf --check $m --plan "$tmp/strict.txt" --strict >/dev/null
check "strict plan passes the strict check" "[ $? -eq 0 ]"

# same seed, same plan
"$bin" mapf $m --agents 2 --seed 3 --out "$tmp/a.txt" >/dev/null
"$bin" mapf $m --agents 2 --seed 3 --out "$tmp/b.txt" >/dev/null
check "same seed gives a byte-identical plan" "cmp -s '$tmp/a.txt' '$tmp/b.txt'"

# a corrupted plan: both agents in one cell at time 2 (line 3)
printf '0:(0,1),(4,1)\n1:(1,1),(3,1)\n2:(2,1),(2,1)\n' >"$tmp/corrupt.txt"
"$bin" mapf --check $m --plan "$tmp/corrupt.txt" 2>"$tmp/err.txt"
check "corrupted plan exits 1" "[ $? -eq 1 ]"
check "corrupted plan names line, step, agents and cell" \
  "grep -q 'corrupt.txt:3: time step 2: agents 0 and 1 are both at (2,1) (vertex conflict)' '$tmp/err.txt'"
printf '0:(0,1),(4,1)\n1:(1,1),(3,1\n' >"$tmp/syntax.txt"
"$bin" mapf --check $m --plan "$tmp/syntax.txt" 2>"$tmp/err.txt"
check "plan syntax error has line:col" "[ $? -eq 1 ] && grep -q 'syntax.txt:2:13: expected' '$tmp/err.txt'"

# impossible: a swap in a dead-end corridor -> no solution, exit 1, quickly
printf 'type octile\nheight 1\nwidth 4\nmap\n....\n' >"$tmp/line.map"
printf 'version 1\n0\tline.map\t4\t1\t0\t0\t3\t0\t3\n0\tline.map\t4\t1\t3\t0\t0\t0\t3\n' >"$tmp/line.scen"
"$bin" mapf --map "$tmp/line.map" --scen "$tmp/line.scen" --agents 2 >"$tmp/out.txt" 2>"$tmp/err.txt"
check "unsolvable instance exits 1 with 'no solution'" \
  "[ $? -eq 1 ] && grep -q 'solved=no' '$tmp/out.txt' && grep -q 'no solution' '$tmp/err.txt'"

# bad input: exit 1 with file:line:col
printf 'type octile\nheight 2\nwidth 5\nmap\n@@.@@\n....\n' >"$tmp/short.map"
"$bin" mapf --map "$tmp/short.map" --scen "$tmp/pocket.scen" --agents 2 2>"$tmp/err.txt"
check "short map row: exit 1 at line 6 col 5" "[ $? -eq 1 ] && grep -q 'short.map:6:5: ' '$tmp/err.txt'"
"$bin" mapf $m --agents 3 2>"$tmp/err.txt"
check "too few scenario rows: exit 1" "[ $? -eq 1 ] && grep -q 'only 2 agents, 3 were asked for' '$tmp/err.txt'"
printf 'version 1\n0\tpocket.map\t5\t2\t0\t0\t4\t1\t4\n' >"$tmp/wall.scen"
"$bin" mapf --map "$tmp/pocket.map" --scen "$tmp/wall.scen" --agents 1 2>"$tmp/err.txt"
check "start on an obstacle: exit 1 at line 2 col 18" \
  "[ $? -eq 1 ] && grep -q 'wall.scen:2:18: start (0,0) is on an obstacle' '$tmp/err.txt'"
"$bin" mapf --map "$tmp/missing.map" --scen "$tmp/pocket.scen" --agents 1 2>"$tmp/err.txt"
check "missing map: exit 1 with its name" "[ $? -eq 1 ] && grep -q missing.map '$tmp/err.txt'"

# usage errors: exit 2
"$bin" mapf $m >/dev/null 2>&1
check "no --agents is a usage error (2)" "[ $? -eq 2 ]"
"$bin" mapf $m --agents 2 --time-limit 10 >/dev/null 2>&1
check "a time limit without unit is a usage error (2)" "[ $? -eq 2 ]"
"$bin" mapf $m --agents x >/dev/null 2>&1
check "--agents x is a usage error (2)" "[ $? -eq 2 ]"
"$bin" mapf --check $m >/dev/null 2>&1
check "--check without --plan is a usage error (2)" "[ $? -eq 2 ]"
"$bin" mapf $m --agents 2 --frobnicate >/dev/null 2>&1
check "unknown option is a usage error (2)" "[ $? -eq 2 ]"

finish
