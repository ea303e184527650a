#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# tests/bench/udpgen and udpsink (the relay bench's generator and sink)
# against socat, a sender and receiver nobody here wrote, over a veth pair:
# every datagram udpgen sends reaches socat whole, in order, its CRC-32
# good by Python's zlib (unicast, IPv4 multicast with its TTL, IPv6
# multicast); udpsink counts a stream socat sends -- with gaps, a
# duplicate, a swap, damaged datagrams and another stream in it -- exactly
# as it was made, and agrees with the kernel's own UDP counters; udpgen
# never goes faster than its rate; both stop at their time bound; 65,507
# bytes fit; bad flags are usage errors.
import os
import shutil
import socket
import struct
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from netns import Net, NetError, Tap, require_root, skip_all  # noqa: E402
from relay_ns import receiver  # noqa: E402
from udpstream import gen, parse, payload, sink, tool, udp_counters  # noqa: E402

IP_RECVTTL = getattr(socket, "IP_RECVTTL", 12)  # Linux values; Python lacks them

require_root()
if not shutil.which("socat"):
    skip_all("socat is not installed (toolchain/host-packages)")
try:
    GEN, SINK = tool("udpgen"), tool("udpsink")
except NetError as e:
    print("Bail out! %s" % e, flush=True)
    sys.exit(1)


def socat_recv(ns, address, path):
    """socat writing each datagram it receives to path, with as large a
    receive buffer as net.core.rmem_max (host-wide) allows; it ends 1 s
    after the last one (-T 1).  It writes a file per datagram: the rates
    it is sent are gentle."""
    return ns.daemon(["socat", "-u", "-b", "65536", "-T", "1", address + ",rcvbuf=16777216",
                      "CREATE:" + path], name="socat")


def datagrams(path, size):
    with open(path, "rb") as f:
        data = f.read()
    return [data[i:i + size] for i in range(0, len(data), size)]


def whole_in_order(path, size, count):
    """(good, why): the file holds datagrams 0..count-1 of stream 1, in
    order, each intact."""
    got = [parse(d) for d in datagrams(path, size)]
    bad = [i for i, (st, seq, ok) in enumerate(got) if not ok or st != 1]
    seqs = [seq for _, seq, _ in got]
    if bad or seqs != list(range(count)):
        return False, "%d datagrams, %d damaged or foreign (first %s), seqs %s..." % (
            len(got), len(bad), bad[:5], seqs[:10])
    return True, "%d datagrams" % len(got)


def finished(d, timeout=10):
    try:
        d.proc.wait(timeout)
    except Exception:
        d.close()


t = Tap(14)
with Net() as net:
    a, b = net.ns("gen"), net.ns("sink")
    net.veth(a, b)  # v0a 192.0.2.1 2001:db8::1 | v0b 192.0.2.2 2001:db8::2
    tmp = "/tmp/tern-udpgen-%d" % os.getpid()
    os.makedirs(tmp, exist_ok=True)
    try:
        # 1. unicast IPv4 to socat, counted three ways: udpgen's sent, the
        # kernel's (delivered + dropped for want of buffer: socat writes a
        # file per datagram and may fall behind on a busy machine), socat's
        path = os.path.join(tmp, "unicast")
        c0 = udp_counters(b)["Udp"]
        sc = socat_recv(b, "UDP4-RECV:5000", path)
        sc.wait_udp(5000)
        g = gen(a, "192.0.2.2", 5000, "-n", 20000, "-r", 10000, "-s", 1400, timeout=30)
        finished(sc)
        c1 = udp_counters(b)["Udp"]
        delivered = c1["InDatagrams"] - c0["InDatagrams"]
        dropped = c1["RcvbufErrors"] - c0["RcvbufErrors"]
        got = [parse(d) for d in datagrams(path, 1400)]
        seqs = [seq for _, seq, _ in got]
        t.ok(g["sent"] == 20000 and g["ended"] == "count" and delivered + dropped == 20000,
             "udpgen -n 20000: the kernel counts 20000 in (%d delivered, %d dropped at "
             "socat's socket)" % (delivered, dropped), "%s %s -> %s" % (g, c0, c1))
        t.ok(len(got) == delivered and all(ok and st == 1 for st, _, ok in got) and
             seqs == sorted(set(seqs)) and (dropped or seqs == list(range(20000))),
             "socat got each delivered datagram once, in order, its CRC-32 good (zlib)",
             "%d datagrams, seqs %s..." % (len(got), seqs[:10]))

        # 2. IPv4 multicast with a TTL: socat, udpsink and a plain socket
        path = os.path.join(tmp, "mcast4")
        sc = socat_recv(b, "UDP4-RECV:5001,reuseaddr,ip-add-membership=239.1.2.3:v0b", path)
        sc.wait_udp(5001)
        ttl_sock = receiver(b, "239.1.2.3", 5001, "192.0.2.2")
        ttl_sock.setsockopt(socket.IPPROTO_IP, IP_RECVTTL, 1)
        ttl_sock.settimeout(5)
        s = sink(b, "239.1.2.3", 5001, "-I", "v0b", "-n", 3000, "-t", 20)
        g = gen(a, "239.1.2.3", 5001, "-I", "v0a", "-T", 5, "-n", 3000, "-r", 2000, "-s", 256,
                timeout=30)
        got = s.result(25)
        finished(sc)
        good, why = whole_in_order(path, 256, 3000)
        t.ok(good, "multicast 239.1.2.3 out of v0a: socat gets all 3000 whole, in order", why)
        t.ok(got["received"] == 3000 and got["lost"] == 0 and got["corrupted"] == 0 and
             got["duplicated"] == 0 and got["reordered"] == 0 and got["ended"] == "count",
             "udpsink on the same group counts 3000, none lost, damaged, doubled or reordered",
             "%s" % got)
        data, anc, _, _ = ttl_sock.recvmsg(2048, socket.CMSG_SPACE(4))
        ttls = [struct.unpack("i", v[:4])[0] for lvl, typ, v in anc
                if lvl == socket.IPPROTO_IP and typ == socket.IP_TTL]
        t.ok(ttls == [5] and parse(data)[2], "udpgen -T 5: the datagrams arrive with TTL 5",
             "ancillary %r" % anc)
        ttl_sock.close()

        # 3. socat sends a stream made here; udpsink counts it exactly
        made, n = [], 3000
        for seq in range(n):
            if 100 <= seq < 110:
                continue                      # lost: 10
            d = payload(1, seq, 1400)
            if 400 <= seq < 403:              # damaged: 3 (and so lost too)
                d = d[:700] + bytes([d[700] ^ 0x40]) + d[701:]
            made.append(d)
            if seq == 200:
                made.append(d)                # duplicated: 1
        i = made.index(payload(1, 300, 1400))
        made[i], made[i + 1] = made[i + 1], made[i]   # 301 before 300: reordered 1
        made.append(payload(2, 7, 1400))      # another stream: other 1
        path = os.path.join(tmp, "made")
        with open(path, "wb") as f:
            f.write(b"".join(made))
        c0 = udp_counters(b)["Udp"]
        s = sink(b, "192.0.2.2", 5002, "-n", n, "-i", 1000, "-t", 20)
        r = a.run(["socat", "-u", "-b", "1400", "OPEN:" + path, "UDP4-SENDTO:192.0.2.2:5002"],
                  timeout=20)
        got = s.result(25)
        want = {"received": 2988, "lost": 13, "duplicated": 1, "reordered": 1, "corrupted": 3,
                "other": 1, "socket_drops": 0, "expected": 3000, "highest": 2999}
        t.ok(r.returncode == 0 and {k: got.get(k) for k in want} == want,
             "socat's made stream: udpsink counts 2988 received, 13 lost, 1 duplicated, "
             "1 reordered, 3 corrupted, 1 other", "got %s\nsocat: %s" % (got, r.stderr))
        c1 = udp_counters(b)["Udp"]
        t.ok(c1["InDatagrams"] - c0["InDatagrams"] == len(made) == 2992 and
             c1["RcvbufErrors"] == c0["RcvbufErrors"],
             "the kernel delivered all %d socat sent, none dropped" % len(made),
             "%s -> %s" % (c0, c1))

        # 4. IPv6: socat to udpsink, udpgen to socat over multicast
        path = os.path.join(tmp, "six")
        with open(path, "wb") as f:
            f.write(b"".join(payload(1, seq, 64) for seq in range(2000)))
        s = sink(b, "2001:db8::2", 5003, "-n", 2000, "-t", 20)
        r = a.run(["socat", "-u", "-b", "64", "OPEN:" + path, "UDP6-SENDTO:[2001:db8::2]:5003"],
                  timeout=20)
        got = s.result(25)
        t.ok(got["received"] == 2000 and got["lost"] == 0 and got["corrupted"] == 0 and
             got["ended"] == "count", "IPv6: socat's 2000 64-byte datagrams all counted",
             "%s %s" % (got, r.stderr))
        path = os.path.join(tmp, "mcast6")
        sc = socat_recv(b, "UDP6-RECV:5004,ipv6-join-group=[ff0e::db8:1]:v0b", path)
        sc.wait_udp(5004)
        g = gen(a, "ff0e::db8:1", 5004, "-I", "v0a", "-T", 4, "-n", 2000, "-r", 2000,
                "-s", 512, timeout=30)
        finished(sc)
        good, why = whole_in_order(path, 512, 2000)
        t.ok(good and g["sent"] == 2000,
             "IPv6 multicast ff0e::db8:1: socat gets udpgen's 2000 whole, in order", why)

        # 5. the rate is a ceiling
        s = sink(b, "192.0.2.2", 5005, "-n", 20000, "-t", 20)
        g = gen(a, "192.0.2.2", 5005, "-n", 20000, "-r", 20000, "-b", 32, "-s", 64,
                timeout=30)
        got = s.result(25)
        t.ok(g["seconds"] >= (20000 - 2 * 32) / 20000 and got["received"] == 20000,
             "-r 20000: 20000 datagrams take at least 0.997 s, all arrive",
             "%s %s" % (g, got))

        # 6. time bounds
        s = sink(b, "192.0.2.2", 5006, "-i", 300, "-t", 30)
        t0 = time.monotonic()
        g = gen(a, "192.0.2.2", 5006, "-t", "0.5", "-s", 64, timeout=10)
        took = time.monotonic() - t0
        got = s.result(10)
        t.ok(g["ended"] == "time" and took < 3 and got["ended"] == "idle" and
             got["received"] == g["sent"] - got["lost"] and got["received"] > 0,
             "udpgen -t 0.5 flat out stops by its clock; udpsink ends 300 ms after the last",
             "%.2f s %s %s" % (took, g, got))
        t0 = time.monotonic()
        got = sink(b, "192.0.2.2", 5007, "-t", "0.5").result(10)
        t.ok(got["ended"] == "time" and got["received"] == 0 and got["highest"] == -1 and
             time.monotonic() - t0 < 3, "udpsink -t 0.5 with nothing sent: ends, 0 received",
             "%s" % got)

        # 7. the largest UDP payload, fragmented on the wire
        s = sink(b, "192.0.2.2", 5008, "-n", 50, "-t", 20)
        g = gen(a, "192.0.2.2", 5008, "-n", 50, "-r", 1000, "-s", 65507, timeout=30)
        got = s.result(25)
        t.ok(got["received"] == 50 and got["corrupted"] == 0 and got["bytes"] == 50 * 65507,
             "50 datagrams of 65,507 bytes: all intact", "%s" % got)

        # 8. usage errors
        codes = [a.run(argv, timeout=5).returncode for argv in (
            [GEN, "-s", "63", "192.0.2.2", "9"], [GEN, "-s", "65508", "192.0.2.2", "9"],
            [GEN, "-t", "0", "192.0.2.2", "9"], [GEN, "192.0.2.2"],
            [GEN, "host.example", "9"], [SINK, "-n", "0", "192.0.2.2", "9"],
            [SINK, "-I", "nosuch0", "239.1.1.1", "9"], [SINK, "192.0.2.2", "65536"])]
        t.ok(codes == [100] * 8, "bad sizes, times, addresses, ports: usage errors, exit 100",
             "%s" % codes)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
t.done()
