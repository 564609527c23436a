#!/usr/bin/env bash
# cli_twin.sh -- `fabtwin emulate` and `fabtwin twin` as a user drives them:
# a shift emulated to a file and replayed gives the emulator's ground-truth
# counts; the same through a real Mosquitto broker on a loopback port, also
# across a broker restart mid-shift (reconnect, resubscribe, a marked gap,
# nothing lost); bad usage refused with status 2.
# Usage: cli_twin.sh path/to/fabtwin
set -u
bin=$1
. "$(dirname "$0")/lib.sh"
model=models/elevator-line.yaml
shift_=(--start 06:00 --shift-end 14:00)
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }

# ---- file: emulate -> replay ---------------------------------------------------
"$bin" emulate "$model" "${shift_[@]}" --out "$tmp/shift.jsonl" --truth "$tmp/truth.json"
check "emulate --out exits 0" "[ $? -eq 0 ]"
"$bin" emulate "$model" "${shift_[@]}" --out "$tmp/again.jsonl"
check "same model and seed: byte-identical telemetry" "cmp -s '$tmp/shift.jsonl' '$tmp/again.jsonl'"
# the subset of JSON Schema the contract uses: oneOf by "type", required, types, enums
cat >"$tmp/validate.py" <<'PY'
import json, sys
schema = json.load(open(sys.argv[1]))
kinds = {"string": str, "integer": int, "number": (int, float), "boolean": bool,
         "object": dict, "array": list}
def ok(v, s):
    if "const" in s and v != s["const"]: return False
    if "enum" in s and v not in s["enum"]: return False
    t = s.get("type")
    if t and not (isinstance(v, kinds[t]) and not (t != "boolean" and isinstance(v, bool))): return False
    if isinstance(v, dict):
        if any(k not in v for k in s.get("required", [])): return False
        props = s.get("properties", {})
        if s.get("additionalProperties") is False and any(k not in props for k in v): return False
        return all(ok(v[k], props[k]) for k in v if k in props)
    return True
n = 0
for line in open(sys.argv[2]):
    m = json.loads(line)
    if sum(ok(m, s) for s in schema["oneOf"]) != 1:
        sys.exit("does not match exactly one message kind: " + line)
    n += 1
print(n, "messages valid")
PY
check "every message matches exactly one kind of the schema" \
  "python3 '$tmp/validate.py' schema/telemetry.schema.json '$tmp/shift.jsonl' >/dev/null"
"$bin" twin "$model" --replay "$tmp/shift.jsonl" --shift-end 14:00 --target 230 \
  --json "$tmp/forecasts.jsonl" --summary "$tmp/summary.json" --record "$tmp/rec.jsonl" --quiet
check "twin --replay exits 0" "[ $? -eq 0 ]"
check "replayed output equals the ground truth" \
  "[ \"\$(json '$tmp/summary.json' 'd[\"output\"]')\" = \"\$(json '$tmp/truth.json' 'd[\"output\"]')\" ]"
check "replayed releases equal the ground truth" \
  "[ \"\$(json '$tmp/summary.json' 'd[\"released\"]')\" = \"\$(json '$tmp/truth.json' 'd[\"released\"]')\" ]"
check "a forecast every 30 min from 06:30 to 13:30 (15)" "[ \$(wc -l <'$tmp/forecasts.jsonl') -eq 15 ]"
"$bin" twin "$model" --replay "$tmp/rec.jsonl" --shift-end 14:00 --target 230 --json "$tmp/f2.jsonl" \
  --summary "$tmp/s2.json" --quiet
nolat() { sed 's/"elapsed_ms":[0-9.]*//' "$1"; }
check "the recording replays to the same forecasts" \
  "[ \"\$(nolat '$tmp/forecasts.jsonl')\" = \"\$(nolat '$tmp/f2.jsonl')\" ]"

# ---- noise: counts still exact ---------------------------------------------------
"$bin" emulate "$model" "${shift_[@]}" --out "$tmp/noisy.jsonl" --truth "$tmp/ntruth.json" \
  --drop 0.1 --dup 0.1 --swap 0.1 --late 0.05 --noise-seed 11 --gateways 2
"$bin" twin "$model" --replay "$tmp/noisy.jsonl" --shift-end 14:00 --json /dev/null \
  --summary "$tmp/nsum.json" --quiet
check "10 % noise: output still equals the ground truth" \
  "[ \"\$(json '$tmp/nsum.json' 'd[\"output\"]')\" = \"\$(json '$tmp/ntruth.json' 'd[\"output\"]')\" ]"
check "10 % noise: every duplicate refused" \
  "[ \"\$(json '$tmp/nsum.json' 'd[\"rejected\"][\"duplicate\"]')\" = \"\$(json '$tmp/ntruth.json' 'd[\"duplicated\"]')\" ]"

# ---- drift: a plant slower than its model is reported ------------------------------
"$bin" emulate "$model" "${shift_[@]}" --out "$tmp/slow.jsonl" \
  --set 'products.电梯.routing.包装发运.time=110s'
"$bin" twin "$model" --replay "$tmp/slow.jsonl" --shift-end 14:00 --json /dev/null \
  --summary "$tmp/slow.json" --forecast-every 0s --quiet
check "a 110 s packing station against a 95 s model is flagged as drift, the others not" \
  "[ \"\$(json '$tmp/slow.json' '[s[\"name\"] for s in d[\"stations\"] if s[\"process_time_drift\"]]')\" = \"['包装发运']\" ]"

# ---- usage ----------------------------------------------------------------------------
"$bin" twin "$model" 2>/dev/null
check "twin without a transport: status 2" "[ $? -eq 2 ]"
"$bin" emulate "$model" --out x --start 15:00 --shift-end 14:00 2>/dev/null
check "a shift ending before it starts: status 2" "[ $? -eq 2 ]"
"$bin" twin "$model" --replay "$tmp/nope.jsonl" 2>/dev/null
check "a missing log: status 1" "[ $? -eq 1 ]"
"$bin" twin "$model" --replay "$tmp/shift.jsonl" --confirm 8 2>/dev/null
check "--confirm beyond 7: status 2" "[ $? -eq 2 ]"
"$bin" twin "$model" --replay "$tmp/shift.jsonl" --max-ahead 0s 2>/dev/null
check "--max-ahead 0s: status 2" "[ $? -eq 2 ]"

# ---- hostile input: a runaway seq, a future first birth, a NUL byte, nonsense gaps ------
python3 - "$tmp/shift.jsonl" "$tmp/hostile.jsonl" <<'PY'
import json, sys
lines = open(sys.argv[1], 'rb').read().split(b'\n')[:-1]
first = json.loads(lines[0]); first['ts'] = 9e6          # a birth from the far future
out = [json.dumps(first, ensure_ascii=False).encode()] + lines[1:100]
m = json.loads(lines[100]); m['seq'] = 2**63 - 1        # a seq near 2^63
out += [json.dumps(m, ensure_ascii=False).encode(), lines[100] + b'\0' + lines[100]]
out += [b'{"gap":[1e308,-1e308]}'] + lines[101:]
open(sys.argv[2], 'wb').write(b'\n'.join(out) + b'\n')
PY
"$bin" twin "$model" --replay "$tmp/hostile.jsonl" --shift-end 14:00 --max-ahead 30min \
  --seq-jump 1000 --confirm 2 --json /dev/null --summary "$tmp/hsum.json" --quiet
check "hostile input: output still equals the ground truth" \
  "[ \"\$(json '$tmp/hsum.json' 'd[\"output\"]')\" = \"\$(json '$tmp/truth.json' 'd[\"output\"]')\" ]"
check "hostile input: each refused under its reason, nothing held" \
  "[ \"\$(json '$tmp/hsum.json' '[(k, v) for k, v in d[\"rejected\"].items() if v] + [d[\"held\"]]')\" = \"[('malformed_json', 1), ('bad_value', 1), ('ts_in_future', 1), ('bad_gap', 1), 0]\" ]"

# ---- MQTT with a real broker ---------------------------------------------------------------
if ! command -v mosquitto >/dev/null; then
  skip "MQTT tests: mosquitto is not installed (bash scripts/deps installs it)"
elif "$bin" twin "$model" --mqtt mqtt://127.0.0.1:1 --replay x 2>&1 | grep -q libmosquitto; then
  skip "MQTT tests: fabtwin was built without libmosquitto"
else
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  mkdir -p "$tmp/broker"
  # max_queued_messages 0: the broker must not drop QoS 1 messages queued for a
  # twin that is busy forecasting (mosquitto's default drops after 1000)
  printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence true\npersistence_location %s/\nautosave_interval 1\nmax_queued_messages 0\nlog_type error\nlog_type warning\nlog_type subscribe\n' \
    "$port" "$tmp/broker" >"$tmp/mosquitto.conf"
  start_broker() {
    mosquitto -c "$tmp/mosquitto.conf" >>"$tmp/broker.log" 2>&1 &
    broker_pid=$!
    pids+=("$broker_pid")
    for _ in $(seq 50); do
      python3 -c "import socket; socket.create_connection(('127.0.0.1',$port),0.2)" 2>/dev/null && return 0
      sleep 0.1
    done
    return 1
  }
  start_broker
  check "broker up on port $port" "[ $? -eq 0 ]"
  url=mqtt://127.0.0.1:$port

  # end to end: emulate publishes a shift, the twin mirrors it
  timeout 60 "$bin" twin "$model" --mqtt "$url" --topic t1 --shift-end 14:00 --json "$tmp/mf.jsonl" \
    --summary "$tmp/msum.json" --quiet &
  twin_pid=$!
  # the broker logs each subscription ("<client> 1 t1/#"): publish only after it
  within 30 "grep -q ' t1/#' '$tmp/broker.log'"
  "$bin" emulate "$model" "${shift_[@]}" --mqtt "$url" --topic t1 --truth "$tmp/mtruth.json" \
    --gateways 2 --dup 0.1 --swap 0.1 --noise-seed 2
  check "emulate --mqtt exits 0" "[ $? -eq 0 ]"
  wait $twin_pid
  check "twin --mqtt ends at the shift's final counters" "[ $? -eq 0 ]"
  check "MQTT: output equals the ground truth" \
    "[ \"\$(json '$tmp/msum.json' 'd[\"output\"]')\" = \"\$(json '$tmp/mtruth.json' 'd[\"output\"]')\" ]"
  check "MQTT: every message received (sent + duplicates)" \
    "[ \"\$(json '$tmp/msum.json' 'd[\"received\"]')\" = \"\$(json '$tmp/mtruth.json' 'd[\"messages\"]+d[\"duplicated\"]')\" ]"
  # the forecasts went to twin/t1/forecast (retained): a listener there gets the latest one
  timeout 60 "$bin" twin "$model" --mqtt "$url" --topic twin/t1 --json /dev/null --record "$tmp/fc.jsonl" \
    --quiet &
  fc_pid=$!
  check "MQTT: the latest forecast is retained on twin/t1/forecast" \
    "within 30 \"grep -q 'twin/t1/forecast.*now_s.*48600' '$tmp/fc.jsonl'\" || { grep -o 'twin/t1/forecast.\{0,200\}' '$tmp/fc.jsonl' | head -3; false; }"
  kill "$fc_pid" 2>/dev/null; wait "$fc_pid" 2>/dev/null

  # broker restart mid-shift: the emulator publishes at 14400x (8 h in 2 s)
  timeout 90 "$bin" twin "$model" --mqtt "$url" --topic t2 --shift-end 14:00 --json /dev/null \
    --summary "$tmp/rsum.json" --record "$tmp/rrec.jsonl" --quiet &
  twin_pid=$!
  within 30 "grep -q ' t2/#' '$tmp/broker.log'"
  "$bin" emulate "$model" "${shift_[@]}" --mqtt "$url" --topic t2 --truth "$tmp/rtruth.json" \
    --speed 14400 &
  emu_pid=$!
  # the restart comes once the twin has the first messages: mid-shift
  within 30 "grep -q payload '$tmp/rrec.jsonl'"
  kill -9 "$broker_pid"; wait "$broker_pid" 2>/dev/null
  sleep 0.3
  start_broker
  wait $emu_pid
  check "emulate survives the broker restart" "[ $? -eq 0 ]"
  wait $twin_pid
  check "twin survives the broker restart" "[ $? -eq 0 ]"
  check "restart: the gap is marked" "[ \"\$(json '$tmp/rsum.json' 'd[\"gaps\"]')\" -ge 1 ]"
  check "restart: output equals the ground truth" \
    "[ \"\$(json '$tmp/rsum.json' 'd[\"output\"]')\" = \"\$(json '$tmp/rtruth.json' 'd[\"output\"]')\" ]"
  check "restart: every received message is in the recording" \
    "[ \$(grep -c '\"payload\"' '$tmp/rrec.jsonl') -eq \"\$(json '$tmp/rsum.json' 'd[\"received\"]')\" ]"
fi

finish
