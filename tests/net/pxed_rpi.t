#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Raspberry Pi network-boot clients (app/pxed/rpi.h), at the packet level,
# from the published behaviour of the Pi's boot code: a scripted client
# sends the DISCOVER and REQUEST Raspberry Pi's network boot page
# (hardware/raspberrypi/bootmodes/net.md) shows a Pi 3 sending -- option
# 93 architecture 0, 94 1.2.1, 97, 60 "PXEClient:Arch:00000:UNDI:002001",
# 55 asking for 43, 60, 66, 67 -- from a Raspberry Pi MAC, and a Pi 4's
# (its OUI dc:a6:32, option 97 starting "RPi4").  pxed must answer it with
# option 60 "PXEClient", 97, 43 exactly as the page's captured reply
# (discovery control 3, prompt "PXE", boot menu item "Raspberry Pi Boot")
# and 66 naming the TFTP server, and no boot file, where a PC sending the
# very same options gets undionly.kpxe: in proxy mode, then in server mode
# (an address from the pool, OFFER and ACK).  The rpi line of pxed.conf,
# loaded by SIGHUP: `rpi off` makes the Pi a BIOS PXE client again, and
# `rpi on mac OUI pad 3` recognises only that OUI and pads the item with
# the three spaces old boot ROMs want.  Then the Pi's TFTP: from the
# server option 66 names, <serial>/start4.elf from a directory of its own;
# a Pi with no directory gets "file not found" for its prefixed name (so
# that it drops the prefix, as the Pi 4 bootloader does) and start4.elf
# from tftpd's root; and a remap rule serving every serial from one
# shared directory (app/tftpd/README.md#raspberry-pi-clients).
import os
import signal
import socket
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from dhcp_ns import PxedLab, Tap, options, packet, reply, require, tern_out  # noqa: E402
import tftpraw  # noqa: E402
from tftpd import Server  # noqa: E402

require()
if not os.access(tern_out("build", "app", "tftpd"), os.X_OK):
    print("1..0 # SKIP tftpd is not built (make apps)")
    sys.exit(0)

PI3, PI4, PC = "b8:27:eb:28:f6:6d", "dc:a6:32:01:36:c2", "52:54:00:00:02:64"
VENDOR = b"PXEClient:Arch:00000:UNDI:002001"
GUID_PI3 = bytes([0]) + bytes([0x44]) * 16   # the Pi 3 boot ROM's, as captured
GUID_PI4 = bytes([0]) + b"RPi4" + bytes.fromhex("1131c000320136c2effdfe9f")
# Option 43 of the reply net.md shows (dnsmasq, pxe-service=0,"Raspberry Pi Boot").
DOC43 = bytes([6, 1, 3, 10, 4, 0, 80, 88, 69, 9, 20, 0, 0, 17]) + b"Raspberry Pi Boot" + b"\xff"
PAD43 = DOC43[:10] + bytes([23, 0, 0, 20]) + b"Raspberry Pi Boot   " + b"\xff"
SERIAL = "9ffefdef"
# The compiled default (Kconfig PXED_RPI) is what a pxed.conf without an
# rpi line gets; make test's build has it on.
with open(tern_out("auto.mk")) as f:
    DEFAULT_ON = "CONFIG_PXED_RPI := y" in f.read().splitlines()
PROXY = "arch 0 file undionly.kpxe\narch 7,9 file ipxe.efi\nipxe file boot.ipxe\n" + \
    ("" if DEFAULT_ON else "rpi on\n")
SERVER = "mode server\npool 192.0.2.100 192.0.2.109\nrouter 192.0.2.1\narch 0 file undionly.kpxe\n" + \
    ("" if DEFAULT_ON else "rpi on\n")
t = Tap(13)


def pi_options(msg, guid, *more):
    """The Pi's options as net.md shows them, message type msg."""
    return options((53, bytes([msg])), (55, bytes([43, 60, 67, 128, 129, 130, 131, 132, 133, 134,
                                                  135, 66])),
                   (93, b"\x00\x00"), (94, b"\x01\x02\x01"), (97, guid), (60, VENDOR), *more)


def ask(s, mac, guid, xid, msg=1, *more):
    s.sendto(packet(pi_options(msg, guid, *more), xid=xid, mac=mac, flags=0),
             ("255.255.255.255", 67))
    return reply(s, xid) or (None, None)


def is_pi_answer(h, o, guid, tftp="192.0.2.1", o43=DOC43):
    """What rpi.h promises a Pi: 60, 97, 43, 66, siaddr, no file or sname."""
    return (h is not None and o.get(60) == b"PXEClient" and o.get(97) == guid
            and o.get(43) == o43 and o.get(66) == tftp.encode() and h["siaddr"] == tftp
            and h["file"] == "" and h["sname"] == "")


def reload(lab, text):
    with open(lab.conf, "w") as f:
        f.write(text)
    lab.pxed.signal(signal.SIGHUP)
    lab.pxed.expect(r"SIGHUP: .* reloaded")


with PxedLab(t, PROXY) as lab:
    s = lab.raw_socket()
    h, o = ask(s, PI3, GUID_PI3, 0x26f30339)
    t.ok(h and o.get(53) == b"\x02" and h["yiaddr"] == "0.0.0.0"
         and o.get(54) == socket.inet_aton("192.0.2.1") and is_pi_answer(h, o, GUID_PI3),
         "proxy: a Pi 3's DISCOVER gets an OFFER without an address: 60 PXEClient, 97 echoed, "
         "43 as Raspberry Pi's page shows it, 66 192.0.2.1, no file", str((h, o)))
    t.ok(lab.pxed.seen(r"DISCOVER from b8:27:eb:28:f6:6d on \S+ \(arch 0, Raspberry Pi\): "
                       r"proxy offer 0\.0\.0\.0$"),
         "proxy: pxed logs the answer as a Raspberry Pi's, with no file", lab.pxed.tail())
    h, o = ask(s, PC, GUID_PI3, 2)
    t.ok(h and h["file"] == "undionly.kpxe" and o.get(43) == bytes([6, 1, 8, 255])
         and 66 not in o,
         "proxy: a PC sending the very same options gets undionly.kpxe and PXE's own 43",
         str((h, o)))
    h, o = ask(s, PI4, GUID_PI4, 3)
    h2, o2 = ask(s, PC, GUID_PI4, 4)
    t.ok(is_pi_answer(h, o, GUID_PI4) and is_pi_answer(h2, o2, GUID_PI4),
         "proxy: a Pi 4, by its OUI and by its RPi4 option 97 alone, gets the Pi's answer",
         str((h, o, h2, o2)))

    reload(lab, PROXY + "rpi off\n")
    h, o = ask(s, PI3, GUID_PI3, 5)
    t.ok(h and h["file"] == "undionly.kpxe" and o.get(43) == bytes([6, 1, 8, 255]),
         "rpi off (SIGHUP): the Pi is a BIOS PXE client like any other", str((h, o)))
    reload(lab, PROXY + "rpi on mac DC:A6:32 pad 3\nnext-server 198.51.100.7\n")
    h, o = ask(s, PI4, GUID_PI3, 6)
    h2, o2 = ask(s, PI3, GUID_PI3, 7)
    t.ok(is_pi_answer(h, o, GUID_PI3, "198.51.100.7", PAD43)
         and h2 and h2["file"] == "undionly.kpxe",
         "rpi on mac dc:a6:32 pad 3: that OUI only, \"Raspberry Pi Boot\" and three spaces, "
         "66 the next-server", str((h, o, h2, o2)))
    h, o = ask(s, PI3, GUID_PI3, 8, 3, (54, socket.inet_aton("192.0.2.1")))
    t.ok(h is None, "proxy: the Pi's REQUEST is left to the site's DHCP server", str((h, o)))

with PxedLab(t, SERVER) as lab:
    s = lab.raw_socket()
    h, o = ask(s, PI3, GUID_PI3, 0x11)
    offered = h["yiaddr"] if h else "none"
    t.ok(h and o.get(53) == b"\x02" and offered.startswith("192.0.2.10")
         and o.get(1) == socket.inet_aton("255.255.255.0") and o.get(3) == socket.inet_aton("192.0.2.1")
         and is_pi_answer(h, o, GUID_PI3),
         "server: the Pi's DISCOVER gets an OFFER from the pool with netmask, router and the "
         "Pi's 60, 97, 43, 66, no file", str((h, o)))
    h, o = ask(s, PI3, GUID_PI3, 0x12, 3, (54, socket.inet_aton("192.0.2.1")),
               (50, socket.inet_aton(offered if h else "192.0.2.100")))
    t.ok(h and o.get(53) == b"\x05" and h["yiaddr"] == offered and is_pi_answer(h, o, GUID_PI3),
         "server: its REQUEST gets an ACK of that address with the same boot fields",
         str((h, o)) + lab.pxed.tail())
    h2, o2 = ask(s, PC, GUID_PI3, 0x13)
    t.ok(h2 and h2["file"] == "undionly.kpxe" and h2["yiaddr"] != offered,
         "server: a PC with the same options beside it: another address and undionly.kpxe",
         str((h2, o2)))
    s.close()

    # -- the Pi's TFTP, from the server its option 66 named ---------------
    tftp = o.get(66, b"192.0.2.1").decode() if o else "192.0.2.1"
    lab.cli.ip("addr", "add", offered + "/24", "dev", lab.cli.dev)
    root = lab.path("tftp")
    start4 = {SERIAL: os.urandom(70000), "shared": os.urandom(5000), "rpi": os.urandom(3000)}
    for rel, data in ((SERIAL + "/start4.elf", start4[SERIAL]), ("start4.elf", start4["shared"]),
                      ("rpi/start4.elf", start4["rpi"])):
        os.makedirs(os.path.dirname(os.path.join(root, rel)), exist_ok=True)
        with open(os.path.join(root, rel), "wb") as f:
            f.write(data)
    os.system("chmod -R a+rX '%s'" % root)
    srv = Server(lab.srv, root, "192.0.2.1").start()
    # The Pi's boot code asks with no options: 512-byte blocks, lockstep.
    got = tftpraw.get(lab.cli, tftp, SERIAL + "/start4.elf")
    t.ok(got.ok and got.data == start4[SERIAL],
         "TFTP: the Pi fetches %s/start4.elf, its own directory, from the server 66 named (%s)"
         % (SERIAL, tftp), "%r%s" % (got, srv.tail()))
    miss = tftpraw.get(lab.cli, tftp, "0123abcd/start4.elf")
    shared = tftpraw.get(lab.cli, tftp, "start4.elf")
    t.ok(not miss.ok and miss.error is not None and miss.error.code == 1
         and shared.ok and shared.data == start4["shared"],
         "TFTP: a Pi with no directory gets file not found (error 1) for 0123abcd/start4.elf, "
         "and start4.elf from the root when it drops the prefix", "%r %r%s" % (miss, shared, srv.tail()))
    srv.stop()
    remap = lab.path("tftpd.remap")
    with open(remap, "w") as f:
        f.write("# every Pi's serial-number directory is rpi/\nre ^[0-9a-f]{8}/ rpi/\n")
    os.chmod(remap, 0o644)
    srv = Server(lab.srv, root, "192.0.2.1", remap=remap).start()
    a = tftpraw.get(lab.cli, tftp, "0123abcd/start4.elf")
    b = tftpraw.get(lab.cli, tftp, SERIAL + "/start4.elf")
    t.ok(a.ok and b.ok and a.data == start4["rpi"] == b.data,
         "TFTP: with the remap rule `re ^[0-9a-f]{8}/ rpi/` every Pi's serial-prefixed name is "
         "served from the one shared directory rpi/", "%r %r%s" % (a, b, srv.tail()))
    srv.stop()
t.done()
