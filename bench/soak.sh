#!/usr/bin/env bash
# bench/soak.sh -- random plants for a set time: the longer run of
# tests/test_random_plants.c. Each seed's plant (tests/gen/plantgen.c) is run
# by the Release `fabtwin run --check`, which checks the engine's invariants
# at the end of every instant (src/flow/flow_check.c). Counts plants, events
# and violations, and writes them into bench/RESULTS.md (section "soak").
# A plant that fails is kept in bench/soak-failures/seed-N/ (model.yaml and
# the message) and its seed printed; `build-release/tests/plantgen N DIR`
# writes it again.
#
# usage: bench/soak.sh [MINUTES] [FIRST_SEED]   (default 30 minutes from seed 1000000,
#        away from the CI test's seeds 1..); env BUILD_DIR (default build-release),
#        PLANT_TIMEOUT (s per plant, default 300; a plant that takes longer is a failure)
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-30}
seed=${2:-1000000}
B=${BUILD_DIR:-build-release}
timeout_s=${PLANT_TIMEOUT:-300}

echo "== building fabtwin and plantgen (Release) in $B"
cmake -S . -B "$B" -DCMAKE_BUILD_TYPE=Release -DFT_WERROR=ON >/dev/null
cmake --build "$B" --target fabtwin plantgen_cli -j "$(nproc)" >/dev/null

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=bench/soak-failures
first=$seed plants=0 events=0 violations=0 refused=0 timeouts=0
start=$(date +%s) end=$(( $(date +%s) + minutes * 60 ))
while [ "$(date +%s)" -lt "$end" ]; do
  dir=$tmp/seed-$seed
  mkdir -p "$dir"
  rc=0
  "$B/tests/plantgen" "$seed" "$dir" >/dev/null 2>"$dir/message.txt" || rc=$?
  [ "$rc" -eq 0 ] && timeout "$timeout_s" "$B/fabtwin" run --check --quiet --json "$dir/report.json" \
    "$dir/model.yaml" 2>"$dir/message.txt" || rc=$?
  if [ "$rc" -eq 0 ]; then
    n=$(grep -o '"events": *[0-9]*' "$dir/report.json" | grep -o '[0-9]*$')
    events=$((events + n))
    rm -rf "$dir"
  else
    if [ "$rc" -eq 124 ]; then
      timeouts=$((timeouts + 1)); what="took more than ${timeout_s} s"
    elif [ ! -f "$dir/report.json" ] && [ ! -f "$dir/model.yaml" ]; then
      refused=$((refused + 1)); what="the generator failed (exit $rc)"
    elif grep -q "invariant violated" "$dir/message.txt"; then
      violations=$((violations + 1)); what="violation"
    else
      refused=$((refused + 1)); what="refused or failed"
    fi
    mkdir -p "$fails"
    rm -rf "$fails/seed-$seed"
    mv "$dir" "$fails/seed-$seed"
    echo "seed $seed: $what: $(head -c 400 "$fails/seed-$seed/message.txt")"
  fi
  plants=$((plants + 1))
  seed=$((seed + 1))
done
elapsed=$(( $(date +%s) - start ))
last=$((seed - 1))
cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
summary="$plants plants (seeds $first .. $last) in $elapsed s, $events events: $violations violations, $timeouts timeouts, $refused refused"
echo "== $summary"

body=$tmp/section.md
cat >"$body" <<MD
## Random plants: invariant soak (\`bench/soak.sh\`)

Random plants from \`tests/gen/plantgen.c\` (every feature of the model language), each run by the
Release \`fabtwin run --check\` (the engine's invariants checked at the end of every instant:
\`src/flow/flow_check.c\`), one after another for ${minutes} minutes.

| date | machine | seeds | plants | events | violations | timeouts | refused by the loader |
|------|---------|-------|-------:|-------:|-----------:|---------:|----------------------:|
| $(date -u +%Y-%m-%d) | $cpu, $(nproc) cores (shared) | $first .. $last | $plants | $events | $violations | $timeouts | $refused |

The CI test (\`tests/test_random_plants.c\`) runs the first seeds (1 ..) with ASan + UBSan in the
sanitizer build; a failing seed's plant is kept in \`bench/soak-failures/\`.
MD
bash bench/put-section.sh soak "$body"
[ "$violations" -eq 0 ] && [ "$timeouts" -eq 0 ] && [ "$refused" -eq 0 ]
