#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# pxed's flags where they act, in proxy mode:
#   - -t: a good file "good, proxy mode", 0; a bad one each bad line as
#     FILE:LINE with why, nothing on stdout, 100;
#   - several -i: pxed answers on each interface named and not on a third;
#   - -p PORT: the DHCP port is PORT (a DISCOVER to 67 goes unanswered,
#     one to PORT gets the proxy offer); -P PXEPORT: the boot server
#     answers a REQUEST on PXEPORT, and nothing listens on 4011.
import os
import re
import socket
import subprocess
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from dhcp_ns import PXE_VENDOR, options, packet, reply, require  # noqa: E402
from netns import Net, Tap, tern_out  # noqa: E402

require()
PXED = tern_out("build", "app", "pxed")
CONF = "# pxed_flags.t\nmode proxy\narch 7 file ipxe.efi\n"
PXE = ((60, PXE_VENDOR.encode()), (93, b"\x00\x07"))
t = Tap(8)


def client(ns, dev, port=68, addr="0.0.0.0"):
    s = ns.socket(socket.AF_INET)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, dev.encode())
    s.bind((addr, port))
    return s


def ask(s, dest, kind, xid, ciaddr="0.0.0.0", wait=1.5):
    """A PXE client's message (DHCP type kind) to dest: the answer with
    xid, as (header, options), or None."""
    s.sendto(packet(options((53, bytes([kind])), *PXE), xid=xid, ciaddr=ciaddr), dest)
    return reply(s, xid, wait)


with Net() as net:
    where = net.tmpdir("pxed-flags-")
    good, bad = os.path.join(where, "good.conf"), os.path.join(where, "bad.conf")
    with open(good, "w") as f:
        f.write(CONF)
    with open(bad, "w") as f:
        f.write(CONF + "arch 7 file\nlease 5\n")
    r = subprocess.run([PXED, "-c", good, "-t"], capture_output=True, text=True, timeout=10)
    t.ok(r.returncode == 0 and r.stdout == good + ": good, proxy mode\n",
         "-t on a good file: 'good, proxy mode', exit 0", "%s %r %r" % (r.returncode, r.stdout,
                                                                       r.stderr))
    r = subprocess.run([PXED, "-c", bad, "-t"], capture_output=True, text=True, timeout=10)
    said = re.findall(r"(?m)^pxed: error: %s:(\d+): (.*)$" % re.escape(bad), r.stderr)
    t.ok(r.returncode == 100 and r.stdout == "" and [n for n, _ in said] == ["4", "5"],
         "-t on a bad file: lines 4 and 5 as FILE:LINE with why, nothing on stdout, exit 100",
         "%s %r\n%s" % (r.returncode, r.stdout, r.stderr))

    srv = net.ns("srv")
    clis = [net.ns("cli%d" % i) for i in range(3)]
    for c in clis:
        net.veth(srv, c)  # v0a-v0b, v1a-v1b, v2a-v2b
    d = srv.daemon([PXED, "-c", good, "-l", os.path.join(where, "leases"), "-i", "v0a",
                    "-i", "v1a", "-p", "1067", "-P", "5011", "-v"], name="pxed")
    d.wait_udp(1067)
    d.wait_udp(5011)
    ports = d.udp_ports()
    t.ok(67 not in ports and 4011 not in ports,
         "-p 1067 -P 5011: pxed listens on 1067 and 5011, not on 67 or 4011", str(sorted(ports)))

    socks = [client(c, "v%db" % i) for i, c in enumerate(clis)]
    got = [ask(s, ("255.255.255.255", 1067), 1, 0x100 + i) for i, s in enumerate(socks)]
    subnets = ["192.0.2.1", "198.51.100.1"]
    t.ok(all(g and g[1].get(53) == b"\x02" and g[0]["siaddr"] == subnets[i] and
             g[0]["file"] == "ipxe.efi" for i, g in enumerate(got[:2])),
         "-i v0a -i v1a: a proxy offer on each, from that interface's address",
         "%s%s" % (got[:2], d.tail()))
    t.ok(got[2] is None, "...and none on v2a, not named", "%s%s" % (got[2], d.tail()))
    t.ok(ask(socks[0], ("255.255.255.255", 67), 1, 0x200) is None,
         "a DISCOVER to port 67 is not answered", d.tail())
    for s in socks:
        s.close()

    s = client(clis[0], "v0b", port=4011, addr="192.0.2.2")
    r = ask(s, ("192.0.2.1", 5011), 3, 0x300, ciaddr="192.0.2.2")
    t.ok(r and r[1].get(53) == b"\x05" and r[0]["file"] == "ipxe.efi",
         "-P 5011: a REQUEST to the boot server on 5011 gets its ACK with the file",
         "%s%s" % (r, d.tail()))
    s.close()
    t.ok(d.stop() == 0, "pxed stops with status 0", d.tail())
t.done()
