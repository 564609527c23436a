#!/usr/bin/python3
"""The M/M/1 benchmark model (bench/mm1.yaml) in SimPy 2.3.1 (Debian's python3-simpy).

Poisson arrivals with mean interarrival 10 s, one FIFO server with exponential service of
mean 8 s (rho 0.8; theory W = 40 s), unbounded queue. Same structure as fabtwin's model: a
source process puts customers (their arrival times) into an unbounded Store, a server
process takes them out in FIFO order. (This is ~20 % faster in SimPy 2 than the textbook
"one Process per customer + Resource" version, so SimPy is given its better chance.)

usage: /usr/bin/python3 bench/simpy_mm1.py N [SEED]
  simulates N x 10 s (so about N customers arrive) and prints, as key=value pairs:
  wall_s (wall time of building and running the simulation), customers (served within the
  horizon, the analogue of fabtwin's "produced") and W_s (their mean time in system).
"""
import random
import sys
import time

from SimPy.Simulation import (Process, Store, activate, get, hold, initialize, now, put,
                              simulate)

MEAN_INTERARRIVAL = 10.0
MEAN_SERVICE = 8.0


class Stats:
    served = 0
    time_in_system = 0.0


class Source(Process):
    def generate(self, queue, rng):
        while True:
            yield hold, self, rng.expovariate(1.0 / MEAN_INTERARRIVAL)
            yield put, self, queue, [now()]  # the customer is its arrival time


class Server(Process):
    def serve(self, queue, rng):
        while True:
            yield get, self, queue, 1
            arrived = self.got[0]
            yield hold, self, rng.expovariate(1.0 / MEAN_SERVICE)
            Stats.served += 1
            Stats.time_in_system += now() - arrived


def main():
    n = int(float(sys.argv[1]))
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    rng = random.Random(seed)
    start = time.perf_counter()
    initialize()
    queue = Store(name="queue")  # capacity 'unbounded'
    src = Source()
    activate(src, src.generate(queue, rng))
    srv = Server()
    activate(srv, srv.serve(queue, rng))
    simulate(until=n * MEAN_INTERARRIVAL)
    wall = time.perf_counter() - start
    w = Stats.time_in_system / Stats.served if Stats.served else float("nan")
    print("wall_s=%.3f customers=%d W_s=%.3f" % (wall, Stats.served, w))


if __name__ == "__main__":
    main()
