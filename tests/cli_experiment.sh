#!/usr/bin/env bash
# cli_experiment.sh -- `fabtwin experiment` as a user drives it: results
# byte-identical for 1 and 2 threads and for MPI ranks, a killed experiment
# resumed without redoing or losing a replication, and bad input refused
# before anything runs. Usage: cli_experiment.sh path/to/fabtwin
set -u
bin=$1
. "$(dirname "$0")/lib.sh"
model=models/elevator-line.yaml
sweep=(--vary 'buffers.喷涂前缓存.capacity=2..4' --replications 6 --length 12h --quiet)

# ---- determinism across threads -------------------------------------------
"$bin" experiment "$model" "${sweep[@]}" --threads 1 --db "$tmp/t1.sqlite" \
  --csv "$tmp/t1.csv" --json "$tmp/t1.json"
check "1 thread exits 0" "[ $? -eq 0 ]"
"$bin" experiment "$model" "${sweep[@]}" --threads 2 --db "$tmp/t2.sqlite" \
  --csv "$tmp/t2.csv" --json "$tmp/t2.json"
check "rows identical for 1 and 2 threads" "cmp -s '$tmp/t1.csv' '$tmp/t2.csv'"
check "summary identical for 1 and 2 threads" "cmp -s '$tmp/t1.json' '$tmp/t2.json'"
check "18 replication rows (3 scenarios x 6)" "[ \$(tail -n +2 '$tmp/t1.csv' | wc -l) -eq 18 ]"
check "export of the database equals the --csv file" \
  "'$bin' export '$tmp/t1.sqlite' --csv | cmp -s - '$tmp/t1.csv'"
check "JSON export is valid JSON" \
  "'$bin' export '$tmp/t1.sqlite' --json | python3 -c 'import json,sys; json.load(sys.stdin)'"

# ---- MPI: the same rows from 4 ranks -------------------------------------
if command -v mpirun >/dev/null && "$bin" version | grep -q MPI; then
  # OpenMPI's own allocations outlive MPI_Finalize: no leak check for this run.
  ASAN_OPTIONS=detect_leaks=0 OMPI_MCA_rmaps_base_oversubscribe=1 \
    mpirun --allow-run-as-root --oversubscribe -np 4 \
    "$bin" experiment "$model" "${sweep[@]}" --db "$tmp/mpi.sqlite" \
    --csv "$tmp/mpi.csv" --json "$tmp/mpi.json" >"$tmp/mpi.log" 2>&1
  check "mpirun -np 4 exits 0" "[ $? -eq 0 ] || { cat '$tmp/mpi.log'; false; }"
  check "rows identical for MPI and threads" "cmp -s '$tmp/t1.csv' '$tmp/mpi.csv'"
  check "summary identical for MPI and threads" "cmp -s '$tmp/t1.json' '$tmp/mpi.json'"
else
  skip "MPI: no mpirun, or fabtwin built without MPI"
fi

# ---- kill -9 mid-experiment, then resume -----------------------------------
long=(--vary 'stations.轿厢焊接.servers=1,2' --replications 60 --length 3d --quiet)
"$bin" experiment "$model" "${long[@]}" --db "$tmp/ref.sqlite" --csv "$tmp/ref.csv"
"$bin" experiment "$model" "${long[@]}" --db "$tmp/k.sqlite" &
pid=$!
count() { sqlite3 "$tmp/k.sqlite" 'select count(*) from replication' 2>/dev/null || echo 0; }
for _ in $(seq 1 400); do
  [ "$(count)" -ge 3 ] && break
  sleep 0.02
done
kill -9 $pid 2>/dev/null
killed=$?
wait $pid 2>/dev/null
stored=$(count)
check "killed mid-run (after $stored of 120 replications)" "[ $killed -eq 0 ] && [ $stored -lt 120 ]"
"$bin" experiment "$model" "${long[@]}" --db "$tmp/k.sqlite" --csv "$tmp/k.csv" 2>"$tmp/resume.log"
check "rerun resumes the experiment" "grep -q 'resuming experiment' '$tmp/resume.log'"
check "each replication stored exactly once" \
  "[ \"\$(sqlite3 '$tmp/k.sqlite' 'select count(*), count(distinct scenario_idx || \"/\" || rep) from replication')\" = '120|120' ]"
check "resumed results equal an uninterrupted run" "cmp -s '$tmp/ref.csv' '$tmp/k.csv'"
check "no value without its replication" \
  "[ \"\$(sqlite3 '$tmp/k.sqlite' 'select count(*) from value v left join replication r using (experiment_id, scenario_idx, rep) where r.rep is null')\" = 0 ]"

# ---- bad input: a clear error, exit 1, nothing run or written --------------
refuse() { # name, expected text, args...
  local name=$1 want=$2
  shift 2
  "$bin" experiment "$model" --db "$tmp/bad.sqlite" --json "$tmp/bad.json" "$@" \
    >"$tmp/out.txt" 2>"$tmp/err.txt"
  local rc=$?
  check "$name: exit 1" "[ $rc -eq 1 ]"
  check "$name: says '$want'" "grep -qF -- \"$want\" '$tmp/err.txt' || { cat '$tmp/err.txt'; false; }"
  check "$name: nothing written" "[ ! -e '$tmp/bad.json' ]"
}
refuse "unknown parameter path" "no entry named '焊接'" --vary 'stations.焊接.servers=1,2'
refuse "unknown key" "did you mean 'servers'" --vary 'stations.轿厢焊接.server=1,2'
refuse "empty range" "the range is empty" --vary 'buffers.喷涂前缓存.capacity=5..2'
refuse "zero step" "step of a range must be > 0" --vary 'buffers.喷涂前缓存.capacity=2..5:0'
refuse "wrong type" "expected a whole number, got '2.5'" --vary 'stations.轿厢焊接.servers=1,2.5'
refuse "wrong unit" "unknown time unit" --vary 'products.轿厢.routing.轿厢焊接.time=100s,100kg'
refuse "unknown KPI" "no KPI named" --goal plant.speed
refuse "unknown response" "a response: no KPI named 'station.焊接.oee'" --response station.焊接.oee
rm -f "$tmp/bad.sqlite"
"$bin" experiment "$model" --db /nonexistent-dir/x.sqlite --json "$tmp/bad.json" \
  2>"$tmp/err.txt"
check "unwritable database: exit 1" "[ $? -eq 1 ]"
check "unwritable database: says so" "grep -q 'cannot write the results database' '$tmp/err.txt'"
check "unwritable database: nothing written" "[ ! -e '$tmp/bad.json' ]"

# ---- an experiment file -----------------------------------------------------
cat >"$tmp/exp.yaml" <<YAML
experiment: 缓存试验
model: $PWD/$model
replications: 4
length: 12h
factors:
  buffers.喷涂前缓存.capacity: [2, 6]
goal: { kpi: plant.wip_mean, direction: min }
responses: [plant.wip_mean, station.轿厢焊接.utilization]
scenarios:
  - name: 基线
  - name: 双焊接
    set: { stations.轿厢焊接.servers: 2 }
YAML
"$bin" experiment "$tmp/exp.yaml" --db "$tmp/f.sqlite" --json "$tmp/f.json" >"$tmp/f.txt"
check "experiment file runs" "[ $? -eq 0 ]"
check "experiment file: its goal is used" "grep -q 'best by plant.wip_mean (min)' '$tmp/f.txt'"
check "experiment file: its responses are the columns" \
  "grep -q 'reps  plant.wip_mean  *station.轿厢焊接.utilization  *bottleneck' '$tmp/f.txt'"
check "named scenarios crossed with the factors: 4 scenarios" \
  "python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert [s[\"name\"] for s in d[\"scenarios\"]] == [\"基线, buffers.喷涂前缓存.capacity=2\", \"基线, buffers.喷涂前缓存.capacity=6\", \"双焊接, buffers.喷涂前缓存.capacity=2\", \"双焊接, buffers.喷涂前缓存.capacity=6\"]; assert all(s[\"replications\"] == 4 for s in d[\"scenarios\"])' '$tmp/f.json'"
sed -i 's/servers: 2 }/servers: two }/' "$tmp/exp.yaml"
"$bin" experiment "$tmp/exp.yaml" --no-db 2>"$tmp/err.txt"
check "a bad value in the file points at its line and column" \
  "grep -q 'exp.yaml:12:35: .*expected a whole number, got .two.' '$tmp/err.txt' || { cat '$tmp/err.txt'; false; }"
printf 'experiment: x\nmodel: %s\nreplicatons: 4\n' "$PWD/$model" >"$tmp/typo.yaml"
"$bin" experiment "$tmp/typo.yaml" --no-db 2>"$tmp/err.txt"
check "experiment file typo: line and column, suggestion" \
  "grep -q 'typo.yaml:3:1: unknown key .replicatons.*did you mean .replications' '$tmp/err.txt'"

# ---- replications that end with warnings are named -----------------------
# A rework loop with one place per buffer and raw material always there
# deadlocks for good once qc sends an item back into A's full buffer while
# A's next item finds qc's buffer full (test_flow_warnings.c): every
# replication of a day ends with a deadlock warning.
cat >"$tmp/loop.yaml" <<'YAML'
model: loop
run: { length: 1d }
products:
  - name: p
    routing:
      - { station: A, time: 10s }
      - { station: qc, time: 10s }
sources:
  - { name: s, product: p, always: true }
buffers:
  - { name: inA, capacity: 1, feeds: A }
  - { name: inQC, capacity: 1, feeds: qc }
stations:
  - { name: A }
  - { name: qc, inspection: { rework: 50%, rework_to: A } }
YAML
"$bin" experiment "$tmp/loop.yaml" --replications 3 --no-db >"$tmp/loop.txt" 2>&1
check "replications with warnings are named in the summary" \
  "grep -q 'WARNING scenario #0: 3 of 3 replications ended with warnings' '$tmp/loop.txt' || { cat '$tmp/loop.txt'; false; }"
"$bin" run "$tmp/loop.yaml" >"$tmp/loop-run.txt" 2>&1
check "run of a deadlocking plant exits 3 and names the deadlock" \
  "[ $? -eq 3 ] && grep -q 'WARNING deadlock' '$tmp/loop-run.txt'"

# ---- --warmup mser5 (tests/test_exp_warmup.c has the theory) -----------------
# An M/M/1 started with 50 jobs that drain in 100 min on average: the cut
# must come after that (78 min: two standard deviations of the mean of the 5
# pilots' drain times earlier) and within the searched half of the run.
"$bin" experiment tests/models/mm1-backlog.yaml --warmup mser5 --replications 3 \
  --db "$tmp/w.sqlite" --json "$tmp/w.json" >"$tmp/w.txt"
check "--warmup mser5 runs" "[ $? -eq 0 ]"
check "--warmup mser5: the cut is past the backlog, not at the limit" \
  "python3 -c 'import json,sys; w=json.load(open(sys.argv[1]))[\"warmup\"]; assert w[\"method\"] == \"mser5\" and 78 * 60 <= w[\"seconds\"] < 2000 * 60 and not w[\"mser\"][\"at_limit\"], w' '$tmp/w.json'"
check "--warmup mser5: the table says what was chosen" "grep -q 'chosen by MSER-5 over 5 pilot runs' '$tmp/w.txt'"

# replications that lose an event (tests/models/late-clock.yaml): exit 1,
# the reason on stderr, no summary left behind
timeout 60 "$bin" experiment tests/models/late-clock.yaml --replications 2 --threads 2 --no-db \
  --json "$tmp/late.json" >"$tmp/late.out" 2>"$tmp/late.err"
check "an experiment whose runs fail exits 1" "[ $? -eq 1 ]"
check "... says why on stderr" "grep -q '^fabtwin: .*resolution' '$tmp/late.err'"
check "... writes no JSON summary" "[ ! -e '$tmp/late.json' ]"

finish
