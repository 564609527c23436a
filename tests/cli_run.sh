#!/usr/bin/env bash
# cli_run.sh -- the fabtwin command as a user drives it: check, run, JSON,
# trace, determinism, UTF-8 names, exit codes. Usage: cli_run.sh path/to/fabtwin
set -u
bin=$1
. "$(dirname "$0")/lib.sh"

# check: valid models pass, with exit status 0
for m in models/*.yaml; do
  check "check $m" "'$bin' check '$m' >/dev/null"
done

# run: a table with the Chinese names, the KPI sections and the bottleneck
"$bin" run models/elevator-line.yaml --length 12h >"$tmp/table.txt" 2>&1
check "run exits 0" "[ $? -eq 0 ]"
check "table names the Chinese stations" "grep -q '整机调试' '$tmp/table.txt'"
check "table has a bottleneck line" "grep -q '^bottleneck' '$tmp/table.txt'"

# same seed: byte-identical JSON; another seed: different numbers
"$bin" run models/textile-line.yaml --quiet --seed 7 --warmup 2h --length 3d --json "$tmp/a.json"
"$bin" run models/textile-line.yaml --quiet --seed 7 --warmup 2h --length 3d --json "$tmp/b.json"
"$bin" run models/textile-line.yaml --quiet --seed 8 --warmup 2h --length 3d --json "$tmp/c.json"
check "same seed gives byte-identical JSON" "cmp -s '$tmp/a.json' '$tmp/b.json'"
check "another seed gives other results" "! cmp -s '$tmp/a.json' '$tmp/c.json'"
check "JSON is valid and has the schema id" \
  "python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d[\"schema\"]==\"fabtwin-report/1\"; assert d[\"seed\"]==7' '$tmp/a.json'"
check "JSON keeps UTF-8 names" "grep -q '织造' '$tmp/a.json'"

# trace: CSV with a header and events
"$bin" run models/elevator-line.yaml --quiet --length 1h --trace "$tmp/t.csv"
check "trace has its header" "[ \"\$(head -1 '$tmp/t.csv')\" = 'time_s,event,object,item,product,detail' ]"
check "trace has exits" "grep -q ',exit,' '$tmp/t.csv'"
# 轿厢焊接 has one failure mode, 焊枪故障 (models/elevator-line.yaml): every
# fail and repair row of a day names it
"$bin" run models/elevator-line.yaml --quiet --length 1d --trace "$tmp/day.csv"
check "fail and repair rows name the failure mode" \
  "grep -q ',fail,轿厢焊接,,,焊枪故障\$' '$tmp/day.csv' && ! grep -E ',(fail|repair),' '$tmp/day.csv' | grep -qv ',焊枪故障\$'"

# errors: exit 1 with file:line:col for a bad model, exit 2 for bad usage
printf 'model: x\nproducts:\n  - name: p\n    routing: [{station: S, time: 90}]\nstations:\n  - {name: S}\n' >"$tmp/bad.yaml"
"$bin" check "$tmp/bad.yaml" 2>"$tmp/err.txt"
check "bad model exits 1" "[ $? -eq 1 ]"
check "bad model message has file:line:col" "grep -qE 'bad.yaml:4:[0-9]+: ' '$tmp/err.txt'"
"$bin" run models/elevator-line.yaml --length 3 >/dev/null 2>&1
check "a duration without unit is a usage error (2)" "[ $? -eq 2 ]"
"$bin" run models/elevator-line.yaml --length 0s >/dev/null 2>"$tmp/err.txt"
check "--length 0s is a usage error (2)" "[ $? -eq 2 ]"
check "--length 0s says the length must be positive" "grep -q 'run length must be > 0' '$tmp/err.txt'"
"$bin" run models/elevator-line.yaml --frobnicate >/dev/null 2>"$tmp/err.txt"
check "a trailing unknown option is a usage error (2)" "[ $? -eq 2 ]"
check "a trailing unknown option is called unknown" "grep -q \"unknown option '--frobnicate'\" '$tmp/err.txt'"
"$bin" run models/elevator-line.yaml --json >/dev/null 2>"$tmp/err.txt"
check "a trailing known option needs a value" "grep -q 'option --json needs a value' '$tmp/err.txt'"
"$bin" experiment models/elevator-line.yaml --frobnicate >/dev/null 2>"$tmp/err.txt"
check "experiment: a trailing unknown option is called unknown" "grep -q \"unknown option '--frobnicate'\" '$tmp/err.txt'"
"$bin" run models/elevator-line.yaml --length 1e17s >/dev/null 2>"$tmp/err.txt"
check "--length past the model's time limit is a usage error (2)" "[ $? -eq 2 ]"
check "--length past the time limit names the option" "grep -q '^fabtwin: --length: the run would end at 1e+17 s' '$tmp/err.txt'"
"$bin" run models/elevator-line.yaml --length 1d --max-items 5 >/dev/null 2>"$tmp/err.txt"
check "more items than --max-items fails the run (1)" "[ $? -eq 1 ]"
check "the cap error is located in the model" "grep -qE 'elevator-line.yaml:[0-9]+:[0-9]+: more than 5 items in the plant at' '$tmp/err.txt'"
"$bin" run models/elevator-line.yaml --frobnicate 1 >/dev/null 2>&1
check "unknown option is a usage error (2)" "[ $? -eq 2 ]"
"$bin" run "$tmp/missing.yaml" 2>"$tmp/err2.txt"
check "missing file exits 1 with its name" "[ $? -eq 1 ] && grep -q missing.yaml '$tmp/err2.txt'"
"$bin" run models/elevator-line.yaml --json /nonexistent/dir/x.json >/dev/null 2>&1
check "unwritable JSON path exits 1" "[ $? -eq 1 ]"

# a run that loses an event (tests/models/late-clock.yaml): exit 1, the
# reason on stderr, no KPIs anywhere.
timeout 60 "$bin" run tests/models/late-clock.yaml --json "$tmp/late.json" >"$tmp/late.out" 2>"$tmp/late.err"
check "a run that cannot schedule an event exits 1" "[ $? -eq 1 ]"
check "... says why on stderr" "grep -q '^fabtwin: .*resolution' '$tmp/late.err'"
check "... prints no KPI table" "[ ! -s '$tmp/late.out' ]"
check "... writes no JSON report" "[ ! -e '$tmp/late.json' ]"

# --check: the shipped models keep the engine's invariants, and the results are the same
for m in models/*.yaml; do
  "$bin" run "$m" --quiet --length 1d --check >/dev/null 2>"$tmp/check.txt"
  check "run --check $m: no violation" "[ $? -eq 0 ] && ! grep -q 'invariant violated' '$tmp/check.txt'"
done
"$bin" run models/textile-line.yaml --quiet --seed 7 --warmup 2h --length 3d --check --json "$tmp/d.json"
check "--check changes no result" "cmp -s '$tmp/a.json' '$tmp/d.json'"

finish
