#!/usr/bin/python3
# The PXE lab, end to end: a Tern appliance guest (pxed in DHCP server
# mode, tftpd) network-boots a second QEMU guest that has no disk and no
# kernel, only QEMU's own iPXE NIC ROM (Debian's ipxe-qemu), over a
# `-netdev socket` link on 127.0.0.1.  The client gets a lease from pxed,
# iPXE (option 77 "iPXE") is handed the iPXE script, fetches the
# appliance's own bzImage and initramfs from tftpd, boots them and prints
# its ready line; the netbooted Tern then gets its address from pxed
# again with udhcpc.  Nothing else is on the link: no -netdev user, so
# QEMU's slirp BOOTP/TFTP cannot answer; pxed's and tftpd's logs on the
# appliance console must show the lease and every transfer.
#
# About 22 s under TCG from starting the client's QEMU to its ready line:
# 2 s of iPXE's Ctrl-B prompt, DHCP done in 0.1 s, then about 16 s of iPXE
# (Debian 12's 1.0.0+git-20190125) waiting for an IPv6 router that the
# lab link does not have before it calls the configuration done, 2 s for
# the TFTP transfers, 2 s for the client's kernel and init.
#
# The lab's files reach the appliance the way README's "PXE lab in five
# minutes" adds a site's own: a second gzipped cpio archive after the
# image's initramfs (the kernel unpacks both), holding /etc/tern/pxed.conf
# (server mode) and /srv/tftp.
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from guest import Guest, GuestError, Tap, accel, site_initrd  # noqa: E402

OUT = os.environ["TERN_OUT"]
KERNEL = os.environ["TERN_KERNEL"]
INITRD = os.environ["TERN_INITRD"]
APPLIANCE_MAC = "52:54:00:00:02:01"
CLIENT_MAC = "52:54:00:00:02:64"
CONF = """# pxe_lab.t: the appliance as the DHCP server of an isolated lab
mode server
pool 192.0.2.100 192.0.2.109
netmask 255.255.255.0
lease 600
router 192.0.2.1
arch 0 file undionly.kpxe
ipxe file boot.ipxe
"""
# ${next-server} is what pxed sent: the script works only if it came
# from pxed.
SCRIPT = """#!ipxe
echo pxe_lab: booting Tern from ${next-server}
kernel tftp://${next-server}/bzImage console=ttyS0 quiet panic=-1 tern.hostname=pxeclient tern.debug_shell=1
initrd tftp://${next-server}/rootfs.cpio.gz
boot
"""
CLIENT_TIMEOUT = 180


def free_tcp_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


t = Tap(12)

# The image as built: pxed is a service with a configuration pxed accepts.
with open(os.path.join(OUT, "target/etc/tern/services")) as f:
    services = f.read()
r = subprocess.run([os.path.join(os.environ["TERN_APPS"], "pxed"), "-t", "-c",
                    os.path.join(OUT, "target/etc/tern/pxed.conf")],
                   capture_output=True, text=True)
t.ok(re.search(r"(?m)^pxed respawn /usr/sbin/pxed -c /etc/tern/pxed\.conf ", services)
     and r.returncode == 0, "the image starts pxed from /etc/tern/services, and "
     "its generated pxed.conf passes pxed -t", services + r.stdout + r.stderr)

with tempfile.TemporaryDirectory() as tmp:
    # The README's recipe: a gzipped cpio after the image's own.
    appliance_initrd = site_initrd(tmp, [
        "dir /srv 0755 0 0",
        "dir /srv/tftp 0755 0 0",
        "file /srv/tftp/bzImage %s 0644 0 0" % KERNEL,
        "file /srv/tftp/rootfs.cpio.gz %s 0644 0 0" % INITRD,
        "dir /etc 0755 0 0",
        "dir /etc/tern 0755 0 0",
    ], [("/srv/tftp/boot.ipxe", SCRIPT), ("/etc/tern/pxed.conf", CONF)])
    os.environ["TERN_INITRD"] = appliance_initrd   # for the appliance's Guest only

    port = free_tcp_port()
    lab = ["-netdev", "socket,id=lab,listen=127.0.0.1:%d" % port,
           "-device", "virtio-net-pci,netdev=lab,mac=" + APPLIANCE_MAC]
    client_argv = ["qemu-system-x86_64", "-machine", "q35,accel=" + accel(), "-cpu", "max",
                   "-m", os.environ.get("TERN_MEMORY", "256"), "-nographic", "-no-reboot",
                   "-nic", "none", "-boot", "n",
                   "-netdev", "socket,id=lab,connect=127.0.0.1:%d" % port,
                   "-device", "virtio-net-pci,netdev=lab,mac=" + CLIENT_MAC]
    with Guest(cmdline="tern.hostname=appliance tern.iface=eth0 tern.ip=192.0.2.1/24",
               qemu_args=lab) as app:
        try:
            app.wait_log(rb"pxed: server mode on ports 67 and 4011", timeout=120)
            app.wait_ready(timeout=60)
            if not app.wait_shell():
                t.bail("the appliance's debug shell did not answer")
            st, out = app.sh("ip -4 addr show eth0; ls -l /srv/tftp")
            t.ok("inet 192.0.2.1/24" in out and "boot.ipxe" in out and "bzImage" in out,
                 "the appliance: eth0 192.0.2.1/24, pxed in server mode, the lab's "
                 "files in /srv/tftp", out)
        except GuestError as e:
            t.bail(e)

        assert not any("user" in a.split(",")[0] for a in lab + client_argv)
        mark = len(app.log)
        with Guest(argv=client_argv) as cli:
            try:
                ready = cli.wait_ready(timeout=CLIENT_TIMEOUT)
                took = time.monotonic() - cli.started
                t.ok(True, "the client network-boots Tern from the appliance: ready in "
                     "%.1f s from starting its QEMU (%.3f s on its own clock)" % (took, ready))
                print("# pxe_lab: client QEMU start to ready line %.1f s (%s)"
                      % (took, accel()), flush=True)
            except GuestError as e:
                t.ok(False, "the client network-boots Tern from the appliance",
                     "%s\nappliance console tail:\n%s" % (e, app.tail(3000)))
                t.bail("no client boot")

            # The appliance's console is read only now: wait_log reads on.
            mac = re.escape(CLIENT_MAC).encode()
            why = ""
            try:
                offer = app.wait_log(rb"pxed: DISCOVER from %s on eth0 \(arch 0, iPXE\): offer "
                                     rb"(192\.0\.2\.10\d), file boot\.ipxe" % mac, mark)
                ack = app.wait_log(rb"pxed: REQUEST from %s on eth0 \(arch 0, iPXE\): ack "
                                   rb"(192\.0\.2\.10\d), file boot\.ipxe" % mac, mark)
            except GuestError as e:
                offer = ack = None
                why = str(e)
            t.ok(offer and ack and offer.group(1) == ack.group(1),
                 "pxed: iPXE's DISCOVER offered, its REQUEST acknowledged, with the "
                 "script boot.ipxe", None if ack else why)
            leased = ack.group(1).decode() if ack else "none"
            why = ""
            for name, path in (("boot.ipxe", None), ("bzImage", KERNEL),
                               ("rootfs.cpio.gz", INITRD)):
                size = os.path.getsize(path) if path else len(SCRIPT)
                try:
                    app.wait_log(rb"tftpd: RRQ %s octet from %s:\d+: %d bytes in "
                                 % (re.escape(name).encode(), re.escape(leased).encode(), size),
                                 mark)
                except GuestError as e:
                    why += str(e) + "\n"
            t.ok(not why, "tftpd: boot.ipxe, bzImage and rootfs.cpio.gz sent whole to the "
                 "client's leased address", why)
            st, out = app.sh("cat /var/lib/pxed/leases")
            t.ok(re.search(r"(?m)^%s %s " % (re.escape(leased), CLIENT_MAC), out),
                 "the lease is in /var/lib/pxed/leases", out)

            try:
                if not cli.wait_shell():
                    t.bail("the client's debug shell did not answer")
                st, out = cli.sh("hostname; cat /proc/cmdline")
                t.ok("pxeclient" in out.split() and "tern.hostname=pxeclient" in out,
                     "the client runs the kernel command line of the iPXE script", out)
                m = cli.wait_log(rb"dhcp-eth0: udhcpc: lease of (192\.0\.2\.10\d) obtained",
                                 timeout=30)
                got = m.group(1).decode()
                t.ok(got == leased,
                     "the netbooted Tern's udhcpc gets the same address from pxed", got)
                app.wait_log(rb"pxed: REQUEST from %s on eth0 \(arch none \d+\): ack %s"
                             % (mac, re.escape(got).encode()), mark, timeout=10)
                t.ok(True, "pxed logs it (a client that is not PXE: no boot file)")
                # udhcpc logs the lease before its script has applied it.
                cli.sh("for i in $(seq 300); do ip -4 addr show eth0 | grep -q inet && "
                       "break; sleep 0.1; done", timeout=45)
                st, out = cli.sh("ping -c 1 -W 5 192.0.2.1", timeout=15)
                t.ok(st == 0, "the client reaches the appliance", out)
            except GuestError as e:
                t.bail(e)
            cli.send("poweroff\n")
            t.ok(cli.wait_exit(timeout=30) == 0, "the client powers off")
        app.send("poweroff\n")
        t.ok(app.wait_exit(timeout=30) == 0, "the appliance powers off")
t.done()
