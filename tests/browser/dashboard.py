#!/usr/bin/python3
"""dashboard.py -- drive the fabtwin dashboard in headless Chromium over the
DevTools protocol and check what a user sees.

usage: dashboard.py URL ARTIFACT_DIR [twin]

Checks: the page loads and runs without script errors; the layout shows
every station of the model (from /api/model); the KPI tiles fill and update;
a mouse click on a station opens its panel with its KPIs; Chinese names come
through. Screenshots of the page before and after the click are written to
ARTIFACT_DIR.

With `twin` (a `fabtwin serve --twin` with a dead gateway behind URL): the
controls are hidden; the shift forecast chart is drawn, with a point per
forecast of /api/forecast; the P(target) tile fills; the stations /api/state
says are stale, and only they, are drawn hatched with a dashed outline and
say 过期 in their tooltip and panel. Screenshot: dashboard-twin.png.

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
        self.ws = websocket.create_connection(ws_url, timeout=30)
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
    time.sleep(1.5)
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
