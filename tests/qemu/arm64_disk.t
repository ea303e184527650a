#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# The arm64 UEFI board, efi_arm64 (built by `make test` in $TERN_ARM_OUT),
# its disk image booted by AAVMF (Debian's arm64 UEFI firmware) on QEMU's
# virt machine, one guest through its reboots:
#   - AAVMF finds systemd-boot (EFI/BOOT/BOOTAA64.EFI) on the disk with no
#     boot entry in its NVRAM, systemd-boot boots slot A (arm64 systemd-stub,
#     the kernel's EFI stub) to the ready line, init mounts the ESP and the
#     data partition and reads which slot booted from the firmware;
#   - fallback: an update whose kernel panics, its tries cut to one, is
#     booted once, then systemd-boot boots slot A again;
#   - a signed update from slot A goes to slot B, which boots on trial and
#     is marked good.
# Bundles are signed on the host with the arm64 build's tfw and key (slot
# images built like slot.efi, with a debug shell); the guest reads them
# from a second virtio disk.  The wall times under TCG are reported.
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from guest import GuestError, Tap, accel  # noqa: E402
from disk import Disk, run  # noqa: E402
from disk import boot_to_shell as boot  # noqa: E402

ARM_OUT = os.environ.get("TERN_ARM_OUT", "")
t = Tap(9)
if not os.path.exists(os.path.join(ARM_OUT, "images", "disk.img")):
    t.bail("no efi_arm64 disk image in TERN_ARM_OUT=%r: make test builds it "
           "(or make BOARD=efi_arm64)" % ARM_OUT)

with Disk(ARM_OUT) as d:
    conf = d.conf
    tfw = os.path.join(d.out, "host", "bin", "tfw")
    key = conf.get("CONFIG_FIRMWARE_SIGNING_KEY", "") or \
        os.path.join(d.top, "keys", "dev-signing-key.pem")
    bdir = os.path.join(d.dir, "bundles")
    os.mkdir(bdir)

    def sign(payload, name):
        run(tfw, "sign", "-k", key, "-b", conf["CONFIG_BOARD_NAME"],
            "-V", conf["CONFIG_FIRMWARE_VERSION"], payload, os.path.join(bdir, name))

    d.put(d.slot_image("a.efi"), "tern-1-a.efi")
    sign(d.slot_image("b.efi", "tern.hostname=slot-b"), "b.tfw")
    # rdinit names nothing: the kernel finds no init and panics, panic=-1
    # reboots at once.
    sign(d.slot_image("panic.efi", "rdinit=/no/such/init panic=-1"), "panic.tfw")
    bundles = os.path.join(d.dir, "bundles.img")
    run("mkfs.ext4", "-q", "-F", "-L", "bundles", "-d", bdir, "-E", "root_owner=0:0",
        bundles, "%dM" % ((sum(os.path.getsize(os.path.join(bdir, f))
                               for f in os.listdir(bdir)) >> 20) + 16))
    extra = ["-drive", "if=none,id=b,format=raw,readonly=on,file=" + bundles,
             "-device", "virtio-blk-pci,drive=b"]

    def boot_to_shell(g, slot, since):
        return boot(g, t, slot, since)

    with d.boot(extra) as g:
        try:
            slot, name = boot_to_shell(g, "A", 0)
            wall = time.monotonic() - g.started
            t.ok(slot == "A" and name == "tern-1-a.efi",
                 "AAVMF and systemd-boot boot slot A of the flashed disk, %.1f s after "
                 "QEMU started (%s)" % (wall, accel("aarch64-uefi")), name)
            st, out = g.sh("uname -m; grep -E ' /boot | /data ' /proc/mounts; ls /mnt")
            t.ok(out.split()[:1] == ["aarch64"] and
                 re.search(r"^/dev/vda1 /boot vfat ", out, re.M) and
                 re.search(r"^/dev/vda2 /data ext4 ", out, re.M) and "b.tfw" in out,
                 "the kernel is aarch64, /boot is the ESP, /data the data partition, "
                 "the bundles are on /mnt", out)

            # Fallback: the panicking slot with one try left.
            mark = len(g.log)
            st, out = g.sh("fwupdate -n /mnt/panic.tfw && cd /boot/EFI/Linux && "
                           "mv tern-2-b+*.efi tern-2-b+1.efi && cd / && sync && ls /boot/EFI/Linux",
                           120)
            # (fwupdate's own lines come first: ls's are the last two.)
            t.ok(st == 0 and out.split("\n")[-3:] == ["tern-1-a.efi", "tern-2-b+1.efi", ""],
                 "fwupdate writes the panicking update to slot B (its tries cut to one)", out)
            started = time.monotonic()
            g.send("reboot\n")
            slot, name = boot_to_shell(g, "A", mark)
            panics = (g.log[mark:].count(b"Kernel panic - not syncing") -
                      g.log[mark:].count(b"end Kernel panic - not syncing"))
            t.ok(slot == "A" and name == "tern-1-a.efi" and panics == 1,
                 "slot B panics once, then systemd-boot boots slot A again (%.0f s)"
                 % (time.monotonic() - started), "%s, %d panics" % (name, panics))
            st, out = g.sh("ls /boot/EFI/Linux")
            t.ok(out.split() == ["tern-1-a.efi", "tern-2-b+0-1.efi"],
                 "systemd-boot counted the try: slot B has none left", out)

            # A -> B
            mark = len(g.log)
            started = time.monotonic()
            g.send("fwupdate /mnt/b.tfw\n")
            slot, name = boot_to_shell(g, "B", mark)
            t.ok(slot == "B" and name == "tern-3-b+%d-1.efi" % (int(conf["CONFIG_BOOT_TRIES"]) - 1),
                 "a signed update from slot A boots slot B on trial (%s, %.0f s)"
                 % (name, time.monotonic() - started))
            t.ok(g.wait_log(rb"init: slot B marked good", since=mark, timeout=120),
                 "slot B is marked good once the services stayed up")
            st, out = g.sh("ls /boot/EFI/Linux; hostname")
            t.ok(out.split() == ["tern-1-a.efi", "tern-3-b.efi", "slot-b"],
                 "the ESP holds the good slots A and B, B running", out)
        except GuestError as e:
            t.bail(e)
        g.send("poweroff\n")
        status = g.wait_exit(60)
        t.ok(status == 0, "poweroff ends QEMU with status 0", "status %r\n%s" % (status, g.tail()))
t.done()
