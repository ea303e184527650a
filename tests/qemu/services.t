#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# init supervises services in the booted image: a service added to
# /etc/tern/services and announced with SIGHUP starts, its output reaches
# the console and the kernel log prefixed with its name, a service killed
# in the guest comes back after the back-off, a removed one is stopped,
# and poweroff ends QEMU within 3 s; tftpd, pxed, relayd and httpd run
# without root (/proc/PID/status Uid, CapEff).  Prints PID 1's resident
# memory.
#
# The back-off is timed in the guest, on one clock: /proc/uptime read by
# the shell just before the kill, and by the service as it starts again.
# Both readings are rounded down to 10 ms, so a restart 1 s or more after
# the kill reads 1.00 s or more: the lower bound is exact, whatever the
# serial console's delays.
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from guest import Guest, GuestError, Tap  # noqa: E402

SCRIPT = ("#!/bin/sh\\nread up idle </proc/uptime\\necho $up >>/tmp/tick.up\\n"
          "echo tick up\\nexec sleep 1000\\n")
DELAY, SLACK = 1.0, 2.0  # the first back-off step; how late it may come


def centis(out):
    """A reading of /proc/uptime ("12.34") in whole hundredths."""
    return round(float(out.split()[0]) * 100)

t = Tap(12)
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
        st, out = g.sh("read up idle </proc/uptime; echo $up; kill -9 %d" % pid)
        killed = centis(out)
        g.wait_log(rb"ticker \(pid %d\) killed by signal 9" % pid, mark)
        m = g.wait_log(rb"init: started ticker \(pid (\d+)\)", mark, timeout=10)
        pid2 = int(m.group(1))
        g.wait_log(rb"ticker: tick up\r?\n", m.end())
        st, out = g.sh("tail -n 1 /tmp/tick.up")
        took = (centis(out) - killed) / 100
        t.ok(pid2 != pid and DELAY <= took < DELAY + SLACK,
             "a service killed in the guest is started again after %.0f s "
             "(%.2f s by the guest's clock)" % (DELAY, took),
             "pid %d -> %d" % (pid, pid2))
        st, out = g.sh("cat /proc/%d/cmdline | tr '\\0' ' '" % pid2)
        # Before its exec the script is still /bin/sh /tmp/tick.sh.
        t.ok(st == 0 and ("sleep 1000" in out or "/tmp/tick.sh" in out),
             "the new pid runs the service", out)

        mark = len(g.log)
        g.sh("sed -i '/^ticker /d' /etc/tern/services && kill -HUP 1")
        g.wait_log(rb"reload: removed ticker: stopping pid %d" % pid2, mark)
        g.wait_log(rb"ticker \(pid %d\) killed by signal 15" % pid2, mark)
        t.ok(True, "removing it and SIGHUP stops it with SIGTERM")
        # Were it restarted, that would be after the next back-off step,
        # 2 s: wait past that.
        time.sleep(2 * DELAY + 1)
        st, out = g.sh("test -e /proc/%d; echo $?" % pid2)
        t.ok(out.strip() == "1" and b"started ticker" not in g.log[mark:],
             "and it is not started again", out)

        st, out = g.sh("cat /proc/[0-9]*/stat 2>/dev/null | sed 's/.*) //' | "
                       "cut -d' ' -f1 | grep -c Z")
        t.ok(out.strip() == "0", "no zombie processes", out)
        # Least privilege: every daemon that reads network input runs as a
        # user of its own or nobody; only relayd keeps two capabilities.
        st, out = g.sh("for n in tftpd pxed relayd httpd; do for p in $(pidof $n); do "
                       "echo $n $(grep -E '^(Uid|CapEff):' /proc/$p/status); done; done")
        seen = {}
        for n, uids, cap in re.findall(r"(?m)^(\w+) Uid: ([\d ]+) CapEff: ([0-9a-f]+)$", out):
            seen.setdefault(n, set()).add((tuple(uids.split()), int(cap, 16)))
        want = {"pxed": {(("100",) * 4, 0)}, "relayd": {(("101",) * 4, 1 << 10 | 1 << 12)}}
        for n in ("pxed", "relayd"):
            t.ok(seen.get(n) == want[n], "%s runs as user %s with %s" % (
                n, want[n] and list(want[n])[0][0][0],
                "no capability" if n == "pxed" else "CAP_NET_ADMIN and CAP_NET_BIND_SERVICE only"),
                out)
        t.ok(all(seen.get(n) == {(("65534",) * 4, 0)} for n in ("tftpd", "httpd")),
             "tftpd and httpd (each process) run as nobody with no capability", out)
        # The figure tests/bench/README.md cites.
        st, out = g.sh("grep VmRSS /proc/1/status")
        m = re.search(r"VmRSS:\s+(\d+) kB", out)
        print("# PID 1 resident memory (VmRSS, /proc/1/status) with the services running: "
              "%s kB" % (m.group(1) if m else "?"), flush=True)
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
