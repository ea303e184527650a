#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Datagrams and interfaces at the edges:
#   - the largest IPv4 UDP datagram (65507 bytes, fragmented on the veth)
#     relayed intact with -m 65535, and a zero-length one relayed as such;
#   - a datagram longer than -m dropped and counted as truncated, the
#     stream around it relayed;
#   - a rule whose interface is missing is reported (file line and why)
#     while the others run, and starts once the interface appears;
#   - a rule with an output that has no route: counted as no route.
import os
import re
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from netns import Net, Tap, require_root  # noqa: E402
from relay_ns import Sink, check, payload, receiver, relayd, relayd_stats, send, sender  # noqa: E402

require_root()
t = Tap(8)

with Net() as net:
    gen, rel, snk = net.ns("gen"), net.ns("relay"), net.ns("sink")
    net.veth(gen, rel)
    net.veth(rel, snk)
    big = relayd(rel, "relay from v0b group 239.1.1.1 port 5000 to 239.2.2.1:6000 dev v1a",
                 ["-m", "65535"], name="relayd-m65535")
    small = relayd(rel, "\n".join([
        "relay from v0b group 239.1.1.2 port 5000 to 239.2.2.2:6000 dev v1a",
        "relay from late0 group 239.1.1.3 port 5000 to 239.2.2.3:6000 dev v1a",
        "relay from v0b group 239.1.1.4 port 5000 to 239.2.2.4:6000 dev v1a, 203.0.113.99:9",
    ]), name="relayd")
    tx = sender(gen, "192.0.2.1")

    sink = Sink([receiver(snk, "239.2.2.1", 6000, "198.51.100.2")])
    for seq in range(5):
        tx.sendto(payload(1, seq, 65507), ("239.1.1.1", 5000))
        time.sleep(0.02)
    tx.sendto(b"", ("239.1.1.1", 5000))
    got = sink.wait(6)[0]
    sink.close()
    t.ok(check(got[:5], 1, 5) == (5, 0, 0, 0, 0) and all(n == 65507 for *_, n in got[:5]),
         "five 65507-byte datagrams (the IPv4 maximum) relayed intact with -m 65535",
         str([(s, q, ok, n) for s, q, ok, n in got]))
    t.ok(len(got) == 6 and got[5][3] == 0, "a zero-length datagram relayed as one",
         str(len(got)))

    sink = Sink([receiver(snk, "239.2.2.2", 6000, "198.51.100.2")])
    send(tx, ("239.1.1.2", 5000), 2, 100, 5000, size=2048)
    tx.sendto(payload(2, 100, 2049), ("239.1.1.2", 5000))
    send(tx, ("239.1.1.2", 5000), 2, 100, 5000, size=1000, first=101)
    got = sink.wait(201)[0]
    sink.close()
    r = check(got, 2, 201)
    t.ok(r == (200, 1, 0, 0, 0) and 100 not in [q for _, q, _, _ in got],
         "default -m 2048: 2048 bytes relayed, 2049 dropped, the stream around it whole",
         str(r))
    want = (r"239\.1\.1\.2:5000 \(line 1\): 200 packets, 304800 bytes in, \d+ pps; "
            r"dropped: 0 no buffer, 1 truncated")
    text = "\n".join(relayd_stats(small, until=lambda text: re.search(want, text)))
    t.ok(re.search(want, text), "...and counted: 1 truncated", text)

    m = small.seen(r"late0 239\.1\.1\.3:5000 \(line 2\): unable to find interface late0: "
                      r"No such device; not relayed, retried every 2 s")
    t.ok(m and small.seen(r"239\.1\.1\.2:5000 \(line 1\): relaying") and
         small.seen(r"239\.1\.1\.4:5000 \(line 3\): relaying"),
         "a rule on a missing interface is reported with its line; the others run",
         small.tail())
    # Timed on the test's clock from before the interface exists to when
    # the line was read: never shorter than relayd's own delay; the slack
    # is for the late side only (a loaded machine).
    appeared = time.monotonic()
    rel.ip("link", "add", "late0", "type", "veth", "peer", "name", "late1")
    rel.ip("link", "set", "late0", "up")
    try:
        small.expect(r"late0 239\.1\.1\.3:5000 \(line 2\): relaying", 2 + 3)
        took = small.lines[small.pos - 1][0] - appeared
    except Exception:
        took = None
    t.ok(took is not None and took <= 2 + 1,
         "...and starts within 2 s of the interface appearing (%s, 1 s slack)"
         % ("%.2f s" % took if took is not None else "not at all"), small.tail())

    sink = Sink([receiver(snk, "239.2.2.4", 6000, "198.51.100.2")])
    send(tx, ("239.1.1.4", 5000), 4, 300, 5000)
    got = sink.wait(300)[0]
    sink.close()
    want = (r"to 203\.0\.113\.99:9: 0 packets, 0 bytes, 0 pps; dropped: 0 send error, "
            r"300 no route")
    text = "\n".join(relayd_stats(small, until=lambda text: re.search(want, text)))
    t.ok(check(got, 4, 300) == (300, 0, 0, 0, 0) and re.search(want, text),
         "an output without a route counts its datagrams as no route; the rule's other "
         "output gets all", "%s\n%s" % (check(got, 4, 300), text))
    t.ok(big.stop() == 0 and small.stop() == 0, "both relayds stop with status 0")
t.done()
