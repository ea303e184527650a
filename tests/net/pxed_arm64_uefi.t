#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# An arm64 UEFI PXE client (QEMU virt with AAVMF, Debian's arm64 UEFI
# firmware, its own PXE over TFTP: DHCP architecture 11) network-boots
# Tern from pxed and tftpd: on a tap in a network namespace, pxed in server
# mode hands it an address and, for arch 11, tern-arm64.efi, which tftpd
# serves; the client must print its ready line.
#
# tern-arm64.efi is what an arm64 image with PXE_SERVE_TERN serves (rootfs/
# pxe.mk): a unified kernel image of Debian's arm64 systemd-stub, the arm64
# build's kernel (Image) and initramfs, and the command line of a lab client
# (tern.role=client tern.ip=dhcp), made here with images/uki.sh from the
# arm64 build `make test` makes (TERN_ARM_OUT).  That build is a disk
# board's, whose init looks for its disk for 10 s before it goes on.
import glob
import os
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from netns import Net, NetError, Tap, require_root, skip_all, tern_out  # noqa: E402

TOP = os.environ.get("TERN_TOP") or os.path.abspath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
ARM = os.environ.get("TERN_ARM_OUT") or tern_out("efi_arm64")
AAVMF_CODE = "/usr/share/AAVMF/AAVMF_CODE.fd"
AAVMF_VARS = "/usr/share/AAVMF/AAVMF_VARS.fd"
MAC = "52:54:00:00:0a:64"
BOOT_TIMEOUT = 240

require_root()
stubs = glob.glob(os.path.join(ARM, "build", "systemd-boot-*", "usr", "lib", "systemd", "boot",
                               "efi", "linuxaa64.efi.stub"))
for path, why in ((AAVMF_CODE, "AAVMF (apt-get install qemu-efi-aarch64)"),
                  (os.path.join(ARM, "images", "Image"), "the arm64 build's kernel (make BOARD=efi_arm64)"),
                  (stubs[0] if stubs else "linuxaa64.efi.stub", "arm64 systemd-stub (make BOARD=efi_arm64)"),
                  (tern_out("build", "app", "pxed"), "pxed (make apps)"),
                  (tern_out("build", "app", "tftpd"), "tftpd (make apps)")):
    if not os.path.exists(path):
        skip_all("%s is missing: %s" % (why, path))
if subprocess.call(["sh", "-c", "command -v qemu-system-aarch64"], stdout=subprocess.DEVNULL) != 0:
    skip_all("qemu-system-aarch64 is not installed")
ACCEL = subprocess.run([os.path.join(TOP, "board", "accel.sh"), "aarch64-uefi"],
                       capture_output=True, text=True, check=True).stdout.strip()
t = Tap(4)

with Net() as net, tempfile.TemporaryDirectory() as tmp:
    os.chmod(tmp, 0o755)
    root = os.path.join(tmp, "srv")
    os.mkdir(root)
    uki = os.path.join(root, "tern-arm64.efi")
    subprocess.run([os.path.join(TOP, "images", "uki.sh"), stubs[0],
                    os.path.join(ARM, "images", "Image"),
                    os.path.join(ARM, "build", "rootfs-target.cpio.gz"),
                    "console=ttyAMA0 tern.role=client tern.ip=dhcp", "Tern lab client", uki],
                   check=True, env=dict(os.environ, OBJCOPY="aarch64-linux-gnu-objcopy"))
    os.chmod(uki, 0o644)
    lab = net.ns("lab")
    lab.ip("tuntap", "add", "dev", "tap0", "mode", "tap")
    lab.ip("addr", "add", "192.0.2.1/24", "dev", "tap0")
    lab.ip("link", "set", "tap0", "up")
    tftpd = lab.daemon([tern_out("build", "app", "tftpd"), "-f", "-v", "-r", root], name="tftpd")
    tftpd.wait_udp(69)
    conf = os.path.join(tmp, "pxed.conf")
    with open(conf, "w") as f:
        f.write("mode server\npool 192.0.2.100 192.0.2.109\nrouter 192.0.2.1\n"
                "arch 11 file tern-arm64.efi\n")
    pxed = lab.daemon([tern_out("build", "app", "pxed"), "-c", conf, "-l",
                       os.path.join(tmp, "leases"), "-i", "tap0", "-v", "-u", "root"],
                      name="pxed")
    pxed.wait_udp(67)

    vars_path = os.path.join(tmp, "vars.fd")
    subprocess.run(["cp", "--sparse=always", AAVMF_VARS, vars_path], check=True)
    cpu = "host" if ACCEL == "kvm" else "cortex-a72"
    q = lab.daemon(["qemu-system-aarch64", "-machine", "virt,accel=" + ACCEL, "-cpu", cpu,
                    "-m", "256", "-nographic", "-no-reboot",
                    "-drive", "if=pflash,format=raw,unit=0,readonly=on,file=" + AAVMF_CODE,
                    "-drive", "if=pflash,format=raw,unit=1,file=" + vars_path,
                    "-nic", "none", "-netdev", "tap,id=n,ifname=tap0,script=no,downscript=no",
                    "-device", "virtio-net-pci,netdev=n,romfile=,bootindex=1,mac=" + MAC],
                   name="aavmf")
    try:
        q.expect(r"tern: ready in [0-9.]+ s", BOOT_TIMEOUT)
        took = time.monotonic() - q.started
        t.ok(True, "an AAVMF PXE client boots tern-arm64.efi from pxed and tftpd and is ready "
             "%.1f s after its QEMU started (%s)" % (took, ACCEL))
    except NetError as e:
        t.ok(False, "an AAVMF PXE client boots tern-arm64.efi from pxed and tftpd and is ready",
             "%s\n%s\n%s" % (e, pxed.tail(), tftpd.tail()))
    m = pxed.seen(r"DISCOVER from %s on tap0 \(arch 11\): offer (192\.0\.2\.10\d), "
                     r"file tern-arm64\.efi$" % MAC)
    t.ok(m, "pxed offered it an address and tern-arm64.efi for architecture 11", pxed.tail())
    t.ok(tftpd.seen(r"tern-arm64\.efi"), "tftpd sent it tern-arm64.efi", tftpd.tail())
    # udhcpc starts with the ready line: its lease comes after it.
    try:
        leased = q.expect(r"lease of 192\.0\.2\.10\d obtained", 60)
    except NetError:
        leased = None
    t.ok(leased, "Tern on the client took its address from pxed by DHCP (udhcpc)", q.tail())
    q.stop()
t.done()
