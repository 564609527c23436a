# lib.sh -- what the command-line tests share: a temporary folder removed on
# exit, and check NAME COMMAND, which runs COMMAND and prints "ok NAME" or
# "FAIL NAME". A script ends with `finish`, whose status says whether all
# checks passed. Background processes a script starts go in `pids` and are
# killed on exit. A part that cannot run here (no broker, no MPI) calls
# `skip REASON`; `finish` then exits 77 -- ctest's SKIP_RETURN_CODE, shown
# "Skipped" -- unless a check failed: a test that did not fully run is never
# reported passed. `skip_all REASON` exits 77 at once. Sourced by
# tests/cli_*.sh.
tmp=$(mktemp -d)
pids=()
cleanup_extra=""
trap '[ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null; eval "$cleanup_extra"; rm -rf "$tmp"' EXIT
pass=0 failed=0 skipped=0
ok()   { pass=$((pass + 1)); echo "ok   $1"; }
bad()  { failed=$((failed + 1)); echo "FAIL $1"; }
skip() { skipped=$((skipped + 1)); echo "SKIP $1"; }
skip_all() { echo "SKIP $1"; exit 77; }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }
finish() {
  echo "$pass passed, $failed failed, $skipped skipped"
  [ "$failed" -eq 0 ] || exit 1
  [ "$skipped" -eq 0 ] || exit 77
  exit 0
}

# A free TCP port on loopback.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# Run Python on the JSON document on stdin, bound to d.
json() { python3 -c "import json,sys; d=json.load(sys.stdin); $1"; }
# Wait (at most 5 s) until URL answers.
wait_up() { for _ in $(seq 1 100); do curl -s -o /dev/null "$1" && return 0; sleep 0.05; done; return 1; }
# within S COMMAND: until COMMAND succeeds, at most S seconds (a bound on
# the wait for an event, not a claim about speed: keep S generous).
within() {
  local end=$((SECONDS + $1)); shift
  while [ "$SECONDS" -lt "$end" ]; do eval "$*" 2>/dev/null && return 0; sleep 0.1; done
  eval "$*"
}
