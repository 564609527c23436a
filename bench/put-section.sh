#!/usr/bin/env bash
# bench/put-section.sh NAME FILE -- put FILE's text into bench/RESULTS.md as
# the section NAME, between <!-- begin NAME --> and <!-- end NAME -->
# markers: replaced where it is, appended when new. Each benchmark script
# owns one section, so running one never erases another's figures.
set -euo pipefail
name=$1 body=$2
out=$(dirname "$0")/RESULTS.md
[ -f "$out" ] || printf '# fabtwin benchmark results\n\nEach section is written by the script it names; edit the script, not this file.\n' >"$out"
python3 - "$out" "$name" "$body" <<'PY'
import sys
out, name, body = sys.argv[1], sys.argv[2], open(sys.argv[3]).read().rstrip("\n")
begin, end = f"<!-- begin {name} -->", f"<!-- end {name} -->"
text = open(out).read()
block = f"{begin}\n{body}\n{end}"
if begin in text and end in text:
    a, b = text.index(begin), text.index(end) + len(end)
    text = text[:a] + block + text[b:]
else:
    text = text.rstrip("\n") + "\n\n" + block + "\n"
open(out, "w").write(text)
PY
