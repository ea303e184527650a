#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# init reaps orphans: processes of a service that outlive it are re-parented
# to init (PID 1 of the namespace) and reaped when they exit, both those
# still running when their parent exits and those already dead (zombies)
# by then.  Nothing of them is left in /proc, and init logs them as no
# service.
import os
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from initns import READY, Init, InitError, Tap, require_host, until  # noqa: E402

require_host()
N = 3       # orphans of each kind
BOUND = 1.0  # s for init to reap an orphan that has exited

# The service: N children that wait for the test to open the FIFO "gate",
# N children that exit at once and are left unreaped (zombies), then it
# writes their pids and exits without waiting for any.
MAKER = r"""
import os
import sys

waiting, zombies = [], []
for _ in range(%d):
    pid = os.fork()
    if pid == 0:
        with open("@ROOT@/gate") as gate:
            gate.read()
        os._exit(0)
    waiting.append(pid)
for _ in range(%d):
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)  # dead, not reaped
    zombies.append(pid)
with open("@ROOT@/orphans.new", "w") as f:
    f.write(" ".join(map(str, waiting)) + "\n" + " ".join(map(str, zombies)) + "\n")
os.rename("@ROOT@/orphans.new", "@ROOT@/orphans")
""" % (N, N)


def left(init, pids):
    """The processes of init's namespace among the namespace pids pids."""
    return [p for p in init.processes() if p.ns in pids]


t = Tap(8)
with Init() as init:
    os.mkfifo(init.path("/gate"))
    maker = init.script("maker", MAKER, interp="/usr/bin/python3")
    init.services("maker once " + maker)
    try:
        init.start()
        m, _ = init.expect(r"started maker \(pid (\d+)\)")
        maker_pid = int(m.group(1))
        init.expect(READY)
        _, exited = init.expect(r"maker \(pid %d\) exited with status 0" % maker_pid, 10)
    except InitError as e:
        t.abort(e)
    text = init.read("/orphans").splitlines()
    waiting = [int(w) for w in text[0].split()]
    zombies = [int(w) for w in text[1].split()]
    t.ok(len(waiting) == N and len(zombies) == N,
         "the service left %d running and %d dead children" % (N, N), text)

    gone = until(lambda: not left(init, zombies), BOUND)
    t.ok(gone, "the dead ones (zombies when their parent exited) are reaped "
         "within %.1f s" % BOUND, left(init, zombies))
    t.diag("zombie orphans gone %.3f s after their parent's exit was logged"
           % (time.monotonic() - exited))

    procs = left(init, waiting)
    t.ok(len(procs) == N and all(p.ppid == init.pid for p in procs),
         "the running ones are children of init now (PID 1 of the namespace)",
         "init is host pid %d; %s" % (init.pid, procs))
    t.ok(all(p.state != "Z" for p in procs), "and are not zombies", procs)

    try:
        fd = os.open(init.path("/gate"), os.O_WRONLY | os.O_NONBLOCK)
        opened = time.monotonic()
        os.close(fd)  # end of file for every orphan reading the gate
    except OSError as e:
        t.abort("unable to open the gate: %s" % e)
    gone = until(lambda: not left(init, waiting), BOUND)
    took = time.monotonic() - opened
    t.ok(gone, "once they exit, init reaps them all within %.1f s (%.3f s)"
         % (BOUND, took), left(init, waiting))
    t.ok(not [p for p in init.processes() if p.state == "Z"],
         "no zombie is left in the namespace", init.processes())
    orphan_lines = [text for _, text in init.out
                    if any("(pid %d)" % p in text for p in waiting + zombies)]
    t.ok(not orphan_lines, "init logs nothing about them (they are no service)",
         orphan_lines)
    t.ok(init.running() and not init.matches(r"warning|error"),
         "init runs on, with no warning or error", init.tail())
t.done()
