#!/usr/bin/env bash
# cli_outputs.sh -- hostile inputs and outputs as a user meets them: every
# output option to a full device exits 1 with "No space left on device", a
# failed run leaves an earlier file as it was, one file named by two options
# is refused, export never creates a database and refuses a KPI stored as
# text, and a map that is /dev/zero, a FIFO, a folder or too large is
# refused at once with what is wrong. Usage: cli_outputs.sh path/to/fabtwin
set -u
bin=$1
. "$(dirname "$0")/lib.sh"
model=tests/models/mm1-light.yaml
full="No space left on device"
has_full=no; [ -c /dev/full ] && has_full=yes
printf 'type octile\nheight 1\nwidth 3\nmap\n...\n' >"$tmp/row.map"
printf 'version 1\n0\trow.map\t3\t1\t0\t0\t2\t0\t2\n' >"$tmp/row.scen"

# fails NAME PATTERN COMMAND...: exit status 1 and PATTERN on stderr.
fails() {
  local name=$1 pattern=$2; shift 2
  "$@" >/dev/null 2>"$tmp/err.txt"
  local rc=$?
  if [ $rc -eq 1 ] && grep -q -- "$pattern" "$tmp/err.txt"; then ok "$name"
  else bad "$name (exit $rc: $(head -c 300 "$tmp/err.txt"))"; fi
}

# ---- a full device: every output says so --------------------------------------
if [ $has_full = yes ]; then
  fails "run --json /dev/full" "$full" "$bin" run "$model" --quiet --length 100s --json /dev/full
  fails "run --trace /dev/full" "$full" "$bin" run "$model" --quiet --length 100s --trace /dev/full
  fails "run --json - to a full stdout" "$full" \
    sh -c "'$bin' run '$model' --quiet --length 100s --json - >/dev/full"
  fails "experiment --json /dev/full" "$full" "$bin" experiment "$model" --replications 2 \
    --length 100s --quiet --no-db --json /dev/full
  fails "experiment --report /dev/full" "$full" "$bin" experiment "$model" --replications 2 \
    --length 100s --quiet --no-db --report /dev/full
  fails "mapf --out /dev/full" "$full" "$bin" mapf --map "$tmp/row.map" --scen "$tmp/row.scen" \
    --agents 1 --out /dev/full
  em=(models/elevator-line.yaml --start 06:00 --shift-end 07:00)
  fails "emulate --out /dev/full" "$full" "$bin" emulate "${em[@]}" --out /dev/full
  "$bin" emulate "${em[@]}" --out "$tmp/shift.jsonl"
  fails "emulate --truth /dev/full" "$full" "$bin" emulate "${em[@]}" --out "$tmp/s2.jsonl" \
    --truth /dev/full
  tw=(models/elevator-line.yaml --replay "$tmp/shift.jsonl" --shift-end 07:00 --quiet)
  fails "twin --summary /dev/full" "$full" "$bin" twin "${tw[@]}" --summary /dev/full
  fails "twin --json /dev/full" "$full" "$bin" twin "${tw[@]}" --json /dev/full --forecast-every 10min
  fails "twin --record /dev/full" "$full" "$bin" twin "${tw[@]}" --record /dev/full
else
  echo "skip /dev/full checks: no /dev/full here"
fi

# ---- a failed run leaves the earlier file as it was ------------------------------
echo "earlier report" >"$tmp/keep.json"
if [ $has_full = yes ]; then
  "$bin" run "$model" --quiet --length 100s --json "$tmp/keep.json" --trace /dev/full 2>/dev/null
  check "run whose trace fails keeps the earlier --json file" \
    "[ \"\$(cat '$tmp/keep.json')\" = 'earlier report' ]"
  "$bin" experiment "$model" --replications 2 --length 100s --quiet --no-db \
    --json "$tmp/keep.json" --report /dev/full 2>/dev/null
  check "experiment whose report fails keeps the earlier --json file" \
    "[ \"\$(cat '$tmp/keep.json')\" = 'earlier report' ]"
fi
"$bin" run "$model" --quiet --length 100s --json "$tmp/keep.json" --trace "$tmp/no/such/dir.csv" \
  2>/dev/null
check "run with an unwritable trace keeps the earlier --json file" \
  "[ \"\$(cat '$tmp/keep.json')\" = 'earlier report' ]"
check "no temporary file is left behind" "[ -z \"\$(ls -A '$tmp' | grep '^\.')\" ]"
"$bin" run "$model" --quiet --length 100s --json "$tmp/keep.json"
check "a run that succeeds replaces it with valid JSON" \
  "python3 -c 'import json,sys; json.load(open(sys.argv[1]))' '$tmp/keep.json'"

# ---- the same file twice ----------------------------------------------------------
"$bin" run "$model" --quiet --json "$tmp/x.json" --trace "$tmp/./x.json" 2>"$tmp/err.txt"
check "run --json X --trace ./X is a usage error" \
  "[ $? -eq 2 ] && grep -q 'name the same file' '$tmp/err.txt' && [ ! -e '$tmp/x.json' ]"
"$bin" experiment "$model" --replications 2 --quiet --db "$tmp/d.sqlite" --csv "$tmp/d.sqlite" \
  2>"$tmp/err.txt"
check "experiment --db X --csv X is a usage error" "[ $? -eq 2 ] && grep -q 'same file' '$tmp/err.txt'"
"$bin" emulate models/elevator-line.yaml --out "$tmp/e.jsonl" --truth "$tmp/e.jsonl" \
  2>"$tmp/err.txt"
check "emulate --out X --truth X is a usage error" "[ $? -eq 2 ]"

# ---- export reads, never creates or misreads ------------------------------------------
fails "export of a missing database fails" "No such file or directory" \
  "$bin" export "$tmp/mistyped.sqlite" --csv
check "... and does not create it" "[ ! -e '$tmp/mistyped.sqlite' ]"
"$bin" experiment "$model" --replications 2 --length 100s --quiet --db "$tmp/r.sqlite" \
  --csv "$tmp/r.csv"
check "a small experiment runs" "[ $? -eq 0 ]"
cp "$tmp/r.sqlite" "$tmp/r-before.sqlite"
"$bin" export "$tmp/r.sqlite" --csv "$tmp/r2.csv"
check "export reproduces the --csv file" "cmp -s '$tmp/r.csv' '$tmp/r2.csv'"
check "export leaves the database byte for byte" "cmp -s '$tmp/r.sqlite' '$tmp/r-before.sqlite'"
python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); \
c.execute(\"UPDATE value SET value='12 items' WHERE rep=1 AND kpi_idx=0\"); c.commit()" "$tmp/r.sqlite"
fails "export of a KPI stored as text is refused" "not a number" \
  "$bin" export "$tmp/r.sqlite" --csv "$tmp/r3.csv"
check "... and writes no partial file" "[ ! -e '$tmp/r3.csv' ]"

# ---- inputs that are not readable text files ---------------------------------------------
sc=(--scen tests/models/empty.yaml --agents 1)
fast() { timeout 10 "$@"; }
fails "mapf --map /dev/zero is refused at once" "/dev/zero: cannot read the map: not a regular file" \
  fast "$bin" mapf --map /dev/zero "${sc[@]}"
mkfifo "$tmp/pipe.map"
fails "mapf --map FIFO does not hang" "cannot read the map: not a regular file" \
  fast "$bin" mapf --map "$tmp/pipe.map" "${sc[@]}"
fails "mapf --map FOLDER says it is a folder" "cannot read the map: is a directory" \
  fast "$bin" mapf --map "$tmp" "${sc[@]}"
truncate -s $((64 * 1024 * 1024 + 1)) "$tmp/huge.map"
fails "mapf --map of 64 MiB + 1 is refused by size" \
  "cannot read the map: it is 67108865 bytes, larger than 67108864 bytes (64 MiB)" fast "$bin" mapf --map "$tmp/huge.map" "${sc[@]}"
fails "mapf --map missing names the reason" "cannot read the map: No such file or directory" \
  fast "$bin" mapf --map "$tmp/nothing.map" "${sc[@]}"
fails "run FOLDER says it is a folder" "cannot read the model file: is a directory" \
  fast "$bin" run "$tmp"
fails "run FIFO does not hang" "cannot read the model file: not a regular file" \
  fast "$bin" run "$tmp/pipe.map"
printf 'type octile\nheight 1\nwidth 3\nmap\n...\n' >"$tmp/ok.map"
fails "mapf --scen FOLDER says it is a folder" "cannot read the scenario: is a directory" \
  fast "$bin" mapf --map "$tmp/ok.map" --scen "$tmp" --agents 1
fails "mapf --check --plan FIFO does not hang" "cannot read the plan: not a regular file" \
  fast "$bin" mapf --check --map "$tmp/ok.map" --scen "$tmp/row.scen" --plan "$tmp/pipe.map"
fails "twin --replay FOLDER says it is a folder" "cannot read: is a directory" \
  fast "$bin" twin models/elevator-line.yaml --replay "$tmp"

finish
