#!/usr/bin/env bash
# cli_serve_hostile.sh -- `fabtwin serve` against hostile clients, over real
# HTTP on loopback: cross-site POSTs (CSRF) refused and the dashboard's own
# accepted; a foreign Host (DNS rebinding) refused and our names accepted;
# paths with NUL or invalid UTF-8 refused; a slowloris connection closed
# after --timeout while a normal client is served; the per-address limit.
# No wall-clock assertions: every wait is for an event, with a bound.
# Usage: cli_serve_hostile.sh path/to/fabtwin
set -u
bin=$1
. "$(dirname "$0")/lib.sh"

port=$(free_port)
url=http://127.0.0.1:$port
"$bin" serve models/elevator-line.yaml --port "$port" --speed 600 --timeout 1 --max-per-ip 8 \
  --for 120s >"$tmp/serve.log" 2>&1 &
pids+=($!)
check "server comes up" "wait_up $url/api/state"

# ---- CSRF: a POST changes the plant only as JSON from the page's origin -------
post() { curl -s -o "$tmp/body" -w '%{http_code}' -X POST "$@" "$url/api/control"; }
running() { curl -sf "$url/api/state" | json 'print(d["running"])'; }
pause='{"action":"pause"}'
check "text/plain POST (a cross-site form or simple fetch): 415" \
  "[ \$(post -H 'Content-Type: text/plain' -d '$pause') = 415 ] && grep -q Content-Type '$tmp/body'"
check "form-encoded POST (curl's default): 415" "[ \$(post -d '$pause') = 415 ]"
check "JSON from a foreign Origin: 403" \
  "[ \$(post -H 'Content-Type: application/json' -H 'Origin: http://evil.example' -d '$pause') = 403 ]"
check "JSON with Origin: null: 403" \
  "[ \$(post -H 'Content-Type: application/json' -H 'Origin: null' -d '$pause') = 403 ]"
check "JSON with Sec-Fetch-Site: cross-site: 403" \
  "[ \$(post -H 'Content-Type: application/json' -H 'Sec-Fetch-Site: cross-site' -d '$pause') = 403 ]"
check "JSON with Sec-Fetch-Site: same-site (a sibling host): 403" \
  "[ \$(post -H 'Content-Type: application/json' -H 'Sec-Fetch-Site: same-site' -d '$pause') = 403 ]"
check "after every refusal the plant still runs" "[ \$(running) = True ]"
check "JSON from the page's own origin: 200" \
  "[ \$(post -H 'Content-Type: application/json; charset=utf-8' -H 'Origin: $url' \
        -H 'Sec-Fetch-Site: same-origin' -d '$pause') = 200 ]"
# the state the page reads is published by the simulation thread: wait for it
check "... and it paused the plant" "within 30 '[ \$(running) = False ]'"
check "JSON without Origin (curl, a script): 200" \
  "[ \$(post -H 'Content-Type: application/json' -d '{\"action\":\"run\"}') = 200 ] && within 30 '[ \$(running) = True ]'"

# ---- Host: only our names (DNS rebinding) -------------------------------------
host() { curl -s -o "$tmp/body" -w '%{http_code}' -H "Host: $1" "$url/api/state"; }
check "Host: evil.example (a rebound name): 421" "[ \$(host evil.example:$port) = 421 ]"
check "Host: a name that ends like ours: 421" "[ \$(host localhost.evil.example) = 421 ]"
check "Host with junk after the port: 421" "[ \$(host '127.0.0.1:80x') = 421 ]"
check "a rebound POST is refused before it acts: 421" \
  "[ \$(post -H 'Host: evil.example' -H 'Content-Type: application/json' -d '$pause') = 421 ] && [ \$(running) = True ]"
check "Host: localhost:PORT: 200" "[ \$(host localhost:$port) = 200 ]"
check "Host: LOCALHOST (case): 200" "[ \$(host LOCALHOST) = 200 ]"
check "Host: 127.0.0.1: 200" "[ \$(host 127.0.0.1) = 200 ]"
check "Host: [::1]:PORT: 200" "[ \$(host "[::1]:$port") = 200 ]"
check "HTTP/1.0 without a Host: 421" \
  "[ \$(curl -s -o /dev/null -w '%{http_code}' -0 -H 'Host:' $url/api/state) = 421 ]"

# ---- paths: UTF-8 without NUL ---------------------------------------------------
get() { curl -s -o "$tmp/body" -w '%{http_code}' "$url$1"; }
st=/api/stations/%E6%80%BB%E8%A3%85   # 总装
check "a station by its UTF-8 name: 200" "[ \$(get $st) = 200 ]"
check "the station's name followed by %00: 400" "[ \$(get '$st%00anything') = 400 ]"
check "a %00 alone: 400" "[ \$(get '/api/state%00') = 400 ]"
check "%FF (not UTF-8): 400" "[ \$(get '/api/stations/%FF') = 400 ]"
check "an overlong '/' (%C0%AF): 400" "[ \$(get '/api/stations/%C0%AF') = 400 ]"
check "a UTF-16 surrogate (%ED%A0%80): 400" "[ \$(get '/api/stations/%ED%A0%80') = 400 ]"
check "a truncated sequence (%E6%80): 400" "[ \$(get '/api/stations/%E6%80') = 400 ]"
check "a bad escape (%G1): 400" "[ \$(get '/api/stations/%G1') = 400 ]"
check "a control character (%0A): 400" "[ \$(get '/api/stations/a%0Ab') = 400 ]"
check "the refusal says why" "[ \$(get '/api/stations/%FF') = 400 ] && grep -q UTF-8 '$tmp/body'"

# ---- slow clients --------------------------------------------------------------
# slow.py PORT N SOURCE: open N connections from SOURCE that send half a
# request line and then nothing; print how many the server closed within
# 30 s (it should close them all after --timeout 1), then exit.
cat >"$tmp/slow.py" <<'PY'
import select, socket, sys, time
port, n, src = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
socks = []
for _ in range(n):
    s = socket.socket()
    s.bind((src, 0))
    s.connect(("127.0.0.1", port))
    s.sendall(b"GET /api/state HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
    socks.append(s)
print("open", flush=True)
sys.stdin.readline()            # the test says when to go on
closed, end = set(), time.monotonic() + 30
while len(closed) < n and time.monotonic() < end:
    ready, _, _ = select.select([s for s in socks if s not in closed], [], [], 1)
    for s in ready:
        try:
            if not s.recv(4096):
                closed.add(s)
        except OSError:
            closed.add(s)
print("closed", len(closed), flush=True)
PY
coproc SLOW { python3 "$tmp/slow.py" "$port" 4 127.0.0.1; }
pids+=($SLOW_PID)
read -r -t 20 line <&"${SLOW[0]}"
check "4 slowloris connections open" "[ '$line' = open ]"
check "a normal client is served meanwhile" "curl -sf --max-time 10 $url/api/state >/dev/null"
timeout 30 curl -sN "$url/api/events" | grep -m 3 '^data: ' >"$tmp/events.txt"
check "an event stream is served meanwhile" "[ \$(grep -c '^data: ' '$tmp/events.txt') -eq 3 ]"
echo go >&"${SLOW[1]}"
read -r -t 40 line <&"${SLOW[0]}"
check "the server closed every slowloris connection (--timeout 1): $line" "[ '$line' = 'closed 4' ]"
wait "$SLOW_PID" 2>/dev/null

# ---- the per-address limit (--max-per-ip 8) -------------------------------------
# idle.py PORT N SOURCE: hold N connections from SOURCE that send nothing,
# then try one more and print whether the server took it ("taken") or shut
# it at once ("refused"); hold on until told.
cat >"$tmp/idle.py" <<'PY'
import socket, sys
port, n, src = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
def conn():
    s = socket.socket(); s.bind((src, 0)); s.connect(("127.0.0.1", port)); return s
held = [conn() for _ in range(n)]
extra = conn()
extra.settimeout(10)
try:
    extra.sendall(b"GET /api/state HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    print("taken" if extra.recv(100).startswith(b"HTTP/1.1 200") else "refused", flush=True)
except OSError:
    print("refused", flush=True)
sys.stdin.readline()
PY
coproc IDLE { python3 "$tmp/idle.py" "$port" 8 127.0.0.3; }
pids+=($IDLE_PID)
read -r -t 20 line <&"${IDLE[0]}"
check "a 9th connection from an address holding 8: refused ($line)" "[ '$line' = refused ]"
check "another address is served meanwhile" \
  "curl -sf --max-time 10 --interface 127.0.0.4 $url/api/state >/dev/null"
echo go >&"${IDLE[1]}"
wait "$IDLE_PID" 2>/dev/null
check "once they close, that address is served again" \
  "within 15 'curl -sf --max-time 5 --interface 127.0.0.3 $url/api/state >/dev/null'"

# ---- listening on every address: its names, --host names, nothing else -----------
port2=$(free_port)
"$bin" serve models/elevator-line.yaml --listen 0.0.0.0:$port2 --token abcdefghijklmnop1 \
  --host dash.plant.example --for 60s >/dev/null 2>&1 &
pids+=($!)
url2=http://127.0.0.1:$port2
wait_up $url2/api/state
host2() { curl -s -o /dev/null -w '%{http_code}' -H "Host: $1" "$url2/api/state"; }
check "--host name: 200" "[ \$(host2 dash.plant.example:$port2) = 200 ]"
check "the machine's host name: 200" "[ \$(host2 $(hostname)) = 200 ]"
addr=$(hostname -I 2>/dev/null | tr ' ' '\n' | grep -E '^[0-9.]+$' | head -n 1)
if [ -n "$addr" ]; then
  check "an address of this machine ($addr): 200" "[ \$(host2 $addr:$port2) = 200 ]"
fi
check "another name: 421" "[ \$(host2 other.plant.example) = 421 ]"
check "an address not of this machine (198.51.100.7): 421" "[ \$(host2 198.51.100.7) = 421 ]"
check "exposed: the token does not stand in for the origin check" \
  "[ \$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Authorization: Bearer abcdefghijklmnop1' \
        -H 'Content-Type: application/json' -H 'Origin: http://evil.example' \
        -d '$pause' $url2/api/control) = 403 ]"

"$bin" serve models/elevator-line.yaml --port "$(free_port)" --timeout 0 2>"$tmp/err.txt"
check "--timeout 0 is a usage error" "[ $? -eq 2 ] && grep -q 'timeout' '$tmp/err.txt'"

finish
