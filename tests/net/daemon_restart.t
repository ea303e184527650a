#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# A daemon stopped and started again at once (init restarting it, an
# operator's restart) gets its port back: tftpd, then httpd, 5 times in a
# row each started, made to serve a file and stopped by SIGTERM; the
# moment each was reaped nothing in the namespace is bound to its port any
# more, and the next one, started at once, binds it and serves the file.
#
# Why: a ring freed with operations in flight (the multishot receive or
# accept on the listening socket) ends them later, in a kernel worker,
# after the process has exited; until then the socket stays bound.  On
# Linux 6.18 that was 0-8 ms (so 5 rounds: one can be lucky), and tftpd
# started again at once failed with "Address in use".  Every daemon now
# ends its rings with uring_exit (app/lib/uring.h).  relayd's control
# socket, taken over by a relayd started at once, is checked in
# relayd_privileges.t.
import os
import signal
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from httpd import PORT, Httpd, require_httpd  # noqa: E402
from netns import Net, Tap  # noqa: E402
from tftpd import require_server, tern_tftpd  # noqa: E402

require_server()
require_httpd()
t = Tap(6)
ROUNDS = 5


def bound(watch, proto, port):
    """The sockets bound to port (proto: "udp" or "tcp") in the namespace of
    watch, a process that lives there: lines of its /proc/PID/net/PROTO{,6},
    read at once (microseconds after the daemon was reaped, where a command
    started in the namespace would take milliseconds)."""
    lines = []
    for f in (proto, proto + "6"):
        with open("/proc/%d/net/%s" % (watch.pid, f)) as fh:
            lines += fh.readlines()[1:]
    return [line.strip() for line in lines
            if len(line.split()) > 2 and line.split()[1].rsplit(":", 1)[-1] == "%04X" % port]


def stop(d):
    """SIGTERM, and reap it the moment it exits (Daemon.stop's timed wait
    polls, up to 50 ms late): its status."""
    signal.alarm(10)  # bounded: a daemon that ignores SIGTERM fails the test
    os.kill(d.pid, signal.SIGTERM)
    status = d.proc.wait()
    signal.alarm(0)
    return status


with Net() as net:
    srv, cli = net.ns("srv"), net.ns("cli")
    net.veth(srv, cli)
    root = net.tmpdir("restart.")
    data = os.urandom(300000)
    with open(os.path.join(root, "f"), "wb") as f:
        f.write(data)
    out = os.path.join(net.tmpdir("restart-out."), "got")
    watch = srv.daemon(["sleep", "120"], name="watch")

    def fetched(url):
        if os.path.exists(out):
            os.unlink(out)
        r = cli.run(["curl", "-sS", "--max-time", "10", "-o", out, url], timeout=15)
        return r.returncode == 0 and open(out, "rb").read() == data

    def cycles(name, proto, port, start, url):
        """ROUNDS times: start, fetch, stop; each round's (served, status,
        sockets still bound the moment it was reaped)."""
        rounds = []
        for _ in range(ROUNDS):
            d = start()
            served = fetched(url(d))
            status = stop(d)
            rounds.append((served, status, bound(watch, proto, port)))
            last[name] = d
        return rounds

    last = {}
    argv = [tern_tftpd(), "-f", "-u", "root", "-r", root, "-a", srv.addr(4)]
    got = cycles("tftpd", "udp", 69, lambda: srv.daemon(argv, name="tftpd").wait_udp(69),
                 lambda d: "tftp://%s/f" % srv.addr(4))
    t.ok(all(status == 0 for _, status, _ in got),
         "tftpd: started, served and stopped %d times in a row, status 0 each time" % ROUNDS,
         repr(got) + last["tftpd"].tail())
    t.ok(all(served for served, _, _ in got),
         "each time started at once after the last, it bound port 69 and served the file",
         repr(got) + last["tftpd"].tail())
    t.ok(not any(left for _, _, left in got),
         "each time port 69 was free the moment it was reaped", repr(got))

    def httpd():
        return Httpd(srv, root, "-n", "2").start().d

    got = cycles("httpd", "tcp", PORT, httpd, lambda d: "http://%s:%d/f" % (srv.addr(4), PORT))
    t.ok(all(status == 0 for _, status, _ in got),
         "httpd -n 2: started, served and stopped %d times in a row, status 0 each time" % ROUNDS,
         repr(got) + last["httpd"].tail())
    t.ok(all(served for served, _, _ in got),
         "each time started at once after the last, it listened on port %d and served the file"
         % PORT, repr(got) + last["httpd"].tail())
    t.ok(not any(left for _, _, left in got),
         "each time port %d was free the moment it was reaped" % PORT, repr(got))
