#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# The pc_x86_64 disk image under OVMF, on a disk bigger than the image, one
# QEMU run through three boots:
#   1. systemd-boot boots slot B, on trial with one try left; init grows the
#      data partition and its ext4 to the end of the disk, arms QEMU's
#      i6300esb watchdog with the slot's tern.watchdog=, and runs the site's
#      health check (/data/etc/tern/health), which holds B unmarked; then
#      init is frozen (kill -TSTP 1) and the watchdog resets the guest;
#   2. that reset spent B's last try: slot A boots, and init says the
#      watchdog reset the box; init mounts the ESP on /boot and the data
#      partition on /data, the watchdog has Kconfig's timeout; what is
#      written to /data is kept over a clean reboot, which disarms the
#      watchdog;
#   3. an /etc/tern override is applied, /var/lib is the data partition's,
#      a site's copy of release (the image's own identity) is not; poweroff
#      disarms the watchdog and ends QEMU.
# Afterwards the host checks the grown disk: sgdisk verifies the GPT, e2fsck
# the data partition.  The OVMF boot time under TCG is reported.
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from guest import GuestError, Tap  # noqa: E402
from disk import Disk, MIB, SLOT_LINE, run  # noqa: E402

READY = rb"tern: ready in ([0-9.]+) s"
GROW = 128       # MiB the disk has beyond the image
TRIAL_WD = 10    # slot B's tern.watchdog=
WD = "/sys/class/watchdog/watchdog0"
t = Tap(21)
with Disk() as d:
    timeout = int(d.conf["CONFIG_INIT_WATCHDOG_TIMEOUT"])
    off, size = d.data_extent()
    # The data partition ends at the last whole MiB before the backup GPT.
    disk_mib = off + size + 1 + GROW
    grown = (disk_mib * 2048 - 34 + 1) // 2048 - off
    # Slot A with a shell: the same kernel and initramfs as slot.efi; slot B
    # the same with a short watchdog timeout, on trial, its last try.
    d.put(d.slot_image("a.efi"), "tern-1-a.efi")
    d.put(d.slot_image("b.efi", "tern.watchdog=%d" % TRIAL_WD), "tern-2-b+1.efi")
    hook = os.path.join(d.dir, "health")
    with open(hook, "w") as f:
        f.write("echo started \"$@\" >/tmp/health\nwhile [ ! -e /tmp/go ]; do sleep 1; done\n")
    d.data_put(hook, "etc/tern/health")
    d.grow(GROW)
    with d.boot() as g:
        try:
            # -- 1. slot B on trial ------------------------------------------
            m = g.expect(SLOT_LINE, 300)
            t.ok(m.group(1) == b"B" and m.group(2) == b"tern-2-b+0-1.efi",
                 "systemd-boot boots slot B on its last try (%s)" % m.group(2).decode())
            p = g.wait_log(rb"init: /dev/sd\w+: partition 2 \(sd\w+\) grown from (\d+) to (\d+) MiB",
                           timeout=60)
            e = g.wait_log(rb"init: /data: ext4 grown from (\d+) to (\d+) MiB", timeout=60)
            t.ok([int(x) for x in p.groups() + e.groups()] == [size, grown, size, grown],
                 "on a disk %d MiB bigger than the image the data partition and its ext4 "
                 "grow from %d to %d MiB" % (GROW, size, grown), g.tail())
            m = g.expect(READY, 120)
            t.ok(True, "ready in %s s after the kernel started, %.1f s after QEMU started "
                 "(OVMF, systemd-boot, TCG)" % (m.group(1).decode(), time.monotonic() - g.started))
            if not g.wait_shell(60):
                t.bail("the debug shell did not answer")
            st, out = g.sh("cat %s/identity %s/state %s/timeout %s/bootstatus; df -m /data"
                           % (WD, WD, WD, WD))
            lines = out.splitlines()
            t.ok(lines[:4] == ["i6300ESB timer", "active", str(TRIAL_WD), "0"],
                 "init armed QEMU's i6300esb with the slot's tern.watchdog=%d" % TRIAL_WD, out)
            df = re.search(r"^/dev/sd\w+\s+(\d+)\s", out, re.M)
            # ext4's own metadata (inode tables, journal) is not in df's size
            t.ok(df and int(df.group(1)) >= grown * 0.85,
                 "/data has the room: %s MiB" % (df and df.group(1)), out)
            g.wait_log(rb"init: slot B: running /etc/tern/health", timeout=60)
            st, out = g.sh("sleep 2; cat /tmp/health; ls /boot/EFI/Linux")
            t.ok(out.split() == ["started", "B", "tern-2-b+0-1.efi", "tern-1-a.efi",
                                 "tern-2-b+0-1.efi"],
                 "after the services stayed up the health check runs, with the slot's letter "
                 "and name, and holds it unmarked while it runs", out)
            mark = len(g.log)
            frozen = time.monotonic()
            g.send("kill -TSTP 1\n")
            g.wait_log(rb"init: warning: SIGTSTP: freezing", since=mark, timeout=30)
            # -- 2. the watchdog's reset: slot A -----------------------------
            m = g.wait_log(SLOT_LINE, since=mark, timeout=TRIAL_WD + 300)
            between = g.log[mark:m.start()].decode("utf-8", "replace")
            t.ok(not re.search(r"reboot: Restarting|Kernel panic|init: reboot", between),
                 "init frozen, the guest resets without a panic or a reboot (%.0f s later, "
                 "timeout %d s)" % (time.monotonic() - frozen, TRIAL_WD), between[-1500:])
            t.ok(m.group(1) == b"A" and m.group(2) == b"tern-1-a.efi",
                 "that reset spent B's last try: slot A boots (%s)" % m.group(2).decode())
            t.ok(g.wait_log(rb"init: warning: watchdog: /dev/watchdog reset the box last time",
                            since=mark, timeout=60),
                 "init says the watchdog reset the box")
            t.ok(g.wait_log(rb"init: /data: /dev/sd\w+ mounted", since=mark, timeout=60),
                 "the data partition is mounted on /data")
            g.buf = g.log[m.end():]
            g.expect(READY, 120)
            if not g.wait_shell(60):
                t.bail("the debug shell did not answer")
            st, out = g.sh("grep -E ' /boot | /data | /var/lib ' /proc/mounts")
            ok = (re.search(r"^/dev/sd\w+ /boot vfat ", out, re.M) and
                  re.search(r"^/dev/sd\w+ /data ext4 ", out, re.M) and
                  re.search(r"^/dev/sd\w+ /var/lib ext4 ", out, re.M))
            t.ok(ok, "/boot is the ESP (vfat), /data and /var/lib the data partition (ext4)", out)
            st, out = g.sh("ls /boot/EFI/Linux/; cat %s/timeout %s/bootstatus" % (WD, WD))
            t.ok(out.split() == ["tern-1-a.efi", "tern-2-b+0-1.efi", str(timeout), "32"],
                 "the ESP holds A and B with no tries left; the watchdog has Kconfig's "
                 "timeout (%d s) and the driver's boot status says it reset the box" % timeout,
                 out)
            note = "site-%d" % os.getpid()
            st, out = g.sh("echo %s >/data/etc/tern/test-note && echo %s >/var/lib/lease && "
                           "printf 'board pc_x86_64\\nversion 99.0.0\\n' >/data/etc/tern/release && sync"
                           % (note, note))
            t.ok(st == 0, "writes /data/etc/tern/test-note, a forged release and "
                 "/var/lib/lease", out)
            mark = len(g.log)
            g.send("reboot\n")
            # -- 3. after a clean reboot --------------------------------------
            g.wait_log(SLOT_LINE, since=mark, timeout=300)
            down = g.log[mark:].decode("utf-8", "replace")
            t.ok("init: watchdog: /dev/watchdog disarmed" in down and
                 "did not stop" not in down and
                 "reset the box last time" not in down,
                 "a clean reboot disarms the watchdog first (and is no watchdog reset)",
                 down[-1500:])
            t.ok(g.wait_log(rb"init: /etc/tern/test-note from /data/etc/tern", since=mark,
                            timeout=60), "after the reboot init applies the override")
            g.expect(READY, 120)
            if not g.wait_shell(60):
                t.bail("the debug shell did not answer after the reboot")
            st, out = g.sh("cat /etc/tern/test-note /var/lib/lease")
            t.ok(out.split() == [note, note], "/etc/tern/test-note and /var/lib/lease survived "
                 "the reboot", out)
            st, out = g.sh("grep -c 99.0.0 /etc/tern/release; grep -q '^version ' /etc/tern/release "
                           "&& echo has-version")
            t.ok(g.wait_log(rb"init: warning: /data/etc/tern/release ignored", since=mark, timeout=5)
                 and re.search(r"^0$", out, re.M) and "has-version" in out,
                 "a site's /data/etc/tern/release is ignored: the image's stays", out)
            t.ok(b"grown from" not in g.log[mark:],
                 "grown once: the next boots leave the partition alone")
        except GuestError as e:
            t.bail(e)
        mark = len(g.log)
        g.send("poweroff\n")
        status = g.wait_exit(60)
        t.ok(status == 0 and b"init: watchdog: /dev/watchdog disarmed" in g.log[mark:],
             "poweroff disarms the watchdog and ends QEMU with status 0",
             "status %r\n%s" % (status, g.tail()))
    # -- the grown disk, checked by the host's tools -----------------------
    out = subprocess.run(["sgdisk", "-v", d.path], capture_output=True, text=True).stdout
    t.ok("No problems found" in out, "sgdisk verifies the grown GPT", out)
    info = subprocess.run(["sgdisk", "-i", "2", d.path], capture_output=True, text=True).stdout
    first = int(re.search(r"First sector: (\d+)", info).group(1))
    last = int(re.search(r"Last sector: (\d+)", info).group(1))
    part = os.path.join(d.dir, "data.part")
    run("dd", "if=" + d.path, "of=" + part, "bs=512", "skip=%d" % first,
        "count=%d" % (last - first + 1), "conv=sparse", "status=none")
    fsck = subprocess.run(["e2fsck", "-fn", part], capture_output=True, text=True)
    t.ok((last - first + 1) * 512 == grown * MIB and fsck.returncode == 0,
         "partition 2 is %d MiB and its ext4 checks clean (e2fsck -fn)" % grown,
         info + fsck.stdout + fsck.stderr)
t.done()
