#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# init starts the services of etc/tern/services in file order: its
# "started NAME (pid N)" lines come in that order with rising pids, and the
# services themselves run in that order (each appends its name to a file;
# Init(serial=True) makes processes run in the order init forked them).
# Comment and blank lines are skipped, and the ready line follows the starts.
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from initns import READY, Init, InitError, Tap, require_host, serial_available  # noqa: E402

require_host()
NAMES = ["svc.e", "svc-a", "svc_d", "b", "C9"]  # file order is not name order

t = Tap(6)
serial = serial_available()
with Init(serial=serial) as init:
    lines = ["# the services, in start order", ""]
    for name in NAMES:
        sh = init.script(name, "echo %s >> @ROOT@/started\nexec sleep 1000" % name)
        lines += ["%s respawn %s" % (name, sh), "  # between"]
    init.services(*lines)
    try:
        init.start()
        started = [init.expect(r"started (\S+) \(pid (\d+)\)", 5)[0] for _ in NAMES]
        init.expect(READY, 5)
    except InitError as e:
        t.abort(e)
    logged = [m.group(1) for m in started]
    pids = [int(m.group(2)) for m in started]
    t.ok(logged == NAMES, "init logs 'started NAME' in file order",
         "got %s%s" % (logged, init.tail()))
    t.ok(pids == sorted(pids) and len(set(pids)) == len(pids),
         "with rising namespace pids", "pids %s" % pids)
    order = [text for _, text in init.out if "started" in text or "ready" in text]
    t.ok(len(order) == len(NAMES) + 1 and "ready" in order[-1],
         "the ready line comes after the last start", init.tail())

    from initns import until  # noqa: E402
    until(lambda: len(init.words("/started")) == len(NAMES), 5)
    t.ok(init.words("/started") == NAMES, "the services ran in file order",
         "started file: %s" % init.words("/started"),
         todo=None if serial else "no SCHED_FIFO here: the order they run in is racy")
    procs = {p.ns: p for p in init.processes()}
    t.ok(all(pid in procs and procs[pid].ppid == init.pid and procs[pid].name == "sleep"
             for pid in pids),
         "each runs (as its pid in the log says), a child of init", procs)
    t.ok(not init.matches(r"warning|error"), "no warning or error", init.tail())
t.done()
