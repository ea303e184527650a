#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Two Tern boxes on one segment, both pxed in proxy mode beside the site's
# DHCP server (dnsmasq, DHCP only, as pxe_lab.t runs it: guest.Lab), each
# told by serve lines which clients are its own:
#
#   box A 192.0.2.10: serve arch 0; serve mac 52:54:00:aa:*
#   box B 192.0.2.11: serve mac 52:54:00:bb:* arch 7,9
#
# all on the bridge of one namespace.  PXE DISCOVERs from a BIOS client and
# two UEFI clients each get dnsmasq's address offer and one proxy offer,
# from the box meant for them only; a UEFI client neither box lists gets
# dnsmasq's offer alone; port 4011 answers only the box's own clients; the
# boxes count what they left alone.
import os
import socket
import struct
import sys
import time
import types

sys.dont_write_bytecode = True
here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "lib"))
sys.path.insert(0, os.path.join(here, "..", "qemu", "lib"))
from dhcp_ns import PXE_VENDOR, PxedLab, options, packet, parse, reply, require  # noqa: E402
from guest import Lab  # noqa: E402
from netns import Net, Tap, skip_all, tern_out  # noqa: E402

require()
if os.system("command -v dnsmasq >/dev/null 2>&1") != 0:
    skip_all("dnsmasq is not installed (dnsmasq-base, toolchain/host-packages)")
BOX = {
    "A": ("192.0.2.10", "arch 0 file a-undionly.kpxe\narch 7,9 file a-ipxe.efi\n"
                        "serve arch 0\nserve mac 52:54:00:aa:*\n"),
    "B": ("192.0.2.11", "arch 0 file b-undionly.kpxe\narch 7,9 file b-ipxe.efi\n"
                        "serve mac 52:54:00:bb:* arch 7,9\n"),
}
# (MAC, arch, the box meant for it or None, the file it gets)
CLIENTS = [("52:54:00:bb:00:01", 0, "A", "a-undionly.kpxe"),
           ("52:54:00:bb:00:02", 7, "B", "b-ipxe.efi"),
           ("52:54:00:aa:00:03", 7, "A", "a-ipxe.efi"),
           ("52:54:00:cc:00:04", 7, None, None)]
t = Tap(10)


def discover(mac, arch, xid):
    vc = PXE_VENDOR.replace("00007", "%05d" % arch).encode()
    return packet(options((53, b"\x01"), (60, vc), (93, struct.pack(">H", arch)), (97, bytes(17))),
                  xid=xid, mac=mac)


def attach(lab, ns, dev, addr):
    """A veth from namespace ns (dev, addr/24) to the lab's bridge."""
    peer = "p" + dev
    for cmd in (["ip", "link", "add", dev, "netns", ns.name, "type", "veth", "peer", "name", peer,
                 "netns", lab.ns],
                ["ip", "-n", lab.ns, "link", "set", peer, "master", "br0", "up"]):
        if os.system(" ".join(cmd)) != 0:
            raise RuntimeError("%s failed" % " ".join(cmd))
    if addr:
        ns.ip("addr", "add", addr + "/24", "dev", dev)
    ns.ip("link", "set", dev, "up")


with Net() as net, Lab() as lab:
    tmp = net.tmpdir("pxed-appliances-")
    # --no-ping: dnsmasq's ping of an address before offering it holds
    # every other DISCOVER up to 3 s.
    lab.dhcp(tmp, extra=["--no-ping"])
    box = {}
    for name, (addr, conf) in BOX.items():
        ns = net.ns("box" + name.lower())
        attach(lab, ns, "lan" + name.lower(), addr)
        path = os.path.join(tmp, "pxed-%s.conf" % name)
        with open(path, "w") as f:
            f.write(conf)
        d = ns.daemon([tern_out("build", "app", "pxed"), "-c", path, "-l",
                       os.path.join(tmp, "state-" + name, "leases"), "-i", "lan" + name.lower(),
                       "-v"], name="pxed " + name)
        d.wait_udp(67)
        d.wait_udp(4011)
        box[name] = types.SimpleNamespace(addr=addr, pxed=d)
    cli = net.ns("cli")
    attach(lab, cli, "lanc", None)
    s = cli.socket(socket.AF_INET)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b"lanc")
    s.bind(("0.0.0.0", 68))

    # Every client at once; every answer for 2 s.
    for i, (mac, arch, _, _) in enumerate(CLIENTS):
        s.sendto(discover(mac, arch, 0x7000 + i), ("255.255.255.255", 67))
    got = {}
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:
        s.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            h, o = parse(s.recv(2048))
        except socket.timeout:
            break
        got.setdefault(h["xid"], []).append((h, o))
    by_addr = {b.addr: n for n, b in box.items()}
    for i, (mac, arch, want, file) in enumerate(CLIENTS):
        offers = got.get(0x7000 + i, [])
        site = [h for h, o in offers if h["yiaddr"] != "0.0.0.0"
                and o.get(54) == socket.inet_aton("192.0.2.2")]
        proxy = [(by_addr.get(socket.inet_ntoa(o.get(54, bytes(4)))), h["file"]) for h, o in offers
                 if h["yiaddr"] == "0.0.0.0" and o.get(60) == b"PXEClient"]
        what = "%s arch %d" % (mac, arch)
        t.ok(site, "%s: dnsmasq's address offer" % what,
             "%s\ndnsmasq's log:\n%s" % (offers, open(lab.dnsmasq_log, errors="replace")
                                           .read()[-1500:]))
        if want:
            t.ok(proxy == [(want, file)], "%s: one proxy offer, from box %s, %s" % (what, want, file),
                 "%s%s%s" % (proxy, box["A"].pxed.tail(8), box["B"].pxed.tail(8)))
        else:
            t.ok(proxy == [], "%s: listed by neither box: no proxy offer" % what, str(proxy))

    # Port 4011, asked directly (as UEFI does after the proxy offer): only
    # the client's own box answers.
    cli.ip("addr", "add", "192.0.2.200/24", "dev", "lanc")
    mac = CLIENTS[1][0]
    asked = {}
    for name in ("A", "B"):
        req = packet(options((53, b"\x03"), (60, b"PXEClient"), (93, b"\x00\x07")), xid=0x7100,
                     ciaddr="192.0.2.200", flags=0, mac=mac)
        s.sendto(req, (box[name].addr, 4011))
        r = reply(s, 0x7100, 1.0 if name == "A" else 3.0)
        asked[name] = r and r[0]["file"]
    t.ok(asked == {"A": None, "B": "b-ipxe.efi"},
         "port 4011: box B acks its UEFI client with b-ipxe.efi, box A does not answer it",
         str(asked))

    # What each left alone, counted: A the UEFI bb client and cc; B the
    # BIOS client, the aa client and cc; A also the 4011 request.
    st = {n: PxedLab.stats(b) for n, b in box.items()}
    t.ok(st["A"].get("not served here (serve lines)") == 3
         and st["B"].get("not served here (serve lines)") == 3,
         "each box counts the clients it left alone (A 3, B 3)", str(st))
t.done()
