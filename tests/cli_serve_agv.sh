#!/usr/bin/env bash
# cli_serve_agv.sh -- `fabtwin serve` with an AGV fleet, over real HTTP, on
# models/lights-out-plant.yaml: /api/model has the layout exactly as the
# model file writes it (every node with its position and role, every edge --
# a `path:` of k nodes is k - 1 edges -- and each station's pick-up and
# drop-off node), counted from the file here, not from the program; /api/state
# has one entry per vehicle of the fleet with a position inside the layout and
# a known state; the vehicles move between two states two seconds apart;
# /api/kpis has the fleet's KPIs with every vehicle's state shares. A model
# without a layout says so (`layout` null, no vehicles).
# Usage: cli_serve_agv.sh path/to/fabtwin
set -u
bin=$1
. "$(dirname "$0")/lib.sh"
model=models/lights-out-plant.yaml

# What the model file says, read with a few lines of Python (the layout
# section is flow-style YAML: `- { name: N, at: [Xm, Ym] }`, `- { path: [..],
# one_way: true }`, `parking: [..]` ...): the expected values of the checks.
python3 - "$model" >"$tmp/expected.json" <<'PY'
import json, re, sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
def section(key):  # the lines of a top-level section
    start = lines.index(key + ":") if key + ":" in lines else \
        next(i for i, l in enumerate(lines) if l.startswith(key + ":"))
    out = []
    for l in lines[start + 1:]:
        if l and not l[0].isspace() and not l.startswith("#"):
            break
        out.append(l.split("#")[0])
    return out
def names(text):
    return [x.strip() for x in text.split(",") if x.strip()]
nodes, edges, roles, vehicles = [], [], {}, None
for l in section("layout"):
    if m := re.search(r"\{\s*name:\s*([^,]+),\s*at:\s*\[\s*(-?[\d.]+)m,\s*(-?[\d.]+)m\s*\]", l):
        nodes.append({"name": m[1].strip(), "x": float(m[2]), "y": float(m[3])})
    elif m := re.search(r"path:\s*\[([^\]]*)\](.*)", l):
        p, one = names(m[1]), "one_way: true" in m[2]
        edges += [[p[i], p[i + 1], one] for i in range(len(p) - 1)]
    elif m := re.search(r"from:\s*([^,]+),\s*to:\s*([^,}]+)(.*)", l):
        edges.append([m[1].strip(), m[2].strip(), "one_way: true" in m[3]])
    elif m := re.match(r"\s+(parking|chargers|shipping):\s*\[?([^\]]*)\]?", l):
        for n in names(m[2]):
            roles[n] = {"parking": "parking", "chargers": "charger", "shipping": "shipping"}[m[1]]
for l in section("sources"):  # a source's pick-up is a store
    if m := re.search(r"pick:\s*([^,}\s]+)", l):
        roles.setdefault(m[1], "store")
for l in section("fleet"):
    if m := re.match(r"\s+vehicles:\s*(\d+)", l):
        vehicles = int(m[1])
stations = {}
for l in section("stations"):  # one-line stations and the block form's keys
    if m := re.match(r"  - (\{ )?name:\s*([^,}\s]+)", l):
        cur = stations.setdefault(m[2], {})
    for key in ("pick", "drop"):
        if m := re.search(key + r":\s*([^,}\s]+)", l):
            cur[key] = m[1]
for n in nodes:
    n["role"] = roles.get(n["name"])
json.dump({"nodes": nodes, "edges": edges, "vehicles": vehicles, "stations": stations},
          sys.stdout, ensure_ascii=False)
PY
check "the model file's layout is read (31 nodes, 44 edges, 12 vehicles)" \
  "python3 -c 'import json; d=json.load(open(\"$tmp/expected.json\")); assert (len(d[\"nodes\"]), len(d[\"edges\"]), d[\"vehicles\"]) == (31, 44, 12), (len(d[\"nodes\"]), len(d[\"edges\"]), d[\"vehicles\"])'"

port=$(free_port)
url=http://127.0.0.1:$port
"$bin" serve "$model" --port "$port" --speed 50 --for 300s >"$tmp/serve.log" 2>&1 &
pids+=($!)
check "server comes up" "wait_up $url/api/state"
check "fleet.js served" "curl -sf $url/fleet.js | grep -q fleetUpdate"
curl -sf $url/api/model >"$tmp/model.json"
# one Python per group of checks: this machine's python3 takes a second to start
python3 - "$tmp/expected.json" "$tmp/model.json" >"$tmp/model.out" <<'PY'
import json, sys
want, got = (json.load(open(p, encoding="utf-8")) for p in sys.argv[1:])
lay, nodes = got["layout"], got["layout"]["nodes"]
def ok(what, cond):
    print(("ok " if cond else "FAIL ") + what)
ok("every node, in order, at its place, with its role",
   [(n["name"], n["x"], n["y"], n["role"]) for n in nodes] ==
   [(n["name"], n["x"], n["y"], n["role"]) for n in want["nodes"]])
ok("every edge, as from/to node indices with one_way",
   sorted((nodes[e["from"]]["name"], nodes[e["to"]]["name"], e["one_way"]) for e in lay["edges"]) ==
   sorted(tuple(e) for e in want["edges"]))
ok("edges are as long as the straight distance",
   all(abs(e["length_m"] - ((nodes[e["from"]]["x"] - nodes[e["to"]]["x"]) ** 2 +
                            (nodes[e["from"]]["y"] - nodes[e["to"]]["y"]) ** 2) ** 0.5) < 1e-6
       for e in lay["edges"]))
ok("the fleet size", got["vehicles"] == want["vehicles"])
ok("each station's pick-up and drop-off node",
   all(nodes[s["pick"]]["name"] == want["stations"][s["name"]]["pick"] and
       nodes[s["drop"]]["name"] == want["stations"][s["name"]]["drop"] for s in got["stations"]))
ok("the earlier keys are kept", all(set(s) >= {"name", "kind", "servers", "buffer", "capacity", "at"}
                                    for s in got["stations"]) and got["products"])
PY
while read -r verdict what; do check "model: $what" "[ $verdict = ok ]"; done <"$tmp/model.out"
check "model: all its checks ran" "[ \$(wc -l <'$tmp/model.out') -eq 6 ]"

curl -sf $url/api/state >"$tmp/state1.json"
# the second state once the clock has moved on 100 simulated seconds (2 s at
# 50 x), however long that takes here
t1=$(json 'print(d["time_s"])' <"$tmp/state1.json")
within 60 "[ \$(curl -sf $url/api/state | json 'print(int(d[\"time_s\"] >= $t1 + 100))') = 1 ]"
curl -sf $url/api/state >"$tmp/state2.json"
curl -sf $url/api/kpis >"$tmp/kpis.json"
python3 - "$tmp/model.json" "$tmp/state1.json" "$tmp/state2.json" "$tmp/kpis.json" >"$tmp/state.out" <<'PY'
import json, sys
model, s1, s2, kpis = (json.load(open(p, encoding="utf-8")) for p in sys.argv[1:])
def ok(what, cond):
    print(("ok " if cond else "FAIL ") + what)
n = model["vehicles"]
nodes = model["layout"]["nodes"]
x0, x1 = min(p["x"] for p in nodes), max(p["x"] for p in nodes)
y0, y1 = min(p["y"] for p in nodes), max(p["y"] for p in nodes)
states = {"idle", "empty", "loaded", "blocked", "handling", "charging"}
for s in (s1, s2):
    v = s["vehicles"]
    ok(f"t={s['time_s']:.0f} s: {len(v)} vehicles, named AGV1..AGV{n}",
       [x["name"] for x in v] == [f"AGV{i}" for i in range(1, n + 1)])
    ok(f"t={s['time_s']:.0f} s: positions are numbers inside the layout "
       f"[{x0}, {x1}] x [{y0}, {y1}]",
       all(isinstance(x["x"], float) and isinstance(x["y"], float) and
           x0 - 1e-9 <= x["x"] <= x1 + 1e-9 and y0 - 1e-9 <= x["y"] <= y1 + 1e-9 for x in v))
    ok(f"t={s['time_s']:.0f} s: known states, loads 0..capacity, battery 0..1: "
       + ",".join(sorted({x["state"] for x in v})),
       all(x["state"] in states and 0 <= x["load"] <= 1 and 0 <= x["battery"] <= 1 for x in v))
moved = sum((a["x"], a["y"]) != (b["x"], b["y"]) for a, b in zip(s1["vehicles"], s2["vehicles"]))
ok(f"vehicles move between two states {s2['time_s'] - s1['time_s']:.0f} s apart ({moved} of {n})",
   s2["time_s"] > s1["time_s"] and moved >= 2)
ok("some vehicles are busy", any(x["state"] != "idle" for x in s2["vehicles"]))
f = kpis["fleet"]
ok("kpis: fleet figures", f["vehicles"] == n and 0 <= f["utilization"] <= 1 and 0 <= f["blocked"] <= 1)
ok("kpis: every vehicle with its utilization and state shares summing to 1",
   len(f["per_vehicle"]) == n and all(0 <= v["utilization"] <= 1 and
                                      set(v["states"]) == states and
                                      abs(sum(v["states"].values()) - 1) < 1e-6
                                      for v in f["per_vehicle"]))
PY
while read -r verdict what; do check "$what" "[ $verdict = ok ]"; done <"$tmp/state.out"
check "state and kpis: all their checks ran" "[ \$(wc -l <'$tmp/state.out') -eq 10 ]"

# the event stream carries the vehicles too
timeout 60 curl -sN $url/api/events | grep -m1 '^data: ' >"$tmp/events.txt"
check "events: state documents with 12 vehicles" \
  "grep -m1 '^data: ' '$tmp/events.txt' | grep -o '\"name\":\"AGV[0-9]*\"' | wc -l | grep -qx 12"

# ---- a model without a layout --------------------------------------------------------
port2=$(free_port)
"$bin" serve models/elevator-line.yaml --port "$port2" --for 30s >/dev/null 2>&1 &
pids+=($!)
url2=http://127.0.0.1:$port2
wait_up $url2/api/state
check "no layout: layout null, 0 vehicles, pick/drop null" \
  "curl -sf $url2/api/model | grep -q '\"layout\":null,\"vehicles\":0' &&
   ! curl -sf $url2/api/model | grep -q '\"pick\":[0-9]'"
check "no layout: the state's vehicles are []" "curl -sf $url2/api/state | grep -q '\"vehicles\":\[\]'"
check "no layout: no fleet in the KPIs" "! curl -sf $url2/api/kpis | grep -q '\"fleet\"'"

finish
