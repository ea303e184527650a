#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Three relayds in a row, each in its own namespace, over four veth links:
#
#   gen --L0-- r1 --L1-- r2 --L2-- r3 --L3-- sink
#
#   r1  multicast -> multicast, group and port remapped   239.1.1.x:5000 -> 239.1.2.x:5100
#   r2  multicast -> unicast, to r3's address (2 workers)  239.1.2.x:5100 -> 192.0.2.34:5200+x
#   r3  unicast -> multicast                              :5200+x -> 239.1.4.x:5300
#
# Two streams (x = 1, 2) at once, of datagrams from 28 to 1400 bytes, each
# with its stream, sequence number and CRC-32: at the sink every datagram
# of each arrives exactly once, in order, intact; each relay's counters
# say so too.  r2 runs two workers, one rule each.
#
# The links share 192.0.2.0/24 cut in /28s (netns.py has a /24 for three
# links only): L0 .1|.2, L1 .17|.18, L2 .33|.34, L3 .49|.50.
import os
import re
import subprocess
import sys
import threading

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from netns import Net, Tap, require_root  # noqa: E402
from relay_ns import Sink, check, receiver, relayd, relayctl, relayd_stats, send, sender  # noqa: E402

require_root()
N, PPS = 6000, 6000
SIZES = (28, 200, 1400, 777)
t = Tap(7)


def link(a, b, k):
    """veth L<k> between namespaces a and b, 192.0.2.(16k+1|16k+2)/28."""
    da, db = "l%da" % k, "l%db" % k
    subprocess.run(["ip", "link", "add", da, "netns", a.name, "type", "veth", "peer", "name", db,
                    "netns", b.name], check=True)
    for ns, dev, host in ((a, da, 16 * k + 1), (b, db, 16 * k + 2)):
        ns.ip("addr", "add", "192.0.2.%d/28" % host, "dev", dev)
        ns.ip("link", "set", dev, "up")
    return "192.0.2.%d" % (16 * k + 1), "192.0.2.%d" % (16 * k + 2)


def stream(tx, x):
    """Stream x: N datagrams, their sizes going round SIZES."""
    per = N // len(SIZES)
    for i, size in enumerate(SIZES):
        send(tx, ("239.1.1.%d" % x, 5000), x, per, PPS // 2, size=size, first=i * per)


with Net() as net:
    gen, r1, r2, r3, snk = (net.ns(n) for n in ("gen", "r1", "r2", "r3", "sink"))
    g_addr, _ = link(gen, r1, 0)
    link(r1, r2, 1)
    link(r2, r3, 2)
    _, s_addr = link(r3, snk, 3)
    d1 = relayd(r1, "\n".join("relay from l0b group 239.1.1.%d port 5000 to 239.1.2.%d:5100 dev "
                              "l1a ttl 2" % (x, x) for x in (1, 2)), name="r1")
    d2 = relayd(r2, "\n".join("relay from l1b group 239.1.2.%d port 5100 to 192.0.2.34:%d"
                              % (x, 5200 + x) for x in (1, 2)), ["-w", "2"], name="r2")
    d3 = relayd(r3, "\n".join("relay from l2b address 192.0.2.34 port %d to 239.1.4.%d:5300 dev l3a"
                              % (5200 + x, x) for x in (1, 2)), name="r3")
    st, out, err = relayctl(d2, "list")
    workers = sorted(re.findall(r"(?m)^\s+\d+\s+(\d)\s+running", out))
    t.ok(st == 0 and workers == ["0", "1"], "r2 runs its two rules in two workers", out + err)

    sink = Sink([receiver(snk, "239.1.4.%d" % x, 5300, s_addr) for x in (1, 2)])
    txs = [sender(gen, g_addr), sender(gen, g_addr)]
    th = [threading.Thread(target=stream, args=(txs[x - 1], x)) for x in (1, 2)]
    for h in th:
        h.start()
    for h in th:
        h.join(30)
    got = sink.wait(N, timeout=10)
    sink.close()
    for x in (1, 2):
        r = check(got[x - 1], x, N)
        sizes = sorted(set(n for *_, n in got[x - 1]))
        t.ok(r == (N, 0, 0, 0, 0) and sizes == sorted(SIZES),
             "stream %d through three relays (m->m remap, m->u, u->m): %d datagrams of %s bytes, "
             "each once, in order, intact" % (x, N, "/".join(map(str, SIZES))),
             "(received, missing, duplicated, out of order, damaged): %s; sizes %s" % (r, sizes))
    for name, d in (("r1", d1), ("r2", d2), ("r3", d3)):
        def counted(text):
            ins = [int(n) for n in re.findall(r"\(line \d\): (\d+) packets", text)]
            outs = [int(n) for n in re.findall(r"  to .*: (\d+) packets, \d+ bytes, \d+ pps; "
                                               r"dropped: 0 send error, 0 no route", text)]
            return ins == [N, N] and outs == [N, N]
        text = "\n".join(relayd_stats(d, until=counted))
        t.ok(counted(text), "%s counted %d in and out for each rule, no drop"
             % (name, N), text)
    t.ok(all(d.stop() == 0 for d in (d1, d2, d3)), "the three relayds stop with status 0")
t.done()
