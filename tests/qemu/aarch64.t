#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# The arm64 build `make test` makes in $TERN_ARM_OUT (efi_arm64, whose
# kernel is qemu_aarch64's; cross-compiled), booted once directly as the
# qemu_aarch64 board boots (board/qemu_aarch64/qemu.sh: QEMU's virt
# machine, -kernel Image.gz -initrd), with a copy of its disk image as a
# virtio disk when the build is a disk board's: it reaches init's
# ready line, the kernel and the programs are arm64, init runs every
# service the build's own board runs (tftpd, pxed, relayd, httpd with the
# default configuration), and over a tap link this test makes in a
# network namespace of its own (lab 192.0.2.1, guest 192.0.2.10) curl
# fetches a file from the guest's tftpd and from its httpd, byte for byte.
# On an x86-64 host the guest runs under TCG (board/accel.sh).
import hashlib
import os
import re
import subprocess
import sys
import tempfile
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "lib"))
sys.path.insert(0, os.path.join(here, "..", "net", "lib"))
from guest import Guest, GuestError, Tap, use_build  # noqa: E402
from netns import Net, require_root  # noqa: E402

require_root()
ARM_OUT = os.environ.get("TERN_ARM_OUT", "")
own_services = os.path.join(os.environ["TERN_OUT"], "target", "etc", "tern", "services")


def service_names(text):
    return sorted(l.split()[0] for l in text.splitlines() if l.strip() and not l.startswith("#"))


with open(own_services) as f:
    want = service_names(f.read())
t = Tap(6 + len(want))
if not os.path.exists(os.path.join(ARM_OUT, "images", "rootfs.cpio.gz")):
    t.bail("no arm64 image in TERN_ARM_OUT=%r: make test builds it "
           "(or make BOARD=efi_arm64)" % ARM_OUT)
conf = use_build(ARM_OUT)
board = os.path.join(os.environ["TERN_TOP"], "board", "qemu_aarch64", "qemu.sh")

with Net() as net, tempfile.TemporaryDirectory() as tmp:
    disk = []
    if conf.get("CONFIG_BOOT_EFI_DISK") == "y":
        # init looks for its disk (and would wait for it) on a disk board.
        subprocess.run(["cp", "--sparse=always", os.path.join(ARM_OUT, "images", "disk.img"),
                        os.path.join(tmp, "disk.img")], check=True)
        disk = ["-drive", "if=none,id=d,format=raw,file=" + os.path.join(tmp, "disk.img"),
                "-device", "virtio-blk-pci,drive=d"]
    lab = net.ns("lab")
    lab.ip("tuntap", "add", "dev", "tap0", "mode", "tap")
    lab.ip("addr", "add", "192.0.2.1/24", "dev", "tap0")
    lab.ip("link", "set", "tap0", "up")
    qemu = lab.argv([board, "-netdev", "tap,id=n0,ifname=tap0,script=no,downscript=no",
                     "-device", "virtio-net-pci,netdev=n0"] + disk)
    with Guest(cmdline="tern.iface=eth0 tern.ip=192.0.2.10/24", argv=qemu) as g:
        try:
            ready = g.wait_ready(timeout=240)
            wall = time.monotonic() - g.started
            t.ok(True, "%s boots to the ready line (%.3f s after kernel start, "
                 "%.2f s wall from QEMU start)" % (conf["CONFIG_BOARD_NAME"], ready, wall))
            if not g.wait_shell(timeout=60):
                t.bail("debug shell did not answer")
        except GuestError as e:
            t.bail(e)

        st, out = g.sh("uname -m; head -c 20 /usr/sbin/tftpd | tail -c 2 | od -b")
        # e_machine, little-endian: 183 (octal 267) is EM_AARCH64.
        t.ok(out.split()[:4] == ["aarch64", "0000000", "267", "000"],
             "the kernel is aarch64 and tftpd's ELF header says EM_AARCH64", out)

        st, out = g.sh("cat /etc/tern/services")
        got = service_names(out)
        t.ok(st == 0 and got == want,
             "its services are the build's own board's: %s" % " ".join(want),
             "got %s" % got)
        st, ps = g.sh("ps")
        for name in want:
            # BusyBox ps: PID USER VSZ STAT COMMAND
            t.ok(re.search(r"(?m)^\s*\d+ .* /usr/sbin/%s\b" % name, ps),
                 "init started %s, and it runs" % name, ps)

        st, out = g.sh("dd if=/dev/urandom of=/srv/tftp/blob bs=1024 count=1000 2>/dev/null"
                       " && chmod 644 /srv/tftp/blob && sha256sum /srv/tftp/blob", timeout=30)
        m = re.search(r"\b([0-9a-f]{64})  /srv/tftp/blob", out)
        blob = m.group(1) if st == 0 and m else "(no file: %s)" % out
        for proto, opts in (("tftp", ["--tftp-blksize", "1468"]), ("http", [])):
            dest = os.path.join(tmp, "blob." + proto)
            r = lab.run(["curl", "-sS", "--max-time", "60", "-o", dest] + opts +
                        ["%s://192.0.2.10/blob" % proto], timeout=90)
            got = hashlib.sha256(open(dest, "rb").read()).hexdigest() \
                if r.returncode == 0 else r.stderr
            t.ok(got == blob, "curl in the lab namespace fetches a 1000 KiB file "
                 "from the guest's %sd over the tap link" % proto,
                 "got %s, want %s" % (got, blob))

        g.send("poweroff\n")
        status = g.wait_exit(timeout=60)
        t.ok(status == 0, "poweroff ends QEMU with status 0 (PSCI)",
             "status %r; console tail:\n%s" % (status, g.tail()))
t.done()
