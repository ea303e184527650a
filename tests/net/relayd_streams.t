#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Streams through relayd between three namespaces, gen -> relay -> sink,
# over veth: every datagram arrives once, in order, intact (sequence number
# and CRC-32 in each), at a moderate rate, for each kind of rule:
#   multicast -> multicast with a group and port remap (IPv4)
#   source-specific (S,G): the source's stream relayed, another's not
#   multicast -> unicast, unicast -> multicast, unicast -> unicast
#   IPv6 multicast -> IPv4 multicast and IPv4 -> IPv6 multicast
#   IPv6 unicast -> IPv6 unicast
#   fan-out to 8 outputs (8 groups and ports, two interfaces)
# and the per-rule and per-output counters (SIGUSR1) add up.
import os
import re
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from netns import Net, Tap, require_root  # noqa: E402
from relay_ns import Sink, check, receiver, relayd, relayd_stats, send, sender  # noqa: E402

require_root()
N, PPS = 3000, 20000
t = Tap(12)

RULES = """\
# gen: 192.0.2.1 (v0a) | relay v0b 192.0.2.2, v1a 198.51.100.1, v2a 203.0.113.1
relay from v0b group 239.1.1.1 port 5000 to 239.2.2.2:6000 dev v1a ttl 2
relay from v0b group 239.1.1.2 port 5000 source 192.0.2.1 to 239.2.2.3:6000 dev v1a
relay from v0b group 239.1.1.3 port 5000 to 198.51.100.2:7000
relay from v0b address 192.0.2.2 port 5100 to 239.2.2.4:7100 dev v1a
relay from v0b address 0.0.0.0 port 5200 to 198.51.100.2:7200 dev v1a
relay from v0b group ff0e::db8:1 port 5300 to 239.2.2.5:7300 dev v1a
relay from v0b group 239.1.1.6 port 5400 to [ff0e::db8:6]:7400 dev v1a
relay from v0b address 2001:db8::2 port 5500 to [2001:db8:1::2]:7500
relay from v0b group 239.1.1.8 port 5800 to """ + ", ".join(
    "239.2.8.%d:%d dev %s" % (i, 8000 + i, "v1a" if i < 4 else "v2a") for i in range(8))


def stream(name, tx, dest, rx_socks, st, count=N, diag=""):
    sink = Sink(rx_socks)
    send(tx, dest, st, count, PPS)
    got = sink.wait(count)
    sink.close()
    results = [check(g, st, count) for g in got]
    good = all(r == (count, 0, 0, 0, 0) for r in results)
    t.ok(good, name, "(received, missing, duplicated, out of order, damaged) per "
         "receiver: %s%s" % (results, diag))
    return got


with Net() as net:
    gen, rel, snk = net.ns("gen"), net.ns("relay"), net.ns("sink")
    net.veth(gen, rel)
    net.veth(rel, snk)
    net.veth(rel, snk)
    d = relayd(rel, RULES)
    tx = sender(gen, "192.0.2.1")
    tx6 = sender(gen, "2001:db8::1", dev="v0a")
    if not d.matches(r"239\.1\.1\.8:5800 \(line 10\): relaying to 8 outputs"):
        t.abort("the fan-out rule is not running" + d.tail())

    stream("multicast 239.1.1.1:5000 -> 239.2.2.2:6000 (remap): %d datagrams" % N,
           tx, ("239.1.1.1", 5000), [receiver(snk, "239.2.2.2", 6000, "198.51.100.2")], 1)

    # (S,G): a second sender at .3 on the same group is not relayed.
    gen.ip("addr", "add", "192.0.2.3/24", "dev", "v0a")
    other = sender(gen, "192.0.2.3")
    sink = Sink([receiver(snk, "239.2.2.3", 6000, "198.51.100.2")])
    send(other, ("239.1.1.2", 5000), 99, 200, PPS)
    send(tx, ("239.1.1.2", 5000), 2, N, PPS)
    got = sink.wait(N + 200)[0]
    sink.close()
    t.ok(check(got, 2, N) == (N, 0, 0, 0, 0) and check(got, 99, 200)[0] == 0,
         "source-specific 239.1.1.2 from 192.0.2.1: relayed whole; from 192.0.2.3: not at all",
         "source: %s; other: %s" % (check(got, 2, N), check(got, 99, 200)))

    stream("multicast -> unicast 198.51.100.2:7000", tx, ("239.1.1.3", 5000),
           [receiver(snk, "198.51.100.2", 7000, None)], 3)
    stream("unicast 192.0.2.2:5100 -> multicast 239.2.2.4:7100", tx, ("192.0.2.2", 5100),
           [receiver(snk, "239.2.2.4", 7100, "198.51.100.2")], 4)
    stream("unicast (any address) :5200 -> unicast 198.51.100.2:7200", tx, ("192.0.2.2", 5200),
           [receiver(snk, "198.51.100.2", 7200, None)], 5)
    stream("IPv6 multicast ff0e::db8:1 -> IPv4 239.2.2.5:7300", tx6, ("ff0e::db8:1", 5300),
           [receiver(snk, "239.2.2.5", 7300, "198.51.100.2")], 6)
    stream("IPv4 239.1.1.6 -> IPv6 multicast [ff0e::db8:6]:7400", tx, ("239.1.1.6", 5400),
           [receiver(snk, "ff0e::db8:6", 7400, None, dev="v1b")], 7)
    stream("IPv6 unicast [2001:db8::2]:5500 -> [2001:db8:1::2]:7500", tx6, ("2001:db8::2", 5500),
           [receiver(snk, "2001:db8:1::2", 7500, None)], 9)

    fan = [receiver(snk, "239.2.8.%d" % i, 8000 + i,
                    "198.51.100.2" if i < 4 else "203.0.113.2") for i in range(8)]
    stream("fan-out: 239.1.1.8:5800 to 8 outputs on two interfaces, each whole",
           tx, ("239.1.1.8", 5800), fan, 8)

    def fanned(text):
        m = re.search(r"239\.1\.1\.8:5800 \(line 10\): (\d+) packets, (\d+) bytes in, \d+ pps; "
                      r"dropped: 0 no buffer, 0 truncated", text)
        outs = re.findall(r"to 239\.2\.8\.\d:80\d\d dev v[12]a: (\d+) packets, (\d+) bytes, "
                          r"\d+ pps; dropped: 0 send error, 0 no route", text)
        return (m and int(m.group(1)) == N and int(m.group(2)) == N * 200 and len(outs) == 8
                and all(int(p) == N and int(b) == N * 200 for p, b in outs))
    lines = relayd_stats(d, until=fanned)
    text = "\n".join(lines)
    t.ok(fanned(text),
         "SIGUSR1: the fan-out rule counted %d packets in, each of its 8 outputs %d out" % (N, N),
         text)
    m = re.search(r"239\.1\.1\.2:5000 source 192\.0\.2\.1 \(line 3\): (\d+) packets", text)
    t.ok(m and int(m.group(1)) == N, "SIGUSR1: the (S,G) rule counted only its source's",
         text)
    t.ok(d.stop() == 0 and not d.matches(r"relayd: (error|warning)"),
         "relayd stops with status 0 on SIGTERM, no error logged", d.tail())
t.done()
