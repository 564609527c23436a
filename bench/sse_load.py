#!/usr/bin/python3
"""sse_load.py URL CLIENTS SECONDS PID -- open CLIENTS event streams on
URL/api/events at once, read them for SECONDS, and sample the server's
resident memory (PID) every second. Prints one JSON line: clients, dropped
(streams that ended or failed early), events per client (min / median /
max), RSS in kB at the start, the end and the peak."""
import http.client
import json
import statistics
import sys
import threading
import time
import urllib.parse

url, clients, seconds, pid = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
u = urllib.parse.urlparse(url)
counts = [0] * clients
dropped = [False] * clients
stop_at = time.monotonic() + seconds


def client(i):
    try:
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        c.request("GET", "/api/events")
        r = c.getresponse()
        while time.monotonic() < stop_at:
            line = r.fp.readline()
            if not line:
                dropped[i] = True
                return
            if line.startswith(b"data: "):
                counts[i] += 1
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
print(json.dumps({"clients": clients, "dropped": sum(dropped), "seconds": seconds,
                  "events_min": min(counts), "events_median": statistics.median(counts),
                  "events_max": max(counts), "rss_start_kb": samples[1] if len(samples) > 1 else samples[0],
                  "rss_end_kb": samples[-1], "rss_max_kb": max(samples)}))
