#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# relayd's UDP GSO (-G, on by default with RELAYD_GSO): datagrams of a rule
# that came in one loop turn, of one size but a shorter last, go to each
# output as one sendmsg with UDP_SEGMENT.  Each burst is sent while relayd
# is stopped (SIGSTOP), so they wait in its input socket and come in
# turns of a whole batch: runs form for certain.  For every burst, at each
# output: every datagram arrives once, in order, intact, and the output's
# counters (SIGUSR1) say what the sink received, datagrams and bytes, and
# how many went in GSO sends.
#
#   gen v0a 192.0.2.1 -- v0b relay v1a 198.51.100.1 -- v1b sink
#                              v2a 203.0.113.1  -- v2b (MTU 1400)
#
#   A  239.1.1.1:5000 -> 239.2.2.1:6000 dev v1a, 198.51.100.2:6001,
#                        239.2.2.2:6002 dev v2a   (fan-out: m->m, m->u, m->m)
#   B  192.0.2.2:5100 -> 239.2.2.3:7100 dev v1a   (u->m)
#   C  [2001:db8::2]:5500 -> [2001:db8:1::2]:7500, [ff0e::db8:7]:7501 dev v1a
#
# 64, 1400 and 1472-byte bursts through A and B; 1472 does not fit v2a's
# MTU as one segment (1400 - 28 = 1372 does), so v2a gets those one by
# one (fragmented) while v1a's outputs get GSO sends; a stream of mixed
# sizes (short last segments, longer ones breaking runs, empty datagrams)
# through A; IPv6 through C (1452 bytes: the most a segment of MTU 1500
# takes after 48 bytes of headers); an output interface with tx
# checksumming off gets no GSO (Linux before 6.11 refuses it: EIO) and
# relayd says so once; v1a's MTU lowered under a running relayd: a GSO
# send the kernel refuses (EMSGSIZE) counts all its datagrams as send
# errors, and what arrives is still in order, the counters agreeing.
import os
import re
import signal
import subprocess
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from netns import Net, Tap, require_root  # noqa: E402
from relay_ns import Sink, payload, receiver, relayd, relayd_stats, sender  # noqa: E402

require_root()
N, PPS = 1500, 20000
t = Tap(28)

RULES = """\
relay from v0b group 239.1.1.1 port 5000 to 239.2.2.1:6000 dev v1a, 198.51.100.2:6001, 239.2.2.2:6002 dev v2a
relay from v0b address 192.0.2.2 port 5100 to 239.2.2.3:7100 dev v1a
relay from v0b address 2001:db8::2 port 5500 to [2001:db8:1::2]:7500, [ff0e::db8:7]:7501 dev v1a"""

OUT = re.compile(r"  to (\S+)(?: dev \w+)?: (\d+) packets, (\d+) bytes, \d+ pps; dropped: (\d+) "
                 r"send error, (\d+) no route(?:; (\d+) of the packets in (\d+) GSO sends)?")


def parse_outputs(text):
    """{output: [packets, bytes, send errors, no route, GSO packets, GSO sends]}."""
    out = {}
    for line in text.split("\n"):
        m = OUT.search(line)
        if m:
            out[m.group(1)] = [int(x or 0) for x in m.groups()[1:]]
    return out


def counters(d, until=None):
    """parse_outputs of relayd's stats; until: a test of them, asked again
    until it holds (see relayd_stats)."""
    test = None if until is None else (lambda text: until(parse_outputs(text)))
    return parse_outputs("\n".join(relayd_stats(d, until=test)))


def verdict(got, sizes, st):
    """(received, missing, duplicated, out of order, damaged, wrong size)
    of a burst of sizes (one a datagram, stream st, seq = index)."""
    seqs = [seq for s, seq, ok, n in got if s == st]
    damaged = sum(1 for s, seq, ok, n in got if s == st and not ok)
    wrong = sum(1 for s, seq, ok, n in got if s == st and (seq >= len(sizes) or sizes[seq] != n))
    want = {i for i, n in enumerate(sizes) if n >= 16}
    return (len(seqs), len(want - set(seqs)), len(seqs) - len(set(seqs)),
            sum(1 for a, b in zip(seqs, seqs[1:]) if b <= a), damaged, wrong)


def burst(d, tx, dest, socks, st, sizes):
    """sizes (one a datagram) to dest while d is stopped; then what each
    receiver got and the counters' change at each output."""
    c0 = counters(d)
    sink = Sink(socks)
    d.signal(signal.SIGSTOP)
    try:
        t0 = time.monotonic()
        for i, n in enumerate(sizes):
            tx.sendto(payload(st, i, n), dest)
            if i % 32 == 31:
                time.sleep(max(0, t0 + (i + 1) / PPS - time.monotonic()))
        time.sleep(0.05)
    finally:
        d.signal(signal.SIGCONT)
    got = sink.wait(len(sizes), timeout=10)
    sink.close()

    def deltas(c1):
        return {k: [b - a for a, b in zip(c0.get(k, [0] * 6), v)] for k, v in c1.items()}

    def all_counted(c1):
        # every datagram at each of the rule's outputs: sent, or dropped
        return sum(1 for v in deltas(c1).values()
                   if v[0] + v[2] + v[3] >= len(sizes)) >= len(socks)
    return got, deltas(counters(d, until=all_counted))


def agree(got, c):
    """The sink's datagrams and bytes are the output's, with no drop."""
    return c[0] == len(got) and c[1] == sum(n for *_, n in got) and c[2] == c[3] == 0


def gso_used(c, n):
    """Most of n datagrams went in GSO sends of several each."""
    return c[4] >= n // 2 and c[5] and c[4] >= 4 * c[5]


def case(name, got, deltas, outs, sizes, st, gso):
    """One burst at each output: whole, counted, GSO as expected."""
    for g, out, want in zip(got, outs, gso):
        v, c = verdict(g, sizes, st), deltas.get(out, [0] * 6)
        whole = v == (len([n for n in sizes if n >= 16]), 0, 0, 0, 0, 0) and len(g) == len(sizes)
        t.ok(whole and agree(g, c) and (gso_used(c, len(sizes)) if want else c[4] == 0),
             "%s to %s: each once, in order, intact; counters as received; %s" % (
                 name, out, "in GSO sends" if want else "no GSO send"),
             "(received, missing, duplicated, out of order, damaged, wrong size): %s of %d; "
             "counters (packets, bytes, send errors, no route, GSO packets, GSO sends): %s"
             % (v, len(sizes), c))


def mixed(count):
    """Sizes of a stream of mixed ones: runs of a size, shorter lasts,
    longer ones breaking runs, empty datagrams."""
    pattern = [1400] * 9 + [700] + [1400] * 3 + [64] * 20 + [1472] * 12 + [0] + [1472] * 5 + \
        [200, 1000, 16, 1472, 1472, 100] + [512] * 30 + [511] + [0, 0] + [64, 1400, 64]
    return (pattern * (count // len(pattern) + 1))[:count]


with Net() as net:
    gen, rel, snk = net.ns("gen"), net.ns("relay"), net.ns("sink")
    net.veth(gen, rel)
    net.veth(rel, snk)
    net.veth(rel, snk)
    for ns, dev in ((rel, "v2a"), (snk, "v2b")):
        ns.ip("link", "set", dev, "mtu", "1400")
    d = relayd(rel, RULES)
    t.ok(d.seen(r"UDP GSO up to 64") and d.seen(r"3 of 3 rules running"),
         "relayd starts with UDP GSO on (64 datagrams a send) by default, its 3 rules running",
         d.tail())
    tx, tx6 = sender(gen, "192.0.2.1"), sender(gen, "2001:db8::1", dev="v0a")
    A = ["239.2.2.1:6000", "198.51.100.2:6001", "239.2.2.2:6002"]

    def a_socks():
        return [receiver(snk, "239.2.2.1", 6000, "198.51.100.2"),
                receiver(snk, "198.51.100.2", 6001, None),
                receiver(snk, "239.2.2.2", 6002, "203.0.113.2")]

    for st, size in ((1, 64), (2, 1400), (3, 1472)):
        sizes = [size] * N
        got, delta = burst(d, tx, ("239.1.1.1", 5000), a_socks(), st, sizes)
        case("%d x %d B, fan-out" % (N, size), got, delta, A, sizes, st,
             (True, True, size <= 1372))
    sizes = [1472] * N
    got, delta = burst(d, tx, ("192.0.2.2", 5100), [receiver(snk, "239.2.2.3", 7100,
                                                              "198.51.100.2")], 4, sizes)
    case("%d x 1472 B, unicast -> multicast" % N, got, delta, ["239.2.2.3:7100"], sizes, 4,
         (True,))
    sizes = mixed(2 * N)
    got, delta = burst(d, tx, ("239.1.1.1", 5000), a_socks(), 5, sizes)
    case("%d of mixed sizes (0-1472 B)" % len(sizes), got, delta, A, sizes, 5, (True,) * 3)
    empty = [sum(1 for *_, n in g if n == 0) for g in got]
    t.ok(empty == [sizes.count(0)] * 3, "the %d empty datagrams among them arrive at each output"
         % sizes.count(0), "empty ones received: %s" % empty)
    C = ["[2001:db8:1::2]:7500", "[ff0e::db8:7]:7501"]
    sizes = [1452] * N
    got, delta = burst(d, tx6, ("2001:db8::2", 5500),
                       [receiver(snk, "2001:db8:1::2", 7500, None),
                        receiver(snk, "ff0e::db8:7", 7501, None, dev="v1b")], 6, sizes)
    case("%d x 1452 B, IPv6" % N, got, delta, C, sizes, 6, (True, True))
    t.ok(d.running() and not d.matches(r"relayd: (error|warning)"),
         "no error or warning logged so far", d.tail())
    d.stop()

    # tx checksumming off on v2a: no GSO to A's third output.
    rel.run(["ethtool", "-K", "v2a", "tx", "off"], timeout=10)
    d = relayd(rel, RULES, name="relayd-nocsum")
    t.ok(len(d.matches(r"output 239\.2\.2\.2:6002 dev v2a: v2a has no checksum offload, so no "
                       r"UDP GSO")) == 1,
         "an output whose interface does not checksum: said once, at start", d.tail())
    sizes = [64] * N
    got, delta = burst(d, tx, ("239.1.1.1", 5000), a_socks(), 7, sizes)
    case("%d x 64 B, v2a without tx checksumming" % N, got, delta, A, sizes, 7,
         (True, True, False))

    # v1a's MTU lowered under it: at most a few GSO sends refused (EMSGSIZE)
    # before the next tick or the refusal reads the path MTU again.
    d.signal(signal.SIGSTOP)
    rel.ip("link", "set", "v1a", "mtu", "1300")
    snk.ip("link", "set", "v1b", "mtu", "1300")
    d.signal(signal.SIGCONT)
    sizes = [1400] * N
    got, delta = burst(d, tx, ("239.1.1.1", 5000), a_socks(), 8, sizes)
    for g, out in zip(got[:2], A[:2]):
        v, c = verdict(g, sizes, 8), delta.get(out, [0] * 6)
        t.ok(v[2:] == (0, 0, 0, 0) and c[0] == len(g) and c[1] == 1400 * len(g) and
             c[2] == N - len(g) and c[3] == 0 and c[0] + c[2] == N,
             "v1a's MTU 1500 -> 1300 under traffic, to %s: what arrives is in order and intact; "
             "each datagram counted as sent or as a send error (%d lost)" % (out, N - len(g)),
             "(received, missing, duplicated, out of order, damaged, wrong size): %s; "
             "counters: %s" % (v, c))
    sizes = [1400] * N
    got, delta = burst(d, tx, ("239.1.1.1", 5000), a_socks(), 9, sizes)
    case("%d x 1400 B after v1a's MTU went to 1300" % N, got, delta, A, sizes, 9,
         (False, False, False))
    t.ok(d.stop() == 0 and not d.matches(r"relayd: error"), "relayd stops with status 0",
         d.tail())
t.done()
