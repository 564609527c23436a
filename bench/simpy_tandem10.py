#!/usr/bin/python3
"""The 10-station tandem-line benchmark (bench/tandem10.yaml) in SimPy 2.3.1 (Debian's
python3-simpy), with the same semantics as fabtwin:

- raw material always available: a source process keeps the buffer in front of S01 full;
- every station has a FIFO input buffer of capacity 5 (a Store), one server, exponential
  process times (means below), and blocking after service: a finished item is kept by the
  station until the next buffer has room (`yield put` on a full Store waits);
- one failure mode per station, on the calendar clock: time to failure exp(2 h) counted from
  the end of the previous repair whatever the station does, repair exp(5 min). While failed
  the station starts nothing (it takes no item from its buffer) and the item in process is
  paused and resumed with its remaining time (preempt-resume). A station that is blocked
  when it fails still hands its finished item on when room appears, as in fabtwin.

usage: /usr/bin/python3 bench/simpy_tandem10.py HORIZON_S [SEED]
  simulates HORIZON_S seconds and prints, as key=value pairs: wall_s (wall time of building
  and running the simulation), items (finished at S10 within the horizon, fabtwin's
  "produced") and per_hour (throughput).
"""
import random
import sys
import time

from SimPy.Simulation import (Process, Store, activate, get, hold, initialize, now,
                              passivate, put, reactivate, simulate)

MEANS = [9.0, 9.4, 9.2, 9.6, 9.8, 9.3, 9.5, 9.7, 9.1, 9.9]  # process time means, s
CAPACITY = 5          # every buffer
MTBF = 2 * 3600.0     # mean time to failure, s (calendar clock)
MTTR = 5 * 60.0       # mean time to repair, s


class Stats:
    produced = 0


class Source(Process):
    """Raw material always available: an item (its release time) enters B01 whenever
    there is room."""
    def release(self, buf):
        while True:
            yield put, self, buf, [now()]


class Station(Process):
    # state: 'idle' (waiting in the input Store's get queue), 'working' (in hold),
    # 'blocked' (waiting in the next Store's put queue), 'parked' (passive until repaired)
    def __init__(self, name, inbuf, outbuf, mean, rng):
        Process.__init__(self, name=name)
        self.inbuf, self.outbuf, self.mean, self.rng = inbuf, outbuf, mean, rng
        self.down = False
        self.state = "idle"

    def run(self):
        while True:
            if self.down:
                self.state = "parked"
                yield passivate, self          # the Breakdown reactivates us
            self.state = "idle"
            yield get, self, self.inbuf, 1
            if not self.got:                   # a failure withdrew us from the queue
                continue                       # (we were reactivated at the repair)
            item = self.got[0]
            left = self.rng.expovariate(1.0 / self.mean)
            self.state = "working"
            while True:
                yield hold, self, left
                if not self.interrupted():
                    break
                left = self.interruptLeft      # preempt-resume: keep the remainder
                self.interruptReset()
                self.state = "parked"
                yield passivate, self
                self.state = "working"
            if self.outbuf is None:            # the last station: the item leaves
                Stats.produced += 1
            else:
                self.state = "blocked"
                yield put, self, self.outbuf, [item]


class Breakdown(Process):
    """One failure mode of a station, calendar clock."""
    def run(self, st, rng):
        while True:
            yield hold, self, rng.expovariate(1.0 / MTBF)
            st.down = True
            if st.state == "working":
                self.interrupt(st)             # st parks itself with the remainder
            elif st.state == "idle":
                # Withdraw st from the get queue so no item is taken while it is down:
                # the same removal SimPy's own reneging does (Process.acquired, Lib.py).
                st.inbuf.getQ.remove(st)
                st.state = "parked"
            # 'blocked': keeps waiting for room; then it parks itself (see run)
            yield hold, self, rng.expovariate(1.0 / MTTR)
            st.down = False
            if st.state == "parked":
                reactivate(st)


def main():
    horizon = float(sys.argv[1])
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    start = time.perf_counter()
    initialize()
    bufs = [Store(name="B%02d" % (i + 1), capacity=CAPACITY) for i in range(len(MEANS))]
    src = Source()
    activate(src, src.release(bufs[0]))
    for i, mean in enumerate(MEANS):
        out = bufs[i + 1] if i + 1 < len(MEANS) else None
        st = Station("S%02d" % (i + 1), bufs[i], out, mean, random.Random(seed * 1000 + i))
        activate(st, st.run())
        bd = Breakdown()
        activate(bd, bd.run(st, random.Random(seed * 1000 + 100 + i)))
    simulate(until=horizon)
    wall = time.perf_counter() - start
    print("wall_s=%.3f items=%d per_hour=%.3f"
          % (wall, Stats.produced, Stats.produced * 3600.0 / horizon))


if __name__ == "__main__":
    main()
