#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# The x86 appliance network-boots an arm64 client: the qemu_x86_64 image
# (pxed in server mode, tftpd) serves an AAVMF guest (QEMU virt, Debian's
# arm64 UEFI firmware, its own PXE over TFTP: DHCP architecture 11) the
# Tern arm64 image, and the client reaches its ready line.  The two QEMUs
# are joined by a -netdev socket link and nothing else (no user-mode
# networking): its UDP form, one datagram a frame, so that TFTP's small
# packets are not held back as on the TCP form (docs: OVMF's TFTP 25-50x
# slower there).
#
# The arm64 image is tern-arm64.efi, as an arm64 image serving itself
# names and makes it (rootfs/pxe.mk, images/uki.sh: Debian's arm64
# systemd-stub, the kernel, the first initramfs archive and a lab client's
# command line), here from the arm64 build `make test` makes
# (TERN_ARM_OUT, efi_arm64: a disk board, whose init looks for its disk
# for 10 s before it goes on).  It reaches the diskless x86 appliance the
# way a site adds its own files to an initramfs image without rebuilding
# it: an archive appended to the initramfs (guest.site_initrd(), as the
# image itself appends iPXE's loaders), with the lab's pxed.conf.  Not a
# second disk (qemu_x86_64's kernel has no block driver, and a kernel
# rebuild for a test is out), not a TFTP upload (tftpd's uploads are off
# in the image as built: TFTPD_UPLOAD), not the arm64 file built into the
# x86 image (every x86 image would carry an arm64 kernel it does not need).
#
# Checked: the client is ready; pxed offered it an address and
# tern-arm64.efi for architecture 11; tftpd sent the file whole to that
# address; the netbooted Tern runs on aarch64, took its own lease from
# pxed and started no server (tern.role=client).  The client's time from
# its QEMU's start to its ready line is printed, and the TFTP transfer's.
import os
import re
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from guest import Guest, GuestError, Tap, accel, free_ports, site_initrd  # noqa: E402

TOP = os.environ["TERN_TOP"]
ARM = os.environ.get("TERN_ARM_OUT", "")
AAVMF_CODE = "/usr/share/AAVMF/AAVMF_CODE.fd"
AAVMF_VARS = "/usr/share/AAVMF/AAVMF_VARS.fd"
APPLIANCE_MAC = "52:54:00:00:0c:01"
CLIENT_MAC = "52:54:00:00:0c:64"
CLIENT_TIMEOUT = 300
CONF = """mode server
pool 192.0.2.100 192.0.2.109
router 192.0.2.1
arch 0 file undionly.kpxe
arch 7,9 file ipxe.efi
arch 11 file tern-arm64.efi
ipxe file boot.ipxe
"""

if os.environ.get("TERN_BOARD") != "qemu_x86_64":
    print("1..0 # SKIP the appliance is the qemu_x86_64 board")
    sys.exit(0)
stubs = [os.path.join(root, f) for root, _, files in os.walk(os.path.join(ARM, "build"))
         for f in files if f == "linuxaa64.efi.stub"] if ARM else []
for path, why in ((AAVMF_CODE, "AAVMF (qemu-efi-aarch64, toolchain/host-packages)"),
                  (os.path.join(ARM, "images", "Image"), "the arm64 build's kernel (make test "
                   "builds it in TERN_ARM_OUT)"),
                  (stubs[0] if stubs else "linuxaa64.efi.stub", "arm64 systemd-stub (the arm64 "
                   "build's systemd-boot)")):
    if not os.path.exists(path):
        print("1..0 # SKIP %s is missing: %s" % (why, path))
        sys.exit(0)
t = Tap(6)


def aavmf_argv(tmp, port, peer):
    vars_path = os.path.join(tmp, "vars.fd")
    subprocess.run(["cp", "--sparse=always", AAVMF_VARS, vars_path], check=True)
    kind = accel("aarch64-uefi")
    return ["qemu-system-aarch64", "-machine", "virt,accel=" + kind,
            "-cpu", "host" if kind == "kvm" else "cortex-a72", "-m", "256", "-nographic",
            "-no-reboot", "-drive", "if=pflash,format=raw,unit=0,readonly=on,file=" + AAVMF_CODE,
            "-drive", "if=pflash,format=raw,unit=1,file=" + vars_path, "-nic", "none",
            "-netdev", "socket,id=n,udp=127.0.0.1:%d,localaddr=127.0.0.1:%d" % (peer, port),
            "-device", "virtio-net-pci,netdev=n,romfile=,bootindex=1,mac=" + CLIENT_MAC]


with tempfile.TemporaryDirectory() as tmp:
    uki = os.path.join(tmp, "tern-arm64.efi")
    subprocess.run([os.path.join(TOP, "images", "uki.sh"), stubs[0],
                    os.path.join(ARM, "images", "Image"),
                    os.path.join(ARM, "build", "rootfs-target.cpio.gz"),
                    "console=ttyAMA0 tern.role=client tern.ip=dhcp tern.debug_shell=1",
                    "Tern lab client", uki],
                   check=True, env=dict(os.environ, OBJCOPY="aarch64-linux-gnu-objcopy"))
    size = os.path.getsize(uki)
    os.environ["TERN_INITRD"] = site_initrd(tmp, [
        "dir /srv 0755 0 0", "dir /srv/tftp 0755 0 0",
        "file /srv/tftp/tern-arm64.efi %s 0644 0 0" % uki,
        "dir /etc 0755 0 0", "dir /etc/tern 0755 0 0",
    ], [("/etc/tern/pxed.conf", CONF)])
    app_port, cli_port = free_ports(2)
    link = ["-netdev", "socket,id=lab,udp=127.0.0.1:%d,localaddr=127.0.0.1:%d"
            % (cli_port, app_port), "-device", "virtio-net-pci,netdev=lab,mac=" + APPLIANCE_MAC]
    with Guest(cmdline="tern.hostname=appliance tern.iface=eth0 tern.ip=192.0.2.1/24",
               qemu_args=link) as app:
        try:
            app.wait_log(rb"pxed: server mode on ports 67 and 4011", timeout=120)
            app.wait_ready(timeout=60)
            print("# arm64_client: the appliance ready %.1f s after its QEMU started"
                  % (time.monotonic() - app.started), flush=True)
            if not app.wait_shell():
                t.bail("the appliance's debug shell did not answer")
        except GuestError as e:
            t.bail(e)
        mark = len(app.log)
        cli = Guest(argv=aavmf_argv(tmp, cli_port, app_port))
        with cli:
            try:
                cli.wait_ready(timeout=CLIENT_TIMEOUT)
                took = time.monotonic() - cli.started
                ready = True
                print("# arm64_client: AAVMF client, QEMU start to ready line %.1f s (%s)"
                      % (took, accel("aarch64-uefi")), flush=True)
            except GuestError as e:
                ready, took = False, 0
                why = "%s\nappliance console tail:\n%s" % (e, app.tail(3000))
            t.ok(ready, "an AAVMF arm64 client network-boots Tern from the x86 appliance over "
                 "-netdev socket and is ready%s" % (" %.1f s after its QEMU started" % took
                                                    if ready else ""), "" if ready else why)
            mac = re.escape(CLIENT_MAC).encode()
            try:
                offer = app.wait_log(rb"pxed: DISCOVER from %s on eth0 \(arch 11\): offer "
                                     rb"(192\.0\.2\.10\d), file tern-arm64\.efi" % mac, mark, 5)
            except GuestError:
                offer = None
            t.ok(offer, "pxed offered it an address and tern-arm64.efi for architecture 11",
                 app.tail(3000))
            addr = re.escape(offer.group(1)) if offer else rb"none"
            try:
                sent = app.wait_log(rb"tftpd: RRQ tern-arm64\.efi octet from %s:\d+: %d bytes in "
                                    rb"([0-9.]+) s" % (addr, size), mark, 5)
                print("# arm64_client: tftpd sent tern-arm64.efi (%d bytes) in %s s"
                      % (size, sent.group(1).decode()), flush=True)
            except GuestError:
                sent = None
            t.ok(sent, "tftpd sent tern-arm64.efi whole (%d bytes) to that address" % size,
                 app.tail(3000))
            st, out = cli.sh("uname -m; pidof pxed tftpd httpd || echo no-servers",
                             timeout=30) if ready else (1, "")
            t.ok(st == 0 and out.split() == ["aarch64", "no-servers"],
                 "the netbooted client runs on aarch64 and, as tern.role=client, serves no one",
                 out + cli.tail(2000))
            try:
                lease = cli.wait_log(rb"udhcpc: lease of (192\.0\.2\.10\d) obtained", timeout=60)
            except GuestError:
                lease = None
            t.ok(lease, "the netbooted Tern took its address from the appliance's pxed by DHCP",
                 cli.tail(2000))
        app.send("poweroff\n")
        t.ok(app.wait_exit(timeout=60) == 0, "the appliance powers off")
t.done()
