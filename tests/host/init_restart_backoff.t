#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# A respawn service killed (from the host, by its host pid) again and again
# is started again after 1, 2 and 4 s, measured from the kill to init's
# "started" line; a once service that exits is not started again.
#
# The other half of the back-off, back to 1 s after a run of 30 s or more,
# would make this test take a minute: tests/unit/init_backoff.c covers it
# (and the 60 s cap) on backoff_next() itself, and tests/unit/
# init_crashloop.c the crash-loop report at the cap, on a clock it moves.
import os
import signal
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from initns import READY, Init, InitError, Tap, require_host, until  # noqa: E402

require_host()
DELAYS = [1, 2, 4]
# One clock, CLOCK_MONOTONIC, on both sides: the test reads it before the
# kill, init after it reaps the service, and init's deadlines are never
# early (deadline_ms, tests/unit/init_clock.c), so "took" is never below
# the delay: that bound is exact.  Only the late side waits on a busy
# machine, and gets the slack.
LATE = 0.6

t = Tap(2 * len(DELAYS) + 4)
with Init() as init:
    flappy = init.script("flappy", "echo $$ >> @ROOT@/flappy.runs\nexec sleep 1000")
    one = init.script("one", "echo $$ >> @ROOT@/one.runs\nexit 3")
    init.services("flappy respawn " + flappy, "one once " + one)
    try:
        init.start()
        m, _ = init.expect(r"started flappy \(pid (\d+)\)")
        init.expect(READY)
        pid = int(m.group(1))
        logged = [pid]
        for want in DELAYS:
            # Kill it once it runs (has written its pid), not while init's
            # child is still on its way to exec.
            ran = until(lambda: str(pid) in init.words("/flappy.runs"), 2)
            host = init.host_pid(pid)
            if not ran or not host:
                raise InitError("flappy (pid %d) is not running" % pid)
            killed = time.monotonic()
            os.kill(host, signal.SIGKILL)
            m, _ = init.expect(r"flappy \(pid %d\) killed by signal 9 .*restarting in (\d+) s"
                               % pid, 2)
            t.ok(int(m.group(1)) == want, "after kill %d init says it restarts in %d s"
                 % (len(logged), want), init.tail())
            m, seen = init.expect(r"started flappy \(pid (\d+)\)", want + 2)
            took = seen - killed
            t.diag("kill %d: started again after %.3f s (expected %d s)"
                   % (len(logged), took, want))
            t.ok(want <= took <= want + LATE,
                 "and starts it again %d s later (%.3f s, within +%.1f s)"
                 % (want, took, LATE), init.tail())
            pid = int(m.group(1))
            logged.append(pid)
    except InitError as e:
        t.abort(e)

    until(lambda: len(init.words("/flappy.runs")) >= len(logged), 2)
    runs = [int(w) for w in init.words("/flappy.runs")]
    t.ok(runs == logged, "each start ran the service anew (pids %s)" % runs,
         "logged %s" % logged)
    t.ok(len(init.words("/one.runs")) == 1, "the once service ran once",
         init.read("/one.runs"))
    t.ok(init.matches(r"one \(pid \d+\) exited with status 3$"),
         "its exit is logged, with no restart", init.tail())
    t.ok(len(init.matches(r"started one ")) == 1 and not init.matches(r"^init: one .*restarting"),
         "and it is not started again (%.0f s later)" % (time.monotonic() - init.started),
         init.tail())
t.done()
