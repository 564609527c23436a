#!/usr/bin/python3
"""sse_load.py URL CLIENTS SECONDS PID [SOURCES] -- open CLIENTS event
streams on URL/api/events at once, read them for SECONDS, and sample the
server's resident memory (PID) every second. With SOURCES, client i
connects from the loopback address 127.0.2.(1 + i % SOURCES) (the server
limits connections per address). Prints one JSON line: clients, dropped
(streams that ended or failed early), starved (no state at all), events per
client (min / median / max), seconds to the first state (median / max),
RSS in kB at the start, the end and the peak."""
import http.client
import json
import statistics
import sys
import threading
import time
import urllib.parse

url, clients, seconds, pid = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
u = urllib.parse.urlparse(url)
sources = int(sys.argv[5]) if len(sys.argv) > 5 else 0
counts = [0] * clients
first = [None] * clients
dropped = [False] * clients
stop_at = time.monotonic() + seconds


def client(i):
    try:
        t0 = time.monotonic()
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=30,
                                       source_address=(f"127.0.2.{1 + i % sources}", 0)
                                       if sources else None)
        c.request("GET", "/api/events")
        r = c.getresponse()
        while time.monotonic() < stop_at:
            line = r.fp.readline()
            if not line:
                dropped[i] = True
                return
            if line.startswith(b"data: "):
                counts[i] += 1
                if first[i] is None:
                    first[i] = time.monotonic() - t0
        c.close()
    except Exception:
        dropped[i] = True


def rss_kb():
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
for t in threads:
    t.start()
samples = []
while time.monotonic() < stop_at:
    samples.append(rss_kb())
    time.sleep(1)
for t in threads:
    t.join(timeout=35)
waits = [f for f in first if f is not None]
print(json.dumps({"clients": clients, "dropped": sum(dropped), "seconds": seconds,
                  "starved": first.count(None),
                  "first_median_s": statistics.median(waits) if waits else None,
                  "first_max_s": max(waits) if waits else None,
                  "events_min": min(counts), "events_median": statistics.median(counts),
                  "events_max": max(counts), "rss_start_kb": samples[1] if len(samples) > 1 else samples[0],
                  "rss_end_kb": samples[-1], "rss_max_kb": max(samples)}))
