#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# init configures the network of the booted image: with a virtio NIC on
# QEMU's user network, a static address, gateway and MTU from the kernel
# command line (tern.ip=, tern.gw=, tern.mtu=) are applied; with
# tern.ip=dhcp, BusyBox udhcpc runs as the service dhcp-eth0 and its lease
# (address, default route, DNS server) is applied by our udhcpc script.
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from guest import Guest, GuestError, Tap  # noqa: E402

NIC = ["-netdev", "user,id=n0", "-device", "virtio-net-pci,netdev=n0"]

t = Tap(7)
with Guest(cmdline="tern.iface=eth0 tern.ip=192.0.2.10/24,2001:db8::10/64 "
           "tern.gw=192.0.2.1 tern.mtu=1400", qemu_args=NIC) as g:
    try:
        g.wait_log(rb"init: eth0: 192\.0\.2\.10/24 2001:db8::10/64 via 192\.0\.2\.1, "
                   rb"mtu 1400, carrier up", timeout=120)
        t.ok(True, "static: init logs eth0's address, gateway, MTU and carrier")
        g.wait_ready(timeout=60)
        if not g.wait_shell():
            t.bail("debug shell did not answer")
    except GuestError as e:
        t.bail(e)
    st, out = g.sh("ip addr show dev eth0")
    t.ok("inet 192.0.2.10/24" in out and "inet6 2001:db8::10/64" in out
         and "mtu 1400" in out and "UP" in out,
         "tern.ip= and tern.mtu= are applied to eth0", out)
    st, out = g.sh("ip route show default")
    t.ok(out.split()[:5] == ["default", "via", "192.0.2.1", "dev", "eth0"],
         "tern.gw= is the default route", out)
    t.ok(b"dhcp-eth0" not in g.log, "no DHCP client runs", g.tail())
    g.send("poweroff\n")
    g.wait_exit(30)

with Guest(cmdline="tern.iface=eth0 tern.ip=dhcp", qemu_args=NIC) as g:
    try:
        g.wait_log(rb"init: started dhcp-eth0 \(pid \d+\)", timeout=120)
        t.ok(True, "dhcp: init starts udhcpc as the service dhcp-eth0")
        g.wait_ready(timeout=60)
        if not g.wait_shell():
            t.bail("debug shell did not answer")
        g.wait_log(rb"dhcp-eth0: udhcpc: lease of 10\.0\.2\.15 obtained", timeout=30)
        # udhcpc says so before its script has applied the lease
        deadline = time.monotonic() + 10
        while "via" not in g.sh("ip route show default")[1] and time.monotonic() < deadline:
            time.sleep(0.1)
    except GuestError as e:
        t.bail(e)
    st, addr = g.sh("ip -4 addr show dev eth0")
    st, route = g.sh("ip route show default")
    t.ok("inet 10.0.2.15/24" in addr and "via 10.0.2.2 dev eth0" in route,
         "the lease gives eth0 10.0.2.15/24 and the default route via 10.0.2.2",
         addr + route)
    st, out = g.sh("cat /etc/resolv.conf")
    t.ok("nameserver 10.0.2.3" in out, "and the DNS server in /etc/resolv.conf", out)
    g.send("poweroff\n")
    g.wait_exit(30)
t.done()
