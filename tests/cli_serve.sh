#!/usr/bin/env bash
# cli_serve.sh -- `fabtwin serve` over real HTTP: the page and its assets,
# every API endpoint, the live event stream, play / pause / speed, bad
# requests answered 4xx with a message, the token when exposed, and 50
# concurrent event-stream clients. Usage: cli_serve.sh path/to/fabtwin
set -u
bin=$1
. "$(dirname "$0")/lib.sh"

port=$(free_port)
url=http://127.0.0.1:$port
started=$(date +%s.%N)
"$bin" serve models/elevator-line.yaml --port "$port" --speed 600 --for 300s >"$tmp/serve.log" 2>&1 &
pids+=($!)
check "server comes up" "wait_up $url/api/state"

# ---- the page and its assets ----------------------------------------------
check "page is HTML" "curl -sf $url/ | grep -q '<title>fabtwin</title>'"
check "app.js served" "curl -sf $url/app.js | grep -q EventSource"
check "chart library served" "[ \$(curl -sf $url/vendor/chart.js | wc -c) -gt 100000 ]"

# ---- the API --------------------------------------------------------------
check "model lists every station" \
  "curl -sf $url/api/model | json 'assert [s[\"name\"] for s in d[\"stations\"]] == [\"轿厢焊接\",\"轿厢喷涂\",\"门板冲压\",\"总装\",\"整机调试\",\"包装发运\"]'"
check "model lists the routes" \
  "curl -sf $url/api/model | json 'assert {p[\"name\"]: p[\"route\"] for p in d[\"products\"]}[\"厅门\"] == [\"门板冲压\",\"总装\"]'"
# The clock at 600 x real time: it moves on, and it never runs ahead of 600 x
# the wall time since the server was started (a slow machine may make it lag,
# so no lower bound on the rate is asserted; the measured rate is printed).
ahead() { # exits 0 when the simulation clock is within 600 x the wall time since start
  python3 - "$1" "$started" <<'PY'
import json, sys, time, urllib.request
t = json.load(urllib.request.urlopen(sys.argv[1] + "/api/state"))["time_s"]
wall = time.time() - float(sys.argv[2])
print(f"  simulated {t:.0f} s in {wall:.2f} s of wall time: {t / wall:.0f} x", flush=True)
sys.exit(0 if t <= 600 * wall else 1)
PY
}
t0=$(curl -sf $url/api/state | json 'print(d["time_s"])')
check "state: the clock moves on" \
  "within 30 \"[ \\\$(curl -sf $url/api/state | json 'print(int(d[\\\"time_s\\\"] > $t0))') = 1 ]\""
check "state: the clock never runs ahead of 600 x real time" "ahead $url"
check "state: one entry per station, servers add up" \
  "curl -sf $url/api/state | json 'assert len(d[\"stations\"]) == 6 and all(sum(s[\"servers\"].values()) == 1 for s in d[\"stations\"])'"
check "kpis: the report format" "curl -sf $url/api/kpis | json 'assert d[\"schema\"] == \"fabtwin-report/1\"'"
check "station: KPIs and state history" \
  "curl -sf $url/api/stations/%E6%80%BB%E8%A3%85 | json 'assert d[\"name\"] == \"总装\" and d[\"kpis\"][\"servers\"] == 1 and len(d[\"history\"]) >= 1'"

# ---- the event stream -------------------------------------------------------
# five documents, however long they take (a slow machine is not a failure)
timeout 60 curl -sN $url/api/events | grep -m5 '^data: ' >"$tmp/events.txt"
check "events: several state documents, time increasing" \
  "grep '^data: ' '$tmp/events.txt' | sed 's/^data: //' | python3 -c 'import json,sys; t=[json.loads(l)[\"time_s\"] for l in sys.stdin]; assert len(t) >= 5 and t == sorted(t) and t[-1] > t[0], t'"

# ---- control ----------------------------------------------------------------
post() { curl -s -o "$tmp/body" -w '%{http_code}' -X POST -H 'Content-Type: application/json' "$@" $url/api/control; }
check "pause: 200" "[ \$(post -d '{\"action\":\"pause\"}') = 200 ]"
check "paused: the state says so" \
  "within 30 \"curl -sf $url/api/state | json 'assert not d[\\\"running\\\"]'\""
a=$(curl -sf $url/api/state | json 'print(d["time_s"], d["running"])')
sleep 0.4
b=$(curl -sf $url/api/state | json 'print(d["time_s"], d["running"])')
check "paused: the clock stands still" "[ \"$a\" = \"$b\" ] && [ \"\${a#* }\" = False ]"
check "speed: 200" "[ \$(post -d '{\"action\":\"speed\",\"speed\":100}') = 200 ]"
check "run: 200" "[ \$(post -d '{\"action\":\"run\"}') = 200 ]"
check "running again at the new speed" \
  "within 30 \"curl -sf $url/api/state | json 'assert d[\\\"running\\\"] and d[\\\"speed\\\"] == 100'\""

# ---- bad requests -------------------------------------------------------------
check "malformed JSON: 400 with a message" "[ \$(post -d '{bad') = 400 ] && grep -q error '$tmp/body'"
check "unknown action: 400" "[ \$(post -d '{\"action\":\"explode\"}') = 400 ]"
check "bad speed: 400" "[ \$(post -d '{\"action\":\"speed\",\"speed\":-3}') = 400 ]"
head -c 5000 /dev/zero | tr '\0' ' ' >"$tmp/big"
check "oversized body: 413" "[ \$(post --data-binary @'$tmp/big') = 413 ]"
check "unknown station: 404 with a message" \
  "[ \$(curl -s -o '$tmp/body' -w '%{http_code}' $url/api/stations/nope) = 404 ] && grep -q 'no such station' '$tmp/body'"
check "unknown path: 404" "[ \$(curl -s -o /dev/null -w '%{http_code}' $url/api/nothing) = 404 ]"
check "wrong method: 405" "[ \$(curl -s -o /dev/null -w '%{http_code}' -X DELETE $url/api/state) = 405 ]"
check "still serving after all that" "curl -sf $url/api/state >/dev/null"

# ---- 50 concurrent event streams ------------------------------------------------
# each client reads until its third state document (at most 60 s)
for i in $(seq 1 50); do
  (timeout 60 curl -sN $url/api/events | grep -m3 '^data: ' >"$tmp/s$i.txt") &
done
wait $(jobs -p | grep -v "${pids[0]}") 2>/dev/null
short=0
for i in $(seq 1 50); do [ "$(grep -c '^data: ' "$tmp/s$i.txt")" -ge 3 ] || short=$((short + 1)); done
check "50 concurrent streams each got their states ($short short)" "[ $short -eq 0 ]"

# ---- exposed: a token for changes -------------------------------------------------
port2=$(free_port)
"$bin" serve models/elevator-line.yaml --listen 0.0.0.0:$port2 2>"$tmp/err.txt"
check "exposed without a token: refused" "[ $? -eq 1 ] && grep -q 'needs a token' '$tmp/err.txt'"
"$bin" serve models/elevator-line.yaml --listen 0.0.0.0:$port2 --token abcdefghijklmnop1 \
  --for 30s >/dev/null 2>&1 &
pids+=($!)
url2=http://127.0.0.1:$port2
wait_up $url2/api/state
code() { curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
  -d '{"action":"pause"}' "$@" $url2/api/control; }
check "exposed: GET needs no token" "curl -sf $url2/api/state >/dev/null"
check "exposed: POST without the token is 401" "[ \$(code) = 401 ]"
check "exposed: POST with a wrong token is 401" "[ \$(code -H 'Authorization: Bearer nottherighttoken') = 401 ]"
check "exposed: POST with the token is 200" "[ \$(code -H 'Authorization: Bearer abcdefghijklmnop1') = 200 ]"

# ---- a clean exit -------------------------------------------------------------
"$bin" serve models/elevator-line.yaml --port "$(free_port)" --for 1s >/dev/null 2>&1
check "--for ends the server with status 0" "[ $? -eq 0 ]"

finish
