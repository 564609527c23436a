#!/usr/bin/env bash
# cli_browser.sh -- the dashboard in a real browser: starts `fabtwin serve`
# and runs tests/browser/dashboard.py (headless Chromium over the DevTools
# protocol). Screenshots go to <build>/test-artifacts/.
# Usage: cli_browser.sh path/to/fabtwin
set -u
bin=$1
art=$(cd "$(dirname "$bin")" && pwd)/test-artifacts
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin" serve models/elevator-line.yaml --port "$port" --speed 3600 --for 120s >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait 2>/dev/null' EXIT
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.05; done
/usr/bin/python3 tests/browser/dashboard.py "http://127.0.0.1:$port/" "$art"
