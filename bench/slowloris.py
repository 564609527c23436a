#!/usr/bin/python3
"""slowloris.py PORT N SOURCES TRICKLE SECONDS -- the slow half of
bench/slowloris.sh: open N connections to 127.0.0.1:PORT, spread round-robin
over SOURCES loopback source addresses (127.0.1.1, 127.0.1.2, ...), each
sending the start of a request and then one more header byte every TRICKLE
seconds (below the server's timeout, so a timeout alone does not shed
them), for SECONDS. Prints "ready" when all are open, then at the end one
JSON line: opened, refused (the connect failed or the server shut it at
once), shed (closed by the server later), held (still open at the end).
Loopback only; bounded in count and time."""
import json
import socket
import sys
import time

port, n, sources = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
trickle, seconds = float(sys.argv[4]), float(sys.argv[5])
end = time.monotonic() + seconds
socks, refused = [], 0
for i in range(n):
    s = socket.socket()
    try:
        s.bind((f"127.0.1.{1 + i % sources}", 0))
        s.settimeout(5)
        s.connect(("127.0.0.1", port))
        s.sendall(b"GET /api/state HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        s.setblocking(False)
        socks.append(s)
    except OSError:
        refused += 1
        s.close()
print("ready", flush=True)


def alive(s):
    """Send one more byte; False when the server has closed the socket."""
    try:
        if s.recv(1) == b"":    # EOF, or an error page and then EOF
            return False
    except BlockingIOError:
        pass
    except OSError:
        return False
    try:
        s.send(b"a")
        return True
    except BlockingIOError:
        return True
    except OSError:
        return False


time.sleep(0.5)
opened = len(socks)
early = [s for s in socks if not alive(s)]  # shut at once: the limits refused them
refused += len(early)
socks = [s for s in socks if s not in early]
shed = 0
while time.monotonic() < end:
    time.sleep(min(trickle, max(0.0, end - time.monotonic())))
    still = [s for s in socks if alive(s)]
    shed += len(socks) - len(still)
    socks = still
print(json.dumps({"connections": n, "sources": sources, "opened": opened - len(early),
                  "refused": refused, "shed": shed, "held": len(socks)}), flush=True)
for s in socks:
    s.close()
