#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# pxed in server mode, message by message on the wire (a client written
# here, to say exactly what is asked):
#   - next-server and netmask from pxed.conf in the offer (siaddr,
#     option 1), the boot file by architecture, the iPXE file for an iPXE
#     client, and a host's own `ipxe` file for that host's iPXE;
#   - a pool of two: two clients bound, the third's DISCOVER not answered
#     (counted as pool full);
#   - a REQUEST for an address another client holds: NAK, with why;
#   - DECLINE: the address leaves the pool (after a RELEASE frees the
#     other one, a new client is offered that one, not the declined);
#   - INFORM: an ACK to the client's own address, no address leased, no
#     lease time, the site's options;
#   - each counted once by its name (nak, declined, pool full, inform ack);
#   - pxed killed (SIGKILL) inside its lease write, once after the
#     temporary file is written and before its fsync, once before the
#     rename: the lease file is the last whole one, and a new pxed reads
#     it and serves on (strace injects the signal at that system call).
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from dhcp_ns import PXE_VENDOR, PxedLab, Tap, options, packet, parse, require  # noqa: E402
from netns import skip_all, tern_out  # noqa: E402

require()
if not shutil.which("strace"):
    skip_all("strace is not installed (toolchain/host-packages)")

CONF = """# pxed_messages.t
mode server
pool 192.0.2.100 192.0.2.101
netmask 255.255.255.128
next-server 192.0.2.9
router 192.0.2.1
lease 600
arch 7 file ipxe.efi
ipxe file boot.ipxe
host 52:54:00:00:00:0e ipxe special.ipxe address 192.0.2.50
"""
SERVER = "192.0.2.1"
POOL = ["192.0.2.100", "192.0.2.101"]
DISCOVER, OFFER, REQUEST, DECLINE, ACK, NAK, RELEASE, INFORM = 1, 2, 3, 4, 5, 6, 7, 8
t = Tap(15)


def mac(n):
    return "52:54:00:00:00:%02x" % n


def ip(a):
    return socket.inet_aton(a)


class Client:
    """DHCP messages from the cli namespace, answers matched by xid."""

    def __init__(self, lab):
        self.s = lab.raw_socket()
        self.xid = 0x7000

    def ask(self, kind, m, *opts, ciaddr="0.0.0.0", wait=2.0):
        """Send a message of kind from MAC m; the answer (header, options)
        or None."""
        self.xid += 1
        self.s.sendto(packet(options((53, bytes([kind])), *opts), xid=self.xid, mac=m,
                             ciaddr=ciaddr), ("255.255.255.255", 67))
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            self.s.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                data = self.s.recv(2048)
            except socket.timeout:
                break
            hdr, o = parse(data)
            if hdr["xid"] == self.xid:
                return hdr, o
        return None

    def bind(self, m):
        """DISCOVER then REQUEST of what was offered: the address, or None."""
        r = self.ask(DISCOVER, m)
        if not r or r[1].get(53) != bytes([OFFER]):
            return None
        a = r[0]["yiaddr"]
        r = self.ask(REQUEST, m, (50, ip(a)), (54, ip(SERVER)))
        return a if r and r[1].get(53) == bytes([ACK]) else None


def kind(r):
    return r[1].get(53, b"\0")[0] if r else None


def lease_text(lab, suffix=""):
    try:
        with open(lab.leases + suffix) as f:
            return f.read()
    except FileNotFoundError:
        return ""


PXE = ((60, PXE_VENDOR.encode()), (93, b"\x00\x07"))
with PxedLab(t, CONF) as lab:
    c = Client(lab)
    r = c.ask(DISCOVER, mac(1), *PXE)
    t.ok(kind(r) == OFFER and r[0]["yiaddr"] in POOL and r[0]["siaddr"] == "192.0.2.9" and
         r[1].get(1) == ip("255.255.255.128") and r[0]["file"] == "ipxe.efi",
         "OFFER: an address of the pool, next-server 192.0.2.9 as siaddr, netmask "
         "255.255.255.128 as option 1, ipxe.efi for arch 7", "%s%s" % (r, lab.pxed.tail()))
    r = c.ask(DISCOVER, mac(1), *(PXE + ((77, b"iPXE"),)))
    t.ok(kind(r) == OFFER and r[0]["file"] == "boot.ipxe", "the same client as iPXE: boot.ipxe",
         str(r))
    r = c.ask(DISCOVER, mac(0x0e), *(PXE + ((77, b"iPXE"),)))
    t.ok(kind(r) == OFFER and r[0]["file"] == "special.ipxe" and r[0]["yiaddr"] == "192.0.2.50",
         "a host with its own `ipxe` file, as iPXE: special.ipxe at its address", str(r))

    a1, a2 = c.bind(mac(1)), c.bind(mac(2))
    t.ok(sorted([str(a1), str(a2)]) == POOL, "two clients bound: the pool of two is taken", "%s %s" % (a1, a2))
    r = c.ask(DISCOVER, mac(3))
    t.ok(r is None and lab.pxed.seen(r"DISCOVER from %s .*pool full" % mac(3)),
         "a third client's DISCOVER is not answered: pool full", "%s%s" % (r, lab.pxed.tail()))

    r = c.ask(REQUEST, mac(3), (50, ip(a1)))
    t.ok(kind(r) == NAK and r[1].get(54) == ip(SERVER) and
         r[1].get(56) == b"address not available" and r[0]["yiaddr"] == "0.0.0.0",
         "a REQUEST for an address another client holds: NAK, 'address not available'", str(r))

    held = a1 in lease_text(lab).split()
    r = c.ask(DECLINE, mac(1), (50, ip(a1)), (54, ip(SERVER)), wait=0.5)
    declined = held and a1 not in lease_text(lab).split()
    r2 = c.ask(RELEASE, mac(2), (54, ip(SERVER)), ciaddr=a2, wait=0.5)
    offered = c.ask(DISCOVER, mac(4))
    t.ok(r is None and r2 is None and kind(offered) == OFFER and offered[0]["yiaddr"] == a2,
         "DECLINE takes %s out: once %s is released, a new client is offered %s"
         % (a1, a2, a2), "%s%s" % (offered, lab.pxed.tail()))
    t.ok(declined, "the declined address is no client's lease in the file", lease_text(lab))

    lab.cli.ip("addr", "add", "192.0.2.60/24", "dev", lab.cli.dev)
    r = c.ask(INFORM, mac(5), ciaddr="192.0.2.60")
    t.ok(kind(r) == ACK and r[0]["yiaddr"] == "0.0.0.0" and r[0]["ciaddr"] == "192.0.2.60" and
         51 not in r[1] and r[1].get(1) == ip("255.255.255.128") and r[1].get(3) == ip(SERVER),
         "INFORM: ACK to 192.0.2.60, no address leased, no lease time, netmask and router",
         str(r))
    lab.cli.ip("addr", "flush", "dev", lab.cli.dev)

    st = lab.stats()
    got = {k: st.get(k) for k in ("nak", "declined", "pool full", "inform ack")}
    t.ok(got == {"nak": 1, "declined": 1, "pool full": 1, "inform ack": 1},
         "each counted once: nak, declined, pool full, inform ack", "%s%s" % (st, lab.pxed.tail()))
    t.ok(lab.pxed.stop() == 0, "pxed stops with status 0")

    # Killed inside the lease write, at its fsync and then at its rename.
    lab.start()
    held = c.bind(mac(2))
    lab.pxed.stop()
    for n, (call, when) in enumerate((("fsync", "after the temporary file is written, "
                                                "before its fsync"),
                                       ("rename", "before the rename"))):
        before = lease_text(lab)
        argv = ["strace", "-f", "-qq", "-o", "/dev/null", "-e", "trace=" + call,
                "-e", "inject=%s:signal=KILL:when=1" % call,
                tern_out("build", "app", "pxed"), "-c", lab.conf, "-l", lab.leases,
                "-i", lab.srv.dev, "-v"]
        lab.pxed = lab.srv.daemon(argv, name="pxed-" + call)
        lab.pxed.wait_udp(67)
        bound = c.bind(mac(6 + n))  # its save is the first fsync and rename
        try:
            lab.pxed.proc.wait(5)
        except subprocess.TimeoutExpired:
            pass
        tmp = lease_text(lab, ".tmp")
        t.ok(lab.pxed.proc.returncode == -signal.SIGKILL and bound is None and
             len(tmp.splitlines()) == 2 and lease_text(lab) == before and
             len(before.splitlines()) == 1 and held in before,
             "SIGKILL %s: the new file half done (%d leases in leases.tmp), the lease file "
             "the last whole one" % (when, len(tmp.splitlines())),
             "exit %s, bound %s\nbefore:\n%stmp:\n%safter:\n%s%s"
             % (lab.pxed.proc.returncode, bound, before, tmp, lease_text(lab), lab.pxed.tail()))
        lab.start()
        m = lab.pxed.seen(r"(\d+) lease\(s\) read from")
        r = c.ask(REQUEST, mac(2), (50, ip(held)), (54, ip(SERVER)))
        t.ok(m and m[0].group(1) == "1" and kind(r) == ACK and r[0]["yiaddr"] == held and
             not os.path.exists(lab.leases + ".tmp"),
             "...a new pxed reads that one lease, renews it, and its write replaces leases.tmp",
             "%s %s%s" % ([x.group(0) for x in m], r, lab.pxed.tail()))
        lab.pxed.stop()
t.done()
