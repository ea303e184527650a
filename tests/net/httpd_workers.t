#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# httpd -n 3 without -a: three processes, each with its own dual-stack
# socket on port 8080 (SO_REUSEPORT); 24 fetches over IPv4 and IPv6 each
# come back whole, and the kernel spreads them over more than one worker;
# SIGUSR1 makes every worker log its counters, and the requests they count
# add up to the fetches; SIGHUP makes every worker open the root again,
# and a root replaced under the same name is then served; SIGTERM stops
# them all with exit 0.
import hashlib
import os
import shutil
import signal
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from httpd import Httpd, Net, Tap, require_httpd  # noqa: E402

require_httpd()
t = Tap(7)
with Net() as net:
    srv, cli = net.ns("srv"), net.ns("cli")
    net.veth(srv, cli)
    top = net.tmpdir("httpd-workers.")
    root = os.path.join(top, "root")
    os.makedirs(root)
    data = os.urandom(1 << 20)
    with open(os.path.join(root, "f"), "wb") as f:
        f.write(data)
    h = Httpd(srv, root, "-n", "3", bind=False).start()
    t.ok(len(h.d.children()) == 2, "two more worker processes", repr(h.d.children()))

    out = os.path.join(top, "out")
    good = 0
    for i in range(24):
        addr = srv.addr(4) if i % 2 else srv.addr(6)
        r = cli.run(["curl", "-sS", "-o", out, h.url("/f", addr)], timeout=10)
        good += r.returncode == 0 and open(out, "rb").read() == data
    t.ok(good == 24, "24 fetches over IPv4 and IPv6, each whole", "%d whole" % good)

    h.d.signal(signal.SIGUSR1)
    deadline = time.monotonic() + 5
    while len(h.log_lines(r"counters:")) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    lines = h.log_lines(r"counters: .* (\d+) requests")
    served = [int(m.group(1)) for m in lines]
    t.ok(len(served) == 3 and sum(served) == 24, "each worker logs its counters; they add up",
         repr(served))
    # SO_REUSEPORT hashes each connection: all 24 on one of three
    # sockets has a chance of 3 / 3^24, about 1e-11
    t.ok(sum(1 for n in served if n) >= 2, "the fetches went to more than one worker",
         repr(served))

    new = os.path.join(top, "new")
    os.makedirs(new)
    with open(os.path.join(new, "f"), "wb") as f:
        f.write(b"replaced\n")
    shutil.move(root, os.path.join(top, "old"))
    os.rename(new, root)
    h.d.signal(signal.SIGHUP)
    deadline = time.monotonic() + 5
    while len(h.log_lines(r"SIGHUP: .* opened again")) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    t.ok(len(h.log_lines(r"SIGHUP: .* opened again")) == 3, "SIGHUP: every worker opens the "
         "root again", h.d.tail(8))
    good = 0
    for i in range(6):
        r = cli.run(["curl", "-sS", h.url("/f")], timeout=10)
        good += r.stdout == "replaced\n"
    t.ok(good == 6, "the replaced root is served", "%d of 6" % good)
    kids = h.d.children()
    status = h.stop()
    t.ok(status == 0 and not any(os.path.exists("/proc/%d" % k) for k in kids),
         "SIGTERM: exit 0, workers gone", "%r %s" % (status, h.d.tail(5)))
t.done()
