#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Interfaces that go away and come back, under one relayd that is never
# restarted (same pid throughout), gen -v0- relay -v1- sink:
#   - the input interface down, then up: the stream relayed again, whole;
#   - the output interface down: its datagrams counted as no route; up:
#     relayed again, whole;
#   - the input interface deleted and made again (a new ifindex): relayd
#     says so, rejoins within its 2 s tick, the stream relayed whole, the
#     rule's counters go on from where they were;
#   - the output interface deleted and made again: reopened, relayed whole.
import os
import re
import subprocess
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from netns import Net, Tap, require_root  # noqa: E402
from relay_ns import Sink, check, receiver, relayd, relayctl, send, sender  # noqa: E402

require_root()
N, PPS = 500, 5000
t = Tap(8)
RULE = "relay from v0b group 239.1.1.1 port 5000 to 239.2.2.1:6000 dev v1a"


def remake(a, da, ha, b, db, hb, v4, v6):
    """Delete veth da (in a) and its peer db (in b), make them again with
    the same names and addresses (.ha and .hb)."""
    a.ip("link", "del", da)
    subprocess.run(["ip", "link", "add", da, "netns", a.name, "type", "veth", "peer", "name", db,
                    "netns", b.name], check=True)
    for ns, dev, host in ((a, da, ha), (b, db, hb)):
        ns.ip("addr", "add", "%s%d/24" % (v4, host), "dev", dev)
        ns.ip("-6", "addr", "add", "%s%d/64" % (v6, host), "dev", dev, "nodad")
        ns.ip("link", "set", dev, "up")


def settled(*ends, timeout=5):
    """Until each (namespace, device) is up with carrier and its queue
    active again (the kernel's link watch has run: no "qdisc noop"), so
    that a datagram sent now is not dropped on the way: instead of a fixed
    sleep, which a loaded machine may outlast."""
    deadline = time.monotonic() + timeout
    for ns, dev in ends:
        while True:
            line = ns.run(["ip", "-o", "link", "show", "dev", dev], timeout=5).stdout
            if ("state UP" in line and "LOWER_UP" in line and "qdisc noop" not in line) \
                    or time.monotonic() >= deadline:
                break
            time.sleep(0.02)


def packets(d):
    st, out, err = relayctl(d, "stats")
    m = re.search(r"\(line 1\): (\d+) packets.*\n  to .*: (\d+) packets, \d+ bytes, \d+ pps; "
                  r"dropped: (\d+) send error, (\d+) no route", out)
    return tuple(int(x) for x in m.groups()) if m else out + err


with Net() as net:
    gen, rel, snk = net.ns("gen"), net.ns("relay"), net.ns("sink")
    net.veth(gen, rel)
    net.veth(rel, snk)
    d = relayd(rel, RULE)
    pid = d.pid
    sink = Sink([receiver(snk, "239.2.2.1", 6000, "198.51.100.2")])
    first = 0

    def stream(name, extra=""):
        global first
        sink.reset()
        tx = sender(gen, "192.0.2.1")
        send(tx, ("239.1.1.1", 5000), 1, N, PPS, first=first)
        tx.close()
        r = check(sink.wait(N)[0], 1, N, first=first)
        first += N
        return t.ok(r == (N, 0, 0, 0, 0), name, "(received, missing, duplicated, out of order, "
                    "damaged): %s%s%s" % (r, extra, d.tail(8)))

    stream("before: %d datagrams relayed whole" % N)

    rel.ip("link", "set", "v0b", "down")
    time.sleep(0.3)  # down a while: not a check, any length will do
    rel.ip("link", "set", "v0b", "up")
    settled((rel, "v0b"), (gen, "v0a"))
    stream("the input interface down and up: relayed whole again")

    rel.ip("link", "set", "v1a", "down")
    tx = sender(gen, "192.0.2.1")
    send(tx, ("239.1.1.1", 5000), 9, 100, PPS)
    # Counted in as relayd reads them and out (sent, send error, no route)
    # as their sends complete, later: ask until all 100 are out, 5 s at most.
    deadline = time.monotonic() + 5
    while True:
        c = packets(d)
        if not isinstance(c, tuple) or sum(c[1:]) >= 2 * N + 100 \
                or time.monotonic() >= deadline:
            break
        time.sleep(0.05)
    t.ok(isinstance(c, tuple) and c[0] == 2 * N + 100 and c[1] == 2 * N and c[2] == 0
         and c[3] == 100, "the output interface down: its 100 datagrams counted as no route",
         str(c))
    rel.ip("link", "set", "v1a", "up")
    settled((rel, "v1a"), (snk, "v1b"))
    stream("...and up: relayed whole again")

    remake(rel, "v0b", 2, gen, "v0a", 1, "192.0.2.", "2001:db8::")
    try:
        d.expect(r"#1 v0b 239\.1\.1\.1:5000 \(line 1\): interface v0b changed; reopening", 5)
        d.expect(r"#1 v0b 239\.1\.1\.1:5000 \(line 1\): relaying", 2)
        back = True
    except Exception:
        back = False
    t.ok(back, "the input interface deleted and made again: reported and rejoined", d.tail())
    stream("...and relayed whole")

    remake(rel, "v1a", 1, snk, "v1b", 2, "198.51.100.", "2001:db8:1::")
    sink.close()
    sink = Sink([receiver(snk, "239.2.2.1", 6000, "198.51.100.2")])
    try:
        d.expect(r"output 239\.2\.2\.1:6000 dev v1a: interface v1a changed; reopening", 5)
        back = True
    except Exception:
        back = False
    stream("the output interface deleted and made again: relayed whole")
    c = packets(d)
    t.ok(back and c == (5 * N + 100, 5 * N, 0, 100) and d.pid == pid and d.running(),
         "...its socket reopened (reported) by the same relayd, never restarted; the rule's "
         "counters went on through it all", "%s %s%s" % (back, c, d.tail()))
    sink.close()
    d.stop()
t.done()
