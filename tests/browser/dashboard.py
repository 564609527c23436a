#!/usr/bin/python3
"""dashboard.py -- drive the fabtwin dashboard in headless Chromium over the
DevTools protocol and check what a user sees.

usage: dashboard.py URL ARTIFACT_DIR [twin | agv]

Checks: the page loads and runs without script errors; the layout shows
every station of the model (from /api/model); the KPI tiles fill and update;
a mouse click on a station opens its panel with its KPIs; Chinese names come
through; a model without an AGV layout shows no network, vehicles, AGV
tile or chart. Screenshots of the page before and after the click are
written to ARTIFACT_DIR.

With `twin` (a `fabtwin serve --twin` with a dead gateway behind URL): the
controls are hidden; the shift forecast chart is drawn, with a point per
forecast of /api/forecast; the P(target) tile fills; the stations /api/state
says are stale, and only they, are drawn hatched with a dashed outline and
say 过期 in their tooltip and panel. Screenshot: dashboard-twin.png.

With `agv` (a model with an AGV layout and fleet behind URL): every station
and every node of /api/model's layout is drawn, with its (Chinese) name,
every edge too, one-way ones with an arrowhead, chargers with ⚡ and parking
with P; there are as many vehicle markers as the fleet has vehicles, each
coloured by a known state and inside the drawn network; **the AGVs move
between two snapshots** (waited for, at most 20 s); the AGV tile and chart fill; a click
on a vehicle opens its panel with its battery. Screenshots:
dashboard-agv.png, dashboard-agv-panel.png.

Prints one line per check ("ok ..." / "FAIL ..."); exit status 1 when any
fails. Needs Debian's chromium and python3-websocket.
"""
import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import websocket  # python3-websocket (websocket-client)

URL, ART = sys.argv[1], sys.argv[2]
TWIN = len(sys.argv) > 3 and sys.argv[3] == "twin"
AGV = len(sys.argv) > 3 and sys.argv[3] == "agv"
failures = 0


def report(ok, what):
    global failures
    failures += not ok
    print(("ok   " if ok else "FAIL ") + what, flush=True)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Page:
    """One browser tab, spoken to over its DevTools web socket."""

    def __init__(self, ws_url):
        self.ws = websocket.create_connection(ws_url, timeout=120)  # a cap for a loaded machine
        self.next_id = 0
        self.exceptions = []

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("method") == "Runtime.exceptionThrown":
                self.exceptions.append(msg["params"]["exceptionDetails"].get("text", "?"))
            if msg.get("id") == self.next_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg["result"]

    def eval(self, expr):
        r = self.call("Runtime.evaluate", expression=expr, returnByValue=True, awaitPromise=True)
        return r["result"].get("value")

    def wait_for(self, expr, timeout_s=20):
        end = time.monotonic() + timeout_s
        while time.monotonic() < end:
            if self.eval(expr):
                return True
            time.sleep(0.1)
        return False

    def screenshot(self, path):
        data = self.call("Page.captureScreenshot", format="png")["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))


def main():
    browser = next((b for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)), None)
    if not browser:
        report(False, "Chromium is installed (scripts/deps installs Debian's chromium)")
        return
    os.makedirs(ART, exist_ok=True)
    profile = tempfile.mkdtemp()
    port = free_port()
    chrome = subprocess.Popen(
        [browser, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--hide-scrollbars", f"--user-data-dir={profile}", f"--remote-debugging-port={port}",
         "--window-size=1400,1100", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        targets = None
        for _ in range(200):
            try:
                targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list"))
                break
            except OSError:
                time.sleep(0.1)
        tab = next(t for t in targets if t.get("type") == "page")
        page = Page(tab["webSocketDebuggerUrl"])
        page.call("Runtime.enable")
        page.call("Page.enable")
        page.call("Emulation.setDeviceMetricsOverride", width=1400, height=1100,
                  deviceScaleFactor=1, mobile=False)
        page.call("Page.navigate", url=URL)

        if TWIN:
            check_twin(page)
        elif AGV:
            check_agv(page)
        else:
            check_simulation(page)
        report(not page.exceptions, f"no script errors ({page.exceptions})")
    finally:
        chrome.terminate()
        chrome.wait(timeout=10)
        shutil.rmtree(profile, ignore_errors=True)


def click(page, name):
    box = page.eval(f"""(() => {{
        const g = [...document.querySelectorAll('g.station')].find(g => g.dataset.station === {json.dumps(name)});
        const r = g.getBoundingClientRect();
        return {{x: r.x + r.width / 2, y: r.y + r.height / 2}};
    }})()""")
    for kind in ("mousePressed", "mouseReleased"):
        page.call("Input.dispatchMouseEvent", type=kind, x=box["x"], y=box["y"], button="left",
                  clickCount=1)


def check_simulation(page):
    model = json.load(urllib.request.urlopen(URL + "api/model"))
    want = [s["name"] for s in model["stations"]]
    report(page.wait_for(f"document.querySelectorAll('g.station').length === {len(want)}"),
           f"the layout shows all {len(want)} stations")
    shown = page.eval("[...document.querySelectorAll('g.station')].map(g => g.dataset.station)")
    report(shown == want, f"the stations are the model's, with their Chinese names: {shown}")
    report(page.eval("document.getElementById('model').textContent") == model["name"],
           f"the title is the model's name ({model['name']})")
    report(page.wait_for("/^[0-9]+$/.test(document.getElementById('k-produced').textContent)"),
           "the KPI tiles fill")
    states = page.eval("[...document.querySelectorAll('g.station')].map(g => g.dataset.state)")
    report(all(s in ("working", "setup", "starved", "blocked", "failed", "maintenance", "off_shift")
               for s in states), f"every station is coloured by its state: {states}")
    before = int(page.eval("document.getElementById('k-produced').textContent"))
    clock0 = page.eval("document.getElementById('clock').textContent")
    # waited for (at most 20 s), not timed: a slow machine is no failure
    page.wait_for(f"Number(document.getElementById('k-produced').textContent) > {before} && "
                  f"document.getElementById('clock').textContent !== {json.dumps(clock0)}")
    after = int(page.eval("document.getElementById('k-produced').textContent"))
    clock1 = page.eval("document.getElementById('clock').textContent")
    report(after > before and clock1 != clock0,
           f"the KPIs update live (produced {before} -> {after}, clock {clock0} -> {clock1})")
    page.screenshot(os.path.join(ART, "dashboard.png"))

    name = want[len(want) // 2]
    click(page, name)
    opened = page.wait_for(f"""!document.getElementById('panel').hidden &&
        document.getElementById('panel-title').textContent === {json.dumps(name)} &&
        document.getElementById('panel-kpis').rows.length >= 5""")
    report(opened, f"a click on {name} opens its panel with its KPIs")
    page.screenshot(os.path.join(ART, "dashboard-panel.png"))
    report(os.path.getsize(os.path.join(ART, "dashboard.png")) > 10000,
           f"screenshots saved in {ART}")
    # the page's own Pause button: the browser sends its Origin and
    # Sec-Fetch-Site, which the server's CSRF check must accept
    def running():
        return json.load(urllib.request.urlopen(URL + "api/state"))["running"]
    page.eval("document.getElementById('play').click()")
    paused = any(not running() or time.sleep(0.2) for _ in range(50))
    report(paused and page.eval("document.getElementById('status').textContent") == "",
           "the Pause button pauses the plant (a same-origin JSON POST is accepted)")
    page.eval("document.getElementById('play').click()")
    report(any(running() or time.sleep(0.2) for _ in range(50)), "... and Run runs it again")
    shown = page.eval("""[document.querySelectorAll('g.node, g.vehicle, .network').length,
        ...[...document.querySelectorAll('.fleet-only, .layout-only')].map(e => e.offsetParent === null)]""")
    report(shown[0] == 0 and all(shown[1:]),
           f"no layout in the model: no network, vehicles, AGV tile or chart ({shown})")


def vehicle_positions(page):
    """Each vehicle marker's centre on the screen, by name."""
    return page.eval("""Object.fromEntries([...document.querySelectorAll('g.vehicle')].map(g => {
        const r = g.querySelector('circle.body').getBoundingClientRect();
        return [g.dataset.vehicle, [r.x + r.width / 2, r.y + r.height / 2]];
    }))""")


def check_agv(page):
    model = json.load(urllib.request.urlopen(URL + "api/model"))
    stations = [s["name"] for s in model["stations"]]
    nodes = [n["name"] for n in model["layout"]["nodes"]]
    n_veh = model["vehicles"]
    report(page.wait_for(f"document.querySelectorAll('g.vehicle').length === {n_veh}"),
           f"agv: {n_veh} vehicle markers, one per vehicle of the fleet")
    shown = page.eval("[...document.querySelectorAll('g.station')].map(g => g.dataset.station)")
    report(shown == stations, f"agv: every station is drawn: {shown}")
    drawn = page.eval("""[...document.querySelectorAll('g.node')].map(g =>
        [g.dataset.node, g.querySelector('text.node-name').textContent, g.dataset.role,
         g.querySelector('.glyph') ? g.querySelector('.glyph').textContent : ''])""")
    report([d[0] for d in drawn] == nodes and all(d[0] == d[1] for d in drawn),
           f"agv: every layout node is drawn with its name ({len(drawn)} of {len(nodes)})")
    want_roles = {n["name"]: n["role"] or "" for n in model["layout"]["nodes"]}
    report(all(want_roles[d[0]] == d[2] for d in drawn) and
           all(d[3] == "⚡" for d in drawn if d[2] == "charger") and
           all(d[3] == "P" for d in drawn if d[2] == "parking") and
           {d[2] for d in drawn} >= {"charger", "parking", "shipping"},
           "agv: chargers say ⚡, parking P, and the shipping dock is marked")
    edges = page.eval("""[...document.querySelectorAll('.network path.path')].map(p =>
        [p.classList.contains('one-way'), getComputedStyle(p).markerMid])""")
    want_edges = model["layout"]["edges"]
    report(len(edges) == len(want_edges) and
           all(e[0] == w["one_way"] and (e[1] != "none") == w["one_way"] for e, w in zip(edges, want_edges)),
           f"agv: every edge is drawn, one-way ones with an arrowhead ({len(edges)} of {len(want_edges)})")
    # the names really render: the Chinese label has a width
    width = page.eval("""(() => { const t = [...document.querySelectorAll('g.node text.node-name')]
        .find(t => /[\u4e00-\u9fff]/.test(t.textContent)); return t ? t.getBBox().width : 0; })()""")
    report(width > 10, f"agv: Chinese node names render ({width:.0f} units wide)")
    page.wait_for("[...document.querySelectorAll('g.vehicle')].every(g => g.dataset.state)")
    states = page.eval("[...document.querySelectorAll('g.vehicle')].map(g => g.dataset.state)")
    report(all(s in ("idle", "empty", "loaded", "blocked", "handling", "charging") for s in states),
           f"agv: every vehicle is coloured by a known state: {sorted(set(states))}")
    inside = page.eval("""(() => {
        const n = document.querySelector('.network').getBoundingClientRect();
        return [...document.querySelectorAll('g.vehicle circle.body')].every(c => {
            const r = c.getBoundingClientRect(), x = r.x + r.width / 2, y = r.y + r.height / 2;
            return x >= n.left - 1 && x <= n.right + 1 && y >= n.top - 1 && y <= n.bottom + 1;
        });
    })()""")
    report(inside, "agv: the vehicles are on the drawn network")
    before = vehicle_positions(page)
    page.screenshot(os.path.join(ART, "dashboard-agv.png"))
    def moved_since(before):
        after = vehicle_positions(page)
        return [k for k in before if k in after and
                max(abs(before[k][0] - after[k][0]), abs(before[k][1] - after[k][1])) > 2]
    end = time.monotonic() + 20  # waited for, not timed
    while len(moved := moved_since(before)) < 2 and time.monotonic() < end:
        time.sleep(0.1)
    report(len(moved) >= 2, f"agv: AGVs move between two snapshots ({len(moved)} of {n_veh} moved)")
    page.screenshot(os.path.join(ART, "dashboard-agv-moved.png"))
    report(page.wait_for("/^[0-9.]+$/.test(document.getElementById('k-agv').textContent)") and
           page.eval("document.getElementById('k-agv-unit').textContent").find("held by traffic") >= 0,
           "agv: the AGV tile shows utilization and the share held by traffic: "
           + str(page.eval("document.getElementById('k-agv').textContent + ' ' + "
                           "document.getElementById('k-agv-unit').textContent")))
    bars = page.eval("""(() => { const c = Chart.getChart('c-agv');
        return c ? c.data.labels.length : -1; })()""")
    report(bars == n_veh, f"agv: the AGV chart has a bar per vehicle ({bars})")
    # a click on a vehicle (paused, so that it holds still) opens its panel with its battery
    urllib.request.urlopen(urllib.request.Request(URL + "api/control", data=b'{"action":"pause"}',
                                                  headers={"Content-Type": "application/json"}))
    time.sleep(0.5)
    box = page.eval("""(() => { const r = document.querySelector('g.vehicle circle.body').getBoundingClientRect();
        return {x: r.x + r.width / 2, y: r.y + r.height / 2,
                name: document.querySelector('g.vehicle').dataset.vehicle}; })()""")
    for kind in ("mousePressed", "mouseReleased"):
        page.call("Input.dispatchMouseEvent", type=kind, x=box["x"], y=box["y"], button="left",
                  clickCount=1)
    opened = page.wait_for(f"""!document.getElementById('panel').hidden &&
        document.getElementById('panel-title').textContent === {json.dumps(box["name"])} &&
        [...document.getElementById('panel-kpis').rows].some(r => r.cells[0].textContent === 'battery' &&
                                                              / %$/.test(r.cells[1].textContent))""")
    report(opened, f"agv: a click on {box['name']} opens its panel with its battery")
    page.screenshot(os.path.join(ART, "dashboard-agv-panel.png"))
    report(os.path.getsize(os.path.join(ART, "dashboard-agv.png")) > 10000,
           f"agv: screenshots saved in {ART}")


def check_twin(page):
    model = json.load(urllib.request.urlopen(URL + "api/model"))
    want = [s["name"] for s in model["stations"]]
    report(page.wait_for(f"document.querySelectorAll('g.station').length === {len(want)}"),
           f"twin: the layout shows all {len(want)} stations")
    report(page.wait_for("document.body.classList.contains('twin')"), "twin: the page knows it is a twin")
    report(page.eval("document.getElementById('controls').offsetParent === null"),
           "twin: play / pause / speed are hidden")
    # the forecasts: at least three, each a point of P50 on a drawn chart
    report(page.wait_for("Number(document.getElementById('forecast').dataset.forecasts || 0) >= 3", 30),
           "twin: three forecasts or more reach the page")
    made = json.load(urllib.request.urlopen(URL + "api/forecast"))
    shown = int(page.eval("Number(document.getElementById('forecast').dataset.forecasts)"))
    report(shown >= 3 and shown <= len(made["history"]),
           f"twin: the chart has a point per forecast ({shown} of {len(made['history'])} made)")
    inked = page.eval("""(() => {
        const c = document.getElementById('c-forecast');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < d.length; i += 4) n += d[i] > 0;
        return c.width > 200 && c.height > 100 ? n : 0;
    })()""")
    report(inked > 2000, f"twin: the forecast chart is drawn ({inked} pixels inked)")
    report(page.wait_for("/^[0-9]+$/.test(document.getElementById('k-ptarget').textContent)"),
           "twin: the P(target) tile fills: " + str(page.eval("document.getElementById('k-ptarget').textContent")))
    report(page.eval("document.getElementById('f-bottleneck').textContent") in want,
           "twin: the forecast names a station as the bottleneck: "
           + str(page.eval("document.getElementById('f-bottleneck').textContent")))
    # staleness: the page marks exactly the stations the API says are stale
    page.wait_for("document.querySelectorAll('g.station.stale').length > 0")
    state = json.load(urllib.request.urlopen(URL + "api/state"))
    stale = sorted(s["name"] for s in state["stations"] if s["stale"])
    marked = sorted(page.eval("[...document.querySelectorAll('g.station.stale')].map(g => g.dataset.station)"))
    report(stale and marked == stale, f"twin: the stale stations are marked: {marked} (API: {stale})")
    looks = page.eval("""[...document.querySelectorAll('g.station')].map(g => {
        const r = getComputedStyle(g.querySelector('rect.box'));
        return {stale: g.classList.contains('stale'), fill: r.fill, dash: r.strokeDasharray,
                title: g.querySelector('title').textContent, info: g.querySelector('text.info').textContent};
    })""")
    ok = all(("url(" in x["fill"]) == x["stale"] and (x["dash"] != "none") == x["stale"] and
             ("过期" in x["title"]) == x["stale"] and ("过期" in x["info"]) == x["stale"] for x in looks)
    report(ok, "twin: stale boxes are hatched with a dashed outline and say 过期, fresh ones not: "
           + json.dumps([{k: x[k] for k in ("stale", "dash", "info")} for x in looks], ensure_ascii=False))
    page.screenshot(os.path.join(ART, "dashboard-twin.png"))
    click(page, stale[0])
    opened = page.wait_for(f"""!document.getElementById('panel').hidden &&
        document.getElementById('panel-title').textContent === {json.dumps(stale[0])} &&
        [...document.getElementById('panel-kpis').rows].some(r => r.cells[0].textContent.includes('过期') &&
                                                                r.cells[1].textContent.startsWith('yes'))""")
    report(opened, f"twin: a click on {stale[0]} opens its panel, which says it is 过期 / stale")
    page.screenshot(os.path.join(ART, "dashboard-twin-panel.png"))
    report(os.path.getsize(os.path.join(ART, "dashboard-twin.png")) > 10000,
           f"twin: screenshots saved in {ART}")


try:
    main()
except Exception as e:  # a crash of the driver is a failed test, with its reason
    report(False, f"the browser test ran: {e!r}")
sys.exit(1 if failures else 0)
