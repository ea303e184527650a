#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# pxed behind a DHCP relay nobody here wrote (ISC dhcrelay, Debian's
# isc-dhcp-relay, with -a: it adds option 82 and takes it off the replies):
#
#   srv: pxed, v0a 192.0.2.1 -- relay: v0b 192.0.2.2, dhcrelay, v1a 198.51.100.1
#                               -- far: v1b, the clients, no IPv4 address
#
# pxed in server mode with a pool on each subnet.  From the far side a BIOS
# and a UEFI (arch 7) PXE DISCOVER (the python client of dhcp_ns) and ISC
# dhclient each get an address of the far pool, its router and the right
# boot file, through the relay; every reply pxed sends goes to the relay
# agent at giaddr:67 with the relay's option 82 back unchanged, last
# (captured on the server's link); a relayed DISCOVER whose giaddr is on a
# subnet with no pool is not answered, counted twice and logged once.
# Then in proxy mode (SIGHUP): a BIOS DISCOVER from the far side gets the
# proxy offer (no address, the boot file) through the relay, sent to the
# relay agent with option 82 echoed, as dnsmasq does.
import os
import re
import shutil
import signal
import socket
import struct
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from dhcp_ns import MAC, PXE_VENDOR, PxedLab, Tap, options, packet, parse, reply, require, skip_all  # noqa: E402

require()
if not shutil.which("dhcrelay"):
    skip_all("dhcrelay is not installed (isc-dhcp-relay, toolchain/host-packages)")
CONF = """# pxed_relay.t
mode server
pool 192.0.2.100 192.0.2.109
router 192.0.2.1
lease 600
pool 198.51.100.100 198.51.100.109 router 198.51.100.1 lease 300
arch 0 file undionly.kpxe
arch 7,9 file ipxe.efi
"""
FAR = ["198.51.100.%d" % i for i in range(100, 110)]
# Every UDP datagram to or from port 67 on one interface, as a line
# "<src> <sport> <dst> <dport> <hex payload>" (a packet socket, so what
# really went over the wire).
CAPTURE = r"""
import socket, struct, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))  # ETH_P_ALL: sent too
s.bind((sys.argv[1], 0))
print("ready", flush=True)
while True:
    f = s.recv(4096)
    if f[12:14] != b"\x08\x00":
        continue
    f = f[14:]
    ihl = (f[0] & 15) * 4
    if f[9] != 17:
        continue
    sport, dport = struct.unpack(">HH", f[ihl:ihl + 4])
    if 67 in (sport, dport):
        print("udp", socket.inet_ntoa(f[12:16]), sport, socket.inet_ntoa(f[16:20]), dport,
              f[ihl + 8:].hex(), flush=True)
"""
t = Tap(14)


def pxe_discover(arch, xid):
    vc = PXE_VENDOR.replace("00007", "%05d" % arch).encode()
    return packet(options((53, b"\x01"), (60, vc), (93, struct.pack(">H", arch)),
                          (97, bytes(17))), xid=xid)


def wire(cap):
    """The captured datagrams so far: (src, sport, dst, dport, bytes)."""
    out = []
    for m in cap.matches(r"^udp (\S+) (\d+) (\S+) (\d+) ([0-9a-f]+)$"):
        out.append((m.group(1), int(m.group(2)), m.group(3), int(m.group(4)),
                    bytes.fromhex(m.group(5))))
    return out


def option82(data):
    """Option 82 of a DHCP message as bytes, and whether it is the last
    option before 255; (None, False) without it."""
    i, found, last = 240, None, False
    while i < len(data) and data[i] != 255:
        if data[i] == 0:
            i += 1
            continue
        code, n = data[i], data[i + 1]
        if code == 82:
            found = data[i:i + 2 + n]
        last = code == 82
        i += 2 + n
    return found, last


def exchange(cap, xid, wait=3.0):
    """The relayed request with xid pxed got and the replies it sent to it,
    once it has sent one (or wait ends): (request, [replies])."""
    deadline = time.monotonic() + wait
    while True:
        seen = [w for w in wire(cap) if struct.unpack(">I", w[4][4:8])[0] == xid]
        req = [w for w in seen if w[2] == "192.0.2.1" and w[3] == 67]
        rep = [w for w in seen if w[0] == "192.0.2.1" and w[1] == 67]
        if rep or time.monotonic() > deadline:
            return (req[-1] if req else None), rep
        time.sleep(0.05)


def echoed(cap, xid):
    """pxed's replies to xid went to the relay agent at giaddr:67 with its
    option 82 unchanged and last."""
    req, rep = exchange(cap, xid)
    if not req or not rep:
        return False, "request %s, replies %s" % (req, rep)
    want, _ = option82(req[4])
    bad = [r for r in rep if (r[2], r[3]) != ("198.51.100.1", 67) or option82(r[4]) != (want, True)]
    return want is not None and not bad, "request's 82 %s; replies %s" % (
        want and want.hex(), [(r[2], r[3], option82(r[4])) for r in rep])


with PxedLab(t, CONF) as lab:
    relay = lab.cli
    relay.ip("addr", "add", "192.0.2.2/24", "dev", relay.dev)
    far = lab.net.ns("far")
    lab.net.veth(relay, far)
    far.ip("-4", "addr", "flush", "dev", far.dev)
    far.ip("link", "set", far.dev, "address", MAC)
    # Replies to the relay agent (and to a relay on a subnet with no pool,
    # so that an answer there would be seen) go by the relay.
    for net in ("198.51.100.0/24", "203.0.113.0/24"):
        lab.srv.ip("route", "add", net, "via", "192.0.2.2")
    cap = lab.srv.daemon(["python3", "-c", CAPTURE, lab.srv.dev], name="capture")
    cap.expect("^ready$")
    rel = relay.daemon(["dhcrelay", "-4", "-d", "-a", "-pf", lab.path("dhcrelay.pid"),
                        "-iu", "v0b", "-id", relay.dev, "192.0.2.1"], name="dhcrelay")
    rel.expect(r"^Sending on +Socket/fallback")
    lab.cli = far  # the clients below (raw_socket, dhclient) run on the far side

    s = lab.raw_socket()
    for arch, xid, file in ((0, 0x5e1a0, "undionly.kpxe"), (7, 0x5e1a7, "ipxe.efi")):
        s.sendto(pxe_discover(arch, xid), ("255.255.255.255", 67))
        h, o = None, None
        deadline = time.monotonic() + 5
        while h is None and time.monotonic() < deadline:
            try:
                h, o = parse(s.recv(2048))
            except socket.timeout:
                break
            if h["xid"] != xid:
                h = None
        t.ok(h and h["yiaddr"] in FAR and o.get(3) == socket.inet_aton("198.51.100.1")
             and o.get(51) == struct.pack(">I", 300) and h["file"] == file
             and h["siaddr"] == "192.0.2.1",
             "arch %d PXE DISCOVER through the relay: an address of the far pool, its router "
             "and lease, %s" % (arch, file), "%s%s%s" % ((h, o), lab.pxed.tail(), rel.tail()))
        t.ok(h and 82 not in o, "the relay took its option 82 off before the client", str(o))
        ok, why = echoed(cap, xid)
        t.ok(ok, "arch %d: pxed's OFFER to the relay agent at 198.51.100.1:67, option 82 "
             "echoed unchanged and last" % arch, why)

    ev, res = lab.dhclient()
    bound = [e for e in ev if e["event"] in ("BOUND", "REBOOT")]
    b = bound[-1] if bound else {}
    t.ok(b.get("new_ip_address") in FAR and b.get("new_routers") == "198.51.100.1"
         and b.get("new_subnet_mask") == "255.255.255.0",
         "dhclient through the relay: bound to an address of the far pool, router 198.51.100.1",
         "%s\n%s%s%s" % (ev, res.stderr[-800:], lab.pxed.tail(), rel.tail()))
    acks = lab.pxed.seen(r"REQUEST from %s .*: ack 198\.51\.100\.\d+" % re.escape(MAC))
    with open(lab.leases) as f:
        leases = [line.split() for line in f if line.strip()]
    t.ok(acks and [line for line in leases if line[0] == b.get("new_ip_address")],
         "its lease is in the lease file", "%s %s" % (leases, lab.pxed.tail()))
    xids = {struct.unpack(">I", w[4][4:8])[0] for w in wire(cap)
            if w[0] == "192.0.2.1" and option82(w[4])[0] and w[4][242] == 5}
    ok, why = echoed(cap, xids.pop()) if xids else (False, "no ACK captured")
    t.ok(ok, "dhclient's ACK: to the relay agent, option 82 echoed unchanged and last", why)

    # A relay on a subnet with no pool: not answered (never an address of
    # another subnet's pool), counted each time, logged once.
    g = relay.socket(socket.AF_INET)
    for xid in (0x90001, 0x90002):
        msg = bytearray(pxe_discover(0, xid) + b"")
        msg[3] = 1                                       # hops
        msg[24:28] = socket.inet_aton("203.0.113.1")     # giaddr
        msg = bytes(msg[:-1]) + bytes([82, 6, 1, 4]) + b"eth9" + b"\xff"
        g.sendto(msg, ("192.0.2.1", 67))
    g.close()
    deadline = time.monotonic() + 5
    while (lab.stats().get("no pool for its subnet") or 0) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    st = lab.stats()
    t.ok(st.get("no pool for its subnet") == 2,
         "giaddr 203.0.113.1 (no pool): not answered, counted as no pool, twice", str(st))
    sent = [w for w in wire(cap) if w[0] == "192.0.2.1"
            and struct.unpack(">I", w[4][4:8])[0] in (0x90001, 0x90002)]
    t.ok(not sent, "nothing sent for it, to the relay or anyone", str(sent))
    said = lab.pxed.matches(r"relayed by 203\.0\.113\.1: no pool for its subnet")
    t.ok(len(said) == 1, "logged once for the two", lab.pxed.tail())

    lab.write(lab.conf, "arch 0 file undionly.kpxe\n")
    lab.pxed.signal(signal.SIGHUP)
    lab.pxed.expect(r"SIGHUP: .* reloaded \(proxy mode\)", 3)
    s.sendto(pxe_discover(0, 0x5e1b0), ("255.255.255.255", 67))
    r = reply(s, 0x5e1b0, 5)
    h, o = r or (None, None)
    t.ok(h and h["yiaddr"] == "0.0.0.0" and h["file"] == "undionly.kpxe" and o.get(60) == b"PXEClient",
         "proxy mode: a BIOS DISCOVER through the relay gets the proxy offer, undionly.kpxe",
         "%s%s%s" % (r, lab.pxed.tail(), rel.tail()))
    ok, why = echoed(cap, 0x5e1b0)
    t.ok(ok, "proxy mode: the proxy offer to the relay agent at 198.51.100.1:67, option 82 echoed "
         "unchanged and last", why)
t.done()
