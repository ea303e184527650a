#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# The default image boots under QEMU to init's ready line, runs with init as
# PID 1, has the tuned sysctls from .config applied, and powers off cleanly.
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from guest import Guest, GuestError, Tap, auto_mk  # noqa: E402

conf = auto_mk()
SYSCTLS = {
    "net.core.rmem_max": conf["CONFIG_SYSCTL_RMEM_MAX"],
    "net.core.wmem_max": conf["CONFIG_SYSCTL_WMEM_MAX"],
    "net.core.rmem_default": conf["CONFIG_SYSCTL_RMEM_DEFAULT"],
    "net.core.wmem_default": conf["CONFIG_SYSCTL_WMEM_DEFAULT"],
    "net.core.netdev_max_backlog": conf["CONFIG_SYSCTL_NETDEV_MAX_BACKLOG"],
    "net.ipv4.udp_mem": conf["CONFIG_SYSCTL_UDP_MEM"],
    "net.ipv4.udp_rmem_min": conf["CONFIG_SYSCTL_UDP_RMEM_MIN"],
    "net.ipv4.udp_wmem_min": conf["CONFIG_SYSCTL_UDP_WMEM_MIN"],
    "kernel.printk_devkmsg": "on",  # rootfs/skeleton/etc/sysctl.d/10-tern-kernel.conf
}
MOUNTS = [("proc", "/proc"), ("sysfs", "/sys"), ("devtmpfs", "/dev"),
          ("devpts", "/dev/pts"), ("tmpfs", "/dev/shm"), ("tmpfs", "/run"),
          ("tmpfs", "/tmp")]
APPLETS = ["sh", "mount", "ip", "ping", "udhcpc", "tftp", "sysctl", "ps",
           "dmesg", "vi", "poweroff", "reboot", "halt"]

t = Tap(8 + len(SYSCTLS) + len(MOUNTS))
with Guest() as g:
    try:
        ready = g.wait_ready(timeout=120)
        wall = time.monotonic() - g.started
        t.ok(True, "boots to the ready line (%.3f s after kernel start, "
             "%.2f s wall from QEMU start)" % (ready, wall))
        if not g.wait_shell():
            t.bail("debug shell did not answer")
    except GuestError as e:
        t.bail(e)

    st, out = g.sh("readlink /proc/1/exe")
    t.ok(st == 0 and out.strip() == "/sbin/init", "PID 1 is /sbin/init",
         "got %r" % out)

    st, out = g.sh("cat /proc/sys/kernel/hostname")
    t.ok(out.strip() == conf["CONFIG_HOSTNAME"],
         "hostname is CONFIG_HOSTNAME (%s)" % conf["CONFIG_HOSTNAME"],
         "got %r" % out)

    for key, want in SYSCTLS.items():
        st, out = g.sh("cat /proc/sys/" + key.replace(".", "/"))
        t.ok(st == 0 and out.split() == want.split(),
             "sysctl %s = %s" % (key, want), "got %r" % out)

    st, mounts = g.sh("cat /proc/mounts")
    for fstype, where in MOUNTS:
        t.ok(any(l.split()[1:3] == [where, fstype] for l in mounts.splitlines()
                 if len(l.split()) > 2),
             "%s mounted on %s" % (fstype, where), mounts)

    st, out = g.sh("stat -c '%n %a %U' / /root /tmp /etc/passwd")
    t.ok(out.split() == ["/", "755", "root", "/root", "700", "root", "/tmp", "1777", "root",
                         "/etc/passwd", "644", "root"],
         "modes and owners of /, /root, /tmp, /etc/passwd", out)

    st, out = g.sh("for a in %s; do command -v $a >/dev/null || echo missing $a; done"
                   % " ".join(APPLETS))
    t.ok(st == 0 and "missing" not in out, "BusyBox applets present", out)

    st, out = g.sh("test -e /proc/net/ip_mr_vif && test -e /proc/net/ip6_mr_vif && "
                   "test -e /proc/sys/net/ipv6/conf/all/forwarding")
    t.ok(st == 0, "kernel has IPv6 and IPv4/IPv6 multicast routing")

    # The state is the field after the parenthesised command name.
    st, out = g.sh("cat /proc/[0-9]*/stat 2>/dev/null | sed 's/.*) //' | cut -d' ' -f1 | grep -c Z")
    t.ok(out.strip() == "0", "no zombie processes", out)

    g.send("poweroff\n")
    t0 = time.monotonic()
    status = g.wait_exit(timeout=30)
    took = time.monotonic() - t0
    t.ok(status == 0, "poweroff ends QEMU with status 0 (%.2f s)" % took,
         "status %r; console tail:\n%s" % (status, g.tail()))
t.done()
