# lib.sh -- what the command-line tests share: a temporary folder removed on
# exit, and check NAME COMMAND, which runs COMMAND and prints "ok NAME" or
# "FAIL NAME". A script ends with `finish`, whose status says whether all
# checks passed. Sourced by tests/cli_*.sh.
tmp=$(mktemp -d)
cleanup_extra=""
trap 'eval "$cleanup_extra"; rm -rf "$tmp"' EXIT
pass=0 failed=0
ok()   { pass=$((pass + 1)); echo "ok   $1"; }
bad()  { failed=$((failed + 1)); echo "FAIL $1"; }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }
finish() {
  echo "$pass passed, $failed failed"
  [ "$failed" -eq 0 ]
}
