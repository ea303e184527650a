#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# pxed in proxy mode (the default), next to a site DHCP server it does not
# replace: only PXE clients (option 60 PXEClient and option 93) are
# answered, with no address (yiaddr 0); BIOS clients get option 43 with
# discovery control 8 and the file; UEFI clients get siaddr, sname and the
# file without option 43, then an ACK on port 4011; option 97 is mirrored;
# an iPXE client gets the script.  Real clients (BusyBox udhcpc) and a
# client written here for the fields udhcpc does not show.
import os
import socket
import struct
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from dhcp_ns import PXE_VENDOR, PxedLab, Tap, options, packet, parse, require  # noqa: E402

require()
CONF = """arch 0 file pxelinux.0
arch 7,9 file ipxe.efi
ipxe file http://192.0.2.1/boot.ipxe
"""
UUID = bytes([0]) + bytes(range(1, 17))
t = Tap(11)


def pxe_opts(arch, *more, type=1):
    vc = PXE_VENDOR.replace("00007", "%05d" % arch).encode()
    return options((53, bytes([type])), (60, vc), (93, struct.pack(">H", arch)), (97, UUID), *more)


def ask(s, data, to=("255.255.255.255", 67)):
    s.sendto(data, to)
    try:
        return parse(s.recvfrom(2048)[0])
    except socket.timeout:
        return None, None


with PxedLab(t, CONF) as lab:
    r = lab.udhcpc(timeout=8)
    t.ok(r is None and not lab.pxed.matches("offer"), "udhcpc, not PXE: not answered")
    r = lab.udhcpc("-V", PXE_VENDOR, "-x", "0x5d:0007", timeout=8)
    t.ok(r is None and lab.pxed.seen(r"DISCOVER .*arch 7\): proxy offer 0\.0\.0\.0, file ipxe\.efi"),
         "udhcpc as a UEFI PXE client: a proxy offer with the file, and no address",
         "%s%s" % (r, lab.pxed.tail()))

    lab.cli.ip("addr", "add", "192.0.2.2/24", "dev", lab.cli.dev)
    s = lab.raw_socket()
    h, o = ask(s, packet(pxe_opts(0), xid=1))
    t.ok(h and h["op"] == 2 and h["xid"] == 1 and h["yiaddr"] == "0.0.0.0" and o.get(53) == b"\x02",
         "BIOS DISCOVER: an OFFER without an address", str((h, o)))
    t.ok(h and o.get(60) == b"PXEClient" and o.get(97) == UUID and o.get(54) == socket.inet_aton("192.0.2.1"),
         "option 60 PXEClient, 97 mirrored, 54 the server", str(o))
    t.ok(h and o.get(43) == bytes([6, 1, 8, 255]) and h["file"] == "pxelinux.0"
         and h["siaddr"] == "192.0.2.1", "BIOS: option 43 discovery control 8, pxelinux.0 from 192.0.2.1",
         str((h, o)))
    h, o = ask(s, packet(pxe_opts(7), xid=2))
    t.ok(h and 43 not in o and h["file"] == "ipxe.efi" and h["sname"] == "192.0.2.1"
         and h["siaddr"] == "192.0.2.1", "UEFI: file and sname, no option 43 (so it asks on 4011)",
         str((h, o)))
    h, o = ask(s, packet(pxe_opts(7, type=3), xid=3, ciaddr="192.0.2.2", flags=0), ("192.0.2.1", 4011))
    t.ok(h and o.get(53) == b"\x05" and h["file"] == "ipxe.efi" and o.get(43) == bytes([6, 1, 8, 255])
         and o.get(97) == UUID, "port 4011: REQUEST gets an ACK with the file", str((h, o)))
    item = bytes([71, 4, 0x80, 0x00, 0, 0, 255])
    h, o = ask(s, packet(pxe_opts(7, (43, item), type=3), xid=4, ciaddr="192.0.2.2", flags=0),
               ("192.0.2.1", 4011))
    t.ok(h and o.get(43) == bytes([71, 4, 0x80, 0, 0, 0, 255]), "port 4011: the boot item echoed",
         str((h, o)))
    h, o = ask(s, packet(pxe_opts(7, (175, b"\xb1\x01\x01")), xid=5))
    t.ok(h and h["file"] == "http://192.0.2.1/boot.ipxe", "iPXE (option 175): the script URL",
         str((h, o)))
    h, o = ask(s, packet(pxe_opts(7, (50, socket.inet_aton("192.0.2.2")), type=3), xid=6))
    t.ok(h is None, "REQUEST on port 67: left to the site's DHCP server")
    h, o = ask(s, packet(pxe_opts(11), xid=7))
    # No answer is no sign that pxed has read it yet: ask until counted.
    deadline = time.monotonic() + 5
    while not lab.stats().get("no boot file for it") and time.monotonic() < deadline:
        time.sleep(0.05)
    t.ok(h is None and lab.stats().get("no boot file for it") == 1,
         "an architecture with no file: not answered, counted")
t.done()
