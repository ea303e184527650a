#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# pxed and UEFI HTTP Boot clients (option 60 "HTTPClient..."), in proxy
# mode and in server mode: such a client gets option 60 "HTTPClient" and a
# URL in the file field (a name made http://SERVER/NAME by the
# http-server line, or a URL configured whole), and nothing of PXE's (no
# option 43, no 97, no "PXEClient"); a PXE client beside it still gets
# "PXEClient" and a name, never a URL, and iPXE its script over HTTP.
# BusyBox udhcpc as the HTTP Boot client (what its script is given), and
# DISCOVERs written here for the fields udhcpc does not show.
import os
import socket
import struct
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from dhcp_ns import PXE_VENDOR, PxedLab, Tap, options, packet, parse, require  # noqa: E402

require()
# What EDK2's HttpBootDxe sends for x64 (and 00019 on arm64).
HTTP_VENDOR = "HTTPClient:Arch:00016:UNDI:003000"
UUID = bytes([0]) + bytes(range(1, 17))
PROXY = """arch 0 file undionly.kpxe
arch 7,9 file ipxe.efi
arch 16 file tern.efi
arch 19 file http://198.51.100.7/arm64/tern.efi
ipxe file boot.ipxe
http-server http
"""
SERVER = """mode server
pool 192.0.2.100 192.0.2.109
router 192.0.2.1
arch 7,9 file ipxe.efi
arch 16 file /efi/tern.efi
http-server https boot.lab.example:8443
"""
t = Tap(14)


def discover(arch, vendor, *more, type=1):
    vc = vendor.replace("00016", "%05d" % arch).replace("00007", "%05d" % arch).encode()
    return options((53, bytes([type])), (60, vc), (93, struct.pack(">H", arch)), (97, UUID), *more)


def ask(s, data):
    s.sendto(data, ("255.255.255.255", 67))
    try:
        return parse(s.recvfrom(2048)[0])
    except socket.timeout:
        return None, None


def is_http_answer(h, o, url):
    """An answer as EDK2 wants it: HTTPClient, the URL, nothing of PXE."""
    return (h and o.get(60) == b"HTTPClient" and h["file"] == url and 43 not in o
            and 97 not in o and h["sname"] == "")


with PxedLab(t, PROXY) as lab:
    r = lab.udhcpc("-V", HTTP_VENDOR, "-x", "0x5d:0010", timeout=8)
    t.ok(r is None and lab.pxed.seen(r"DISCOVER from .* \(arch 16, HTTP\): proxy offer 0\.0\.0\.0, "
                                        r"file http://192\.0\.2\.1/tern\.efi$"),
         "proxy: udhcpc as a UEFI HTTP Boot client gets a proxy offer with the URL, no address",
         "%s%s" % (r, lab.pxed.tail()))

    lab.cli.ip("addr", "add", "192.0.2.2/24", "dev", lab.cli.dev)
    s = lab.raw_socket()
    h, o = ask(s, packet(discover(16, HTTP_VENDOR), xid=1))
    t.ok(h and h["op"] == 2 and h["xid"] == 1 and o.get(53) == b"\x02" and h["yiaddr"] == "0.0.0.0"
         and o.get(54) == socket.inet_aton("192.0.2.1"),
         "proxy: HTTPClient DISCOVER: an OFFER without an address, option 54 the server", str((h, o)))
    t.ok(is_http_answer(h, o, "http://192.0.2.1/tern.efi"),
         "proxy: option 60 HTTPClient, the URL http://192.0.2.1/tern.efi in the file field, "
         "no option 43, 97 or sname", str((h, o)))
    h, o = ask(s, packet(discover(19, HTTP_VENDOR.replace("00016", "00019")), xid=2))
    t.ok(is_http_answer(h, o, "http://198.51.100.7/arm64/tern.efi"),
         "proxy: arch 19 (arm64 HTTP): its URL as configured", str((h, o)))
    h, o = ask(s, packet(discover(0, PXE_VENDOR), xid=3))
    t.ok(h and o.get(60) == b"PXEClient" and h["file"] == "undionly.kpxe"
         and o.get(43) == bytes([6, 1, 8, 255]),
         "proxy: a BIOS PXE client beside it: PXEClient and the name, no URL", str((h, o)))
    h, o = ask(s, packet(discover(19, PXE_VENDOR), xid=4))
    t.ok(h is None, "proxy: a PXE client whose architecture's file is a URL: not answered",
         str((h, o)))
    h, o = ask(s, packet(discover(0, PXE_VENDOR, (77, b"iPXE")), xid=5))
    t.ok(h and o.get(60) == b"PXEClient" and h["file"] == "http://192.0.2.1/boot.ipxe",
         "proxy: iPXE gets its script as http://192.0.2.1/boot.ipxe", str((h, o)))
    h, o = ask(s, packet(discover(16, HTTP_VENDOR, (50, socket.inet_aton("192.0.2.2")), type=3), xid=6))
    t.ok(h is None, "proxy: the HTTP client's REQUEST is left to the site's DHCP server",
         str((h, o)))

with PxedLab(t, SERVER) as lab:
    r = lab.udhcpc("-V", HTTP_VENDOR, "-x", "0x5d:0010")
    t.ok(r and r.get("ip", "").startswith("192.0.2.1")
         and r.get("boot_file") == "https://boot.lab.example:8443/efi/tern.efi",
         "server: udhcpc as a UEFI HTTP Boot client: a lease and the https URL", str(r))
    t.ok(lab.pxed.seen(r"REQUEST from .* \(arch 16, HTTP\): ack 192\.0\.2\.1\d\d, "
                          r"file https://boot\.lab\.example:8443/efi/tern\.efi$"),
         "server: pxed logs the HTTP client's ack with the URL", lab.pxed.tail())
    s = lab.raw_socket()
    h, o = ask(s, packet(discover(16, HTTP_VENDOR), xid=7))
    t.ok(h and o.get(53) == b"\x02" and h["yiaddr"].startswith("192.0.2.1")
         and o.get(1) == socket.inet_aton("255.255.255.0"),
         "server: HTTPClient DISCOVER: an OFFER with an address from the pool", str((h, o)))
    t.ok(is_http_answer(h, o, "https://boot.lab.example:8443/efi/tern.efi"),
         "server: option 60 HTTPClient, the https URL, no option 43, 97 or sname", str((h, o)))
    h, o = ask(s, packet(discover(7, PXE_VENDOR), xid=8))
    t.ok(h and o.get(60) == b"PXEClient" and h["file"] == "ipxe.efi",
         "server: a UEFI PXE client beside it: PXEClient and the name ipxe.efi", str((h, o)))
    h, o = ask(s, packet(discover(16, PXE_VENDOR), xid=9))
    t.ok(h and o.get(60) == b"PXEClient" and h["file"] == "/efi/tern.efi",
         "server: a PXE client of arch 16 gets the name, never the URL", str((h, o)))
t.done()
