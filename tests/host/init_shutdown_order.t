#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Shutdown, for each of BusyBox's signals (SIGUSR2 poweroff, SIGTERM
# reboot, SIGUSR1 halt, SIGINT reboot): init stops the services in reverse
# start order with SIGTERM (each traps it, appends its name to a file and
# exits), one of them stopped (SIGSTOP) beforehand; one that ignores
# SIGTERM gets SIGKILL after STOP_TIMEOUT s (CONFIG_INIT_STOP_TIMEOUT,
# measured); an orphan that is no service gets
# SIGTERM too; then init exits 0 (test mode) and nothing of its namespace
# is left.  The four run side by side, each init in its own namespace.
import os
import signal
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from initns import (READY, Init, InitError, Tap, config_value,  # noqa: E402
                    require_host, serial_available, until)

require_host()
SIGNALS = [(signal.SIGUSR2, "poweroff"), (signal.SIGTERM, "reboot"),
           (signal.SIGUSR1, "halt"), (signal.SIGINT, "reboot")]
BOUND = int(config_value("INIT_STOP_TIMEOUT", "5"))
# The SIGKILL comes BOUND s or more after the signal, exactly: the test
# reads CLOCK_MONOTONIC just before it sends the signal, init reads the
# same clock after it gets it, and init's deadline is never early though
# it counts whole milliseconds (deadline_ms, tests/unit/init_clock.c).
# Only the late side waits on a busy machine, and gets the slack.
SLACK = 1.5
ORDER = ["a", "b", "stubborn", "c"]  # start order
STOPPED = ["c", "b", "a"]            # the order they must stop in
FROZEN = "b"                         # SIGSTOPped before the shutdown

POLITE = """trap 'echo %s >> @ROOT@/stopped; kill $! 2>/dev/null; exit 0' TERM
sleep 1000 &
echo %s >> @ROOT@/started
wait"""
STUBBORN = """trap '' TERM
echo stubborn >> @ROOT@/started
exec sleep 1000"""
# Leaves behind a process that is no service and traps SIGTERM.
ORPHAN = """(trap 'echo straggler >> @ROOT@/stragglers; kill $! 2>/dev/null; exit 0' TERM
 sleep 1000 &
 echo straggler >> @ROOT@/started
 wait) &
exit 0"""


def make(serial):
    init = Init(serial=serial)
    lines = []
    for name in ORDER:
        body = STUBBORN if name == "stubborn" else POLITE % (name, name)
        lines.append("%s respawn %s" % (name, init.script(name, body)))
    lines.append("orphan once " + init.script("orphan", ORPHAN))
    init.services(*lines)
    return init


serial = serial_available()
todo = None if serial else "no SCHED_FIFO here: the order they stop in is racy"
t = Tap(8 * len(SIGNALS))
t.diag("STOP_TIMEOUT is %d s (%s/config.h)" % (BOUND, os.environ.get("TERN_OUT")))
inits = [make(serial) for _ in SIGNALS]
try:
    for init in inits:
        init.start()
    for init in inits:
        init.expect(READY)
        if not until(lambda: len(init.words("/started")) == len(ORDER) + 1, 5):
            raise InitError("services did not all start: %s%s"
                            % (init.words("/started"), init.tail()))
    frozen = []
    for init in inits:
        m = init.matches(r"^init: started %s \(pid (\d+)\)" % FROZEN)[0][0]
        host = init.host_pid(int(m.group(1)))
        os.kill(host, signal.SIGSTOP)
        frozen.append(until(lambda: [p for p in init.processes()
                                     if p.host == host and p.state == "T"], 2))
    sent = [init.signal(sig) for init, (sig, _) in zip(inits, SIGNALS)]
except InitError as e:
    t.abort(e)

for init, (sig, action), t0, stopped in zip(inits, SIGNALS, sent, frozen):
    what = "%s (%s)" % (signal.Signals(sig).name, action)
    try:
        init.expect(r"^init: %s: stopping services$" % action, 2)
        t.ok(True, "%s: init stops the services" % what)
        until(lambda: len(init.words("/stopped")) == len(STOPPED), 2)
        t.ok(init.words("/stopped") == STOPPED,
             "%s: they get SIGTERM in reverse start order" % what,
             "stopped: %s" % init.words("/stopped"), todo=todo)
        t.ok(stopped and FROZEN in init.words("/stopped"),
             "%s: the one stopped with SIGSTOP is continued and stops too" % what,
             "stopped: %s, was %s" % (init.words("/stopped"), stopped))
        _, warned = init.expect(r"^init: warning: %s: 1 service\(s\) still running after %d s; "
                                r"sending SIGKILL$" % (action, BOUND), BOUND + SLACK + 1)
        _, killed = init.expect(r"^init: stubborn \(pid \d+\) killed by signal 9 ", 2)
        t.diag("%s: SIGKILL warning %.3f s, stubborn reaped %.3f s after the signal"
               % (what, warned - t0, killed - t0))
        t.ok(BOUND <= warned - t0 <= BOUND + SLACK and BOUND <= killed - t0 <= BOUND + SLACK,
             "%s: the one ignoring SIGTERM gets SIGKILL after %d s (%.3f s)"
             % (what, BOUND, killed - t0), init.tail())
        init.expect(r"^init: %s: test mode: exit 0 instead of reboot\(2\)$" % action, 5)
        status = init.wait_exit(5)
    except InitError as e:
        t.abort(e)
    if init.closed:
        t.diag("%s: init exited %.3f s after the signal" % (what, init.closed - t0))
    t.ok(status == 0, "%s: init exits 0" % what, "status %r" % status)
    t.ok(init.words("/stragglers") == ["straggler"],
         "%s: an orphan that is no service gets SIGTERM too" % what, init.tail())
    polite = init.matches(r"^init: (a|b|c) \(pid \d+\) exited with status 0$")
    t.ok(sorted(m.group(1) for m, _ in polite) == ["a", "b", "c"] and
         not init.matches(r"error|warning: (?!.*sending SIGKILL)"),
         "%s: the others exit by themselves, and nothing else is logged as a problem"
         % what, init.tail())
    t.ok(not init.processes(), "%s: no process of its namespace is left" % what,
         init.processes())
    init.close()
t.done()
