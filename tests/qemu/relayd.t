#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# relayd in the booted image, between two NICs.  Each NIC is a
# `-netdev socket` in UDP mode on 127.0.0.1: every Ethernet frame is one
# UDP datagram between QEMU and this test, so the host side writes the
# frames the guest's eth0 receives and reads those its eth1 sends, with no
# root, bridge or tap.
#
# The default board bakes no relay rule, so the rules and the two
# interfaces' addresses come the way README tells a site to add its own:
# a second gzipped cpio after the image's initramfs holding
# /etc/tern/relayd.conf and /etc/tern/network.conf.  relayd itself starts
# from /etc/tern/services as the build generated it (site flags only).
#
#   host --frames--> eth0 192.0.2.10   [relayd]   eth1 198.51.100.10 --frames--> host
#     239.1.1.1:5000        ->  239.2.2.2:6000 ttl 4   (multicast -> multicast)
#     192.0.2.10:5100       ->  239.2.2.3:6100         (unicast -> multicast)
#
# Every datagram of both streams comes out once, in order, intact, with
# the rule's destination and TTL; relayctl in the guest lists both rules
# running and counts them.
import os
import re
import select
import socket
import struct
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "net", "lib"))
from guest import Guest, GuestError, Tap, free_ports, site_initrd  # noqa: E402
from relay_ns import parse, payload  # noqa: E402

OUT = os.environ["TERN_OUT"]
MAC0, MAC1, HOST_MAC = "52:54:00:00:05:01", "52:54:00:00:05:02", "52:54:00:00:05:99"
RULES = """# tests/qemu/relayd.t
relay from eth0 group 239.1.1.1 port 5000 to 239.2.2.2:6000 dev eth1 ttl 4
relay from eth0 address 192.0.2.10 port 5100 to 239.2.2.3:6100 dev eth1
"""
NETWORK = "eth0 static 192.0.2.10/24\neth1 static 198.51.100.10/24\n"
N, PPS = 300, 300


def mac(text):
    return bytes(int(x, 16) for x in text.split(":"))


def checksum(data):
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xffff)
    return ~(s + (s >> 16)) & 0xffff


def frame(dst, dport, data, ttl=8):
    """An Ethernet frame: UDP from 192.0.2.1:4000 to dst:dport."""
    d = socket.inet_aton(dst)
    dmac = b"\x01\x00\x5e" + bytes([d[1] & 0x7f, d[2], d[3]]) if d[0] >= 224 else mac(MAC0)
    udp = struct.pack("!HHHH", 4000, dport, 8 + len(data), 0) + data
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, ttl, 17, 0,
                     socket.inet_aton("192.0.2.1"), d)
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    return dmac + mac(HOST_MAC) + b"\x08\x00" + ip + udp


def udp_of(f):
    """(destination, port, TTL, payload) of an IPv4 UDP frame, or None."""
    if len(f) < 42 or f[12:14] != b"\x08\x00" or f[23] != 17:
        return None
    ihl = (f[14] & 15) * 4
    dport, length = struct.unpack("!2xHH", f[14 + ihl:14 + ihl + 6])
    return (socket.inet_ntoa(f[30:34]), dport, f[22],
            f[14 + ihl + 8:14 + ihl + length])


t = Tap(7)
with open(os.path.join(OUT, "target/etc/tern/services")) as f:
    services = f.read()
t.ok(re.search(r"(?m)^relayd respawn /usr/sbin/relayd -c /etc/tern/relayd\.conf -u relayd$", services) and
     os.access(os.path.join(OUT, "target/usr/sbin/relayctl"), os.X_OK),
     "the image starts relayd from /etc/tern/services with its site flags only, and has relayctl",
     services)

with tempfile.TemporaryDirectory() as tmp:
    initrd = site_initrd(tmp, ["dir /etc 0755 0 0", "dir /etc/tern 0755 0 0"],
                         [("/etc/tern/relayd.conf", RULES), ("/etc/tern/network.conf", NETWORK)])
    os.environ["TERN_INITRD"] = initrd

    # eth0: QEMU reads q0 and writes h0 (we write q0); eth1: QEMU writes h1.
    h0, q0, h1, q1 = free_ports(4)
    rx0, rx1 = (socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(2))
    rx0.bind(("127.0.0.1", h0))
    rx1.bind(("127.0.0.1", h1))
    rx1.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    nics = ["-netdev", "socket,id=n0,udp=127.0.0.1:%d,localaddr=127.0.0.1:%d" % (h0, q0),
            "-device", "virtio-net-pci,netdev=n0,mac=" + MAC0,
            "-netdev", "socket,id=n1,udp=127.0.0.1:%d,localaddr=127.0.0.1:%d" % (h1, q1),
            "-device", "virtio-net-pci,netdev=n1,mac=" + MAC1]
    started = time.monotonic()
    with Guest(qemu_args=nics) as g:
        try:
            g.wait_log(rb"relayd: 2 of 2 rules running", timeout=60)
            g.wait_ready(timeout=60)
            if not g.wait_shell():
                t.bail("debug shell did not answer")
            st, out = g.sh("ip -4 -o addr show; relayctl list")
        except GuestError as e:
            t.bail(e)
        t.ok(st == 0 and "inet 192.0.2.10/24" in out and "inet 198.51.100.10/24" in out and
             len(re.findall(r"(?m)^\s+\d+\s+0\s+running\s+line \d\s+relay from eth0", out)) == 2,
             "relayd runs both rules from the site's relayd.conf; relayctl list says so", out)

        got = {6000: [], 6100: []}
        ttls = set()

        def collect(f):
            """A frame eth1 sent: ours if to a rule's destination."""
            u = udp_of(f)
            if u and u[1] in got and u[0] == {6000: "239.2.2.2", 6100: "239.2.2.3"}[u[1]]:
                got[u[1]].append(parse(u[3]))
                ttls.add((u[1], u[2]))

        t0 = time.monotonic()
        for i in range(N):
            rx0_drain = select.select([rx0], [], [], 0)[0]
            if rx0_drain:
                rx0.recv(65536)  # what eth0 sends (IGMP, ND): not ours
            rx0.sendto(frame("239.1.1.1", 5000, payload(1, i, 200 + i % 1200)), ("127.0.0.1", q0))
            rx0.sendto(frame("192.0.2.10", 5100, payload(2, i, 100)), ("127.0.0.1", q0))
            while select.select([rx1], [], [], 0)[0]:
                collect(rx1.recv(65536))
            time.sleep(max(0, t0 + (i + 1) / PPS - time.monotonic()))
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and sum(map(len, got.values())) < 2 * N:
            if select.select([rx1], [], [], 0.2)[0]:
                collect(rx1.recv(65536))
        for port, st_, name in ((6000, 1, "multicast 239.1.1.1:5000 -> 239.2.2.2:6000 out of "
                                 "eth1, TTL 4"),
                                (6100, 2, "unicast 192.0.2.10:5100 -> 239.2.2.3:6100 out of eth1")):
            seqs = [q for s, q, ok in got[port] if s == st_ and ok]
            t.ok(seqs == list(range(N)) and len(got[port]) == N,
                 "%s: %d datagrams once, in order, intact" % (name, N),
                 "got %d, intact in order %d; first %s" % (len(got[port]), len(seqs),
                                                            got[port][:3]))
        t.ok(ttls == {(6000, 4), (6100, 1)}, "the rule's TTL (4), else multicast's default (1)",
             str(ttls))
        # A worker counts a send when it reaps its completion, which may
        # come a little after the frame left: ask again until counted.
        counted = r"(?m)^#\d eth0 .*: %d packets.*\n  to 239\.2\.2\.\d:6\d00 dev eth1: %d packets" % (
            N, N)
        deadline = time.monotonic() + 10
        while True:
            st, out = g.sh("relayctl stats")
            if len(re.findall(counted, out)) == 2 or time.monotonic() >= deadline:
                break
            time.sleep(0.2)
        t.ok(st == 0 and len(re.findall(counted, out)) == 2,
             "relayctl stats in the guest counts %d in and out for each rule" % N, out)
        # relayd, which runs as its own user, shares each rule's counters
        # in a file it made in init's sticky /run/tern/stats (app/lib/stats.h)
        st, out = g.sh("ls -l /run/tern/stats/ | grep ' relayd-rule\\.'")
        t.ok(st == 0 and len(re.findall(r"(?m)^-rw-r--r-- .* relayd .* relayd-rule\.\d+$", out)) == 2,
             "each rule's counters are shared in a file of relayd's own in /run/tern/stats", out)
        g.send("poweroff\n")
        g.wait_exit(timeout=30)
    print("# relayd.t: %.1f s from starting QEMU to power off" % (time.monotonic() - started))
t.done()
