#!/usr/bin/env bash
# cli_browser.sh -- the dashboard in a real browser: starts `fabtwin serve`
# and runs tests/browser/dashboard.py (headless Chromium over the DevTools
# protocol); then the same for a plant with an AGV fleet (the lights-out
# plant: its path network and moving vehicles), and for the live twin
# (`serve --twin` replaying an emulated shift whose gateway gw1 dies at
# 09:00). Screenshots go to
# <build>/test-artifacts/. The servers' --for is only a backstop (they are
# killed on exit): a loaded machine may take minutes.
# Usage: cli_browser.sh path/to/fabtwin
set -u
bin=$1
art=$(cd "$(dirname "$bin")" && pwd)/test-artifacts
. "$(dirname "$0")/lib.sh"
command -v chromium >/dev/null || command -v chromium-browser >/dev/null ||
  command -v google-chrome >/dev/null || skip_all "no Chromium (scripts/deps installs Debian's chromium)"
/usr/bin/python3 -c 'import websocket' 2>/dev/null ||
  skip_all "no python3-websocket (scripts/deps installs it)"

port=$(free_port)
"$bin" serve models/elevator-line.yaml --port "$port" --speed 3600 --for 600s >/dev/null 2>&1 &
pids+=($!)
wait_up "http://127.0.0.1:$port/"
/usr/bin/python3 tests/browser/dashboard.py "http://127.0.0.1:$port/" "$art"
status=$?

# the AGV fleet: the lights-out plant at 50 x, slow enough to watch the vehicles
port=$(free_port)
"$bin" serve models/lights-out-plant.yaml --port "$port" --speed 50 --for 600s >/dev/null 2>&1 &
pids+=($!)
wait_up "http://127.0.0.1:$port/"
/usr/bin/python3 tests/browser/dashboard.py "http://127.0.0.1:$port/" "$art" agv || status=1

# the twin: a shift of 06:00-14:00 replayed in 14 s, a forecast every 30 min
"$bin" emulate models/elevator-line.yaml --start 06:00 --shift-end 14:00 --gateways 2 \
  --kill-gateway gw1@09:00 --out "$tmp/shift.jsonl"
port=$(free_port)
"$bin" serve models/elevator-line.yaml --twin --replay "$tmp/shift.jsonl" --speed 2000 \
  --shift-end 14:00 --target 230 --replications 40 --port "$port" --for 600s >/dev/null 2>&1 &
pids+=($!)
wait_up "http://127.0.0.1:$port/"
/usr/bin/python3 tests/browser/dashboard.py "http://127.0.0.1:$port/" "$art" twin || status=1
exit $status
