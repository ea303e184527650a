#!/usr/bin/python3
# init supervises services in the booted image: a service added to
# /etc/tern/services and announced with SIGHUP starts, its output reaches
# the console and the kernel log prefixed with its name, a service killed
# in the guest comes back after the back-off, a removed one is stopped,
# and poweroff ends QEMU within 3 s.
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from guest import Guest, GuestError, Tap  # noqa: E402

SCRIPT = "#!/bin/sh\\necho tick up\\nexec sleep 1000\\n"

t = Tap(9)
with Guest() as g:
    try:
        g.wait_ready(timeout=120)
        if not g.wait_shell():
            t.bail("debug shell did not answer")

        mark = len(g.log)
        g.sh("printf '%s' >/tmp/tick.sh && chmod 755 /tmp/tick.sh && "
             "echo 'ticker respawn /tmp/tick.sh' >>/etc/tern/services && kill -HUP 1"
             % SCRIPT)
        m = g.wait_log(rb"init: started ticker \(pid (\d+)\)", mark)
        pid = int(m.group(1))
        t.ok(True, "SIGHUP to init starts a service added to /etc/tern/services")
        g.wait_log(rb"ticker: tick up\r?\n", mark)
        t.ok(True, "its output reaches the console as 'ticker: tick up'")
        st, out = g.sh("dmesg | grep -c 'ticker: tick up'")
        t.ok(out.strip() == "1", "and the kernel log (dmesg)", out)

        mark = len(g.log)
        g.sh("kill -9 %d" % pid)
        t0 = time.monotonic()
        g.wait_log(rb"ticker \(pid %d\) killed by signal 9" % pid, mark)
        m = g.wait_log(rb"init: started ticker \(pid (\d+)\)", mark, timeout=10)
        took = time.monotonic() - t0
        pid2 = int(m.group(1))
        t.ok(pid2 != pid and 0.9 <= took < 3.0,
             "a service killed in the guest is started again after 1 s "
             "(%.2f s wall)" % took, "pid %d -> %d" % (pid, pid2))
        st, out = g.sh("cat /proc/%d/cmdline | tr '\\0' ' '" % pid2)
        # Before its exec the script is still /bin/sh /tmp/tick.sh.
        t.ok(st == 0 and ("sleep 1000" in out or "/tmp/tick.sh" in out),
             "the new pid runs the service", out)

        mark = len(g.log)
        g.sh("sed -i '/^ticker /d' /etc/tern/services && kill -HUP 1")
        g.wait_log(rb"reload: removed ticker: stopping pid %d" % pid2, mark)
        g.wait_log(rb"ticker \(pid %d\) killed by signal 15" % pid2, mark)
        t.ok(True, "removing it and SIGHUP stops it with SIGTERM")
        time.sleep(1.5)
        st, out = g.sh("test -e /proc/%d; echo $?" % pid2)
        t.ok(out.strip() == "1" and b"started ticker" not in g.log[mark:],
             "and it is not started again", out)

        st, out = g.sh("cat /proc/[0-9]*/stat 2>/dev/null | sed 's/.*) //' | "
                       "cut -d' ' -f1 | grep -c Z")
        t.ok(out.strip() == "0", "no zombie processes", out)
    except GuestError as e:
        t.bail(e)

    g.send("poweroff\n")
    t0 = time.monotonic()
    status = g.wait_exit(timeout=30)
    took = time.monotonic() - t0
    t.ok(status == 0 and took < 3.0,
         "poweroff ends QEMU with status 0 within 3 s (%.2f s)" % took,
         "status %r; console tail:\n%s" % (status, g.tail()))
t.done()
