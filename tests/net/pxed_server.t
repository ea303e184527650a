#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# pxed in server mode, with BusyBox udhcpc and ISC dhclient as clients:
# a lease from the pool with router, DNS, domain and lease time; the boot
# file by architecture and the iPXE script for an iPXE client; renewal and
# release (dhclient); a static host by MAC; the lease file after kill -9,
# read back by a new pxed; malformed packets counted and dropped; SIGHUP
# with a bad file keeps the running configuration.
import os
import signal
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from dhcp_ns import MAC, PXE_VENDOR, PxedLab, Tap, options, packet, require  # noqa: E402

require()
CONF = """# pxed_server.t
mode server
pool 192.0.2.100 192.0.2.109
router 192.0.2.1
dns 192.0.2.1 198.51.100.53
domain lab.example
lease 600
arch 0 file pxelinux.0
arch 7,9 file ipxe.efi
ipxe file boot.ipxe
"""
POOL = ["192.0.2.%d" % i for i in range(100, 110)]
t = Tap(16)


def lease_lines(lab):
    with open(lab.leases) as f:
        return [line.split() for line in f if line.strip()]


with PxedLab(t, CONF) as lab:
    r = lab.udhcpc()
    t.ok(r and r["ip"] in POOL and r.get("subnet") == "255.255.255.0", "udhcpc: a lease from the pool",
         "%s%s" % (r, lab.pxed.tail()))
    t.ok(r and r.get("router") == "192.0.2.1" and r.get("dns", "").split() == ["192.0.2.1", "198.51.100.53"]
         and r.get("domain") == "lab.example" and r.get("lease") == "600"
         and r.get("serverid") == "192.0.2.1", "udhcpc: router, DNS, domain, lease time, server id",
         str(r))
    t.ok(r and not r.get("boot_file"), "a client that is not PXE gets no boot file", str(r))
    first = r["ip"] if r else None

    r = lab.udhcpc("-V", PXE_VENDOR, "-x", "0x5d:0007")
    t.ok(r and r.get("boot_file") == "ipxe.efi" and r.get("siaddr") == "192.0.2.1",
         "udhcpc as a UEFI x64 PXE client: ipxe.efi from 192.0.2.1", str(r))
    r = lab.udhcpc("-V", PXE_VENDOR.replace("00007", "00000"), "-x", "0x5d:0000")
    t.ok(r and r.get("boot_file") == "pxelinux.0", "udhcpc as a BIOS PXE client: pxelinux.0", str(r))
    r = lab.udhcpc("-V", PXE_VENDOR, "-x", "0x5d:0007", "-x", "0x4d:69505845")
    t.ok(r and r.get("boot_file") == "boot.ipxe" and r["ip"] == first,
         "udhcpc as iPXE (option 77 iPXE): boot.ipxe, not ipxe.efi again; same address", str(r))

    ev, res = lab.dhclient()
    bound = [e for e in ev if e["event"] in ("BOUND", "REBOOT")]
    t.ok(bound and bound[-1].get("new_ip_address") == first,
         "dhclient: the same client (same MAC) gets the same address",
         "%s\n%s%s" % (ev, res.stderr[-800:], lab.pxed.tail()))
    ev, res = lab.dhclient()
    t.ok([e for e in ev if e["event"] == "REBOOT" and e.get("new_ip_address") == first],
         "dhclient again with its lease file: INIT-REBOOT request acknowledged", str(ev))
    addrs = [line[0] for line in lease_lines(lab)]
    t.ok(first in addrs, "the lease is in the lease file", str(addrs))
    lab.cli.run(["ip", "addr", "add", first + "/24", "dev", lab.cli.dev])
    ev, res = lab.dhclient("-r")
    released = lab.pxed.seen(r"RELEASE from .*: released " + first.replace(".", r"\."))
    t.ok(released and first not in [line[0] for line in lease_lines(lab)],
         "dhclient -r: released, and gone from the lease file", "%s%s" % (ev, lab.pxed.tail()))

    # Malformed packets, each counted by its cause and dropped.
    s = lab.raw_socket()
    bad = {
        "shorter than a DHCP header": packet(b"")[:200],
        "bad magic cookie": packet(options((53, b"\x01")), cookie=False),
        "option overruns the packet": packet(bytes([53, 1, 1, 12, 40, 65])),
        "options not ended by 255": packet(bytes([53, 1, 1, 0, 0])),
        "hardware address length not 6": packet(options((53, b"\x01")), hlen=16),
    }
    for data in bad.values():
        s.sendto(data, ("255.255.255.255", 67))
    # Counted once pxed has read them: ask until it has, 5 s at most.
    deadline = time.monotonic() + 5
    while True:
        st = lab.stats()
        if all(st.get("bad: " + k) for k in bad) or time.monotonic() >= deadline:
            break
        time.sleep(0.05)
    t.ok(all(st.get("bad: " + k) == 1 for k in bad), "malformed packets counted by cause",
         "%s%s" % (st, lab.pxed.tail()))
    t.ok(lab.udhcpc() is not None, "and the server still answers")

    # A static host.
    with open(lab.conf, "a") as f:
        f.write("host %s file special.efi address 192.0.2.50\n" % MAC)
    lab.pxed.signal(signal.SIGHUP)
    lab.pxed.expect("SIGHUP: .* reloaded", 3)
    r = lab.udhcpc()
    t.ok(r and r["ip"] == "192.0.2.50" and r.get("boot_file") == "special.efi",
         "SIGHUP: a static host by MAC gets its address and file", str(r))
    with open(lab.conf, "a") as f:
        f.write("pool 192.0.2.200 192.0.2.201 gateway 192.0.2.1\n")
    lab.pxed.signal(signal.SIGHUP)
    lab.pxed.expect(r"pxed.conf:\d+: gateway: expected netmask, router", 3)
    r = lab.udhcpc()
    t.ok(r and r["ip"] == "192.0.2.50", "SIGHUP with a bad line: file:line, old config kept", str(r))

    # kill -9 while leases are written; the file is whole, a new pxed reads it.
    lab.write(lab.conf, CONF)
    lab.pxed.signal(signal.SIGHUP)
    lab.pxed.expect("SIGHUP: .* reloaded", 3)
    r = lab.udhcpc()
    lab.pxed.signal(signal.SIGKILL)
    lab.pxed.proc.wait(5)
    lines = lease_lines(lab)
    t.ok(r and lines and all(len(x) == 4 for x in lines) and r["ip"] in [x[0] for x in lines]
         and not os.path.exists(lab.leases + ".tmp"),
         "after kill -9 the lease file is whole and holds the lease", "%s %s" % (r, lines))
    lab.start()
    lab.pxed.expect(r"1 lease\(s\) read", 3)
    r2 = lab.udhcpc("-x", "0x3d:01" + MAC.replace(":", ""), "-C")
    t.ok(r and r2 and r2["ip"] == r["ip"], "a new pxed reads it: the client keeps its address",
         "%s %s%s" % (r, r2, lab.pxed.tail()))
t.done()
