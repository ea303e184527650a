#!/usr/bin/python3
# The pc_x86_64 disk image under OVMF: systemd-boot boots slot A to the
# ready line, init mounts the ESP on /boot and the data partition on /data,
# and what is written to /data survives a reboot (an /etc/tern override is
# applied, /var/lib is the data partition's; a site's copy of release, the
# image's own identity, is not).  One QEMU run, one reboot in it; the OVMF
# boot time under TCG is reported.
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from guest import GuestError, Tap  # noqa: E402
from disk import Disk, SLOT_LINE  # noqa: E402

READY = rb"tern: ready in ([0-9.]+) s"
t = Tap(10)
with Disk() as d:
    # Slot A with a shell: the same kernel and initramfs as slot.efi.
    d.put(d.slot_image("a.efi"), "tern-1-a.efi")
    with d.boot() as g:
        try:
            m = g.expect(SLOT_LINE, 180)
            t.ok(m.group(1) == b"A" and m.group(2).startswith(b"tern-1-a.efi"),
                 "slot A boots and is good (%s)" % m.group(2).decode())
            t.ok(g.wait_log(rb"init: /data: /dev/sd\w+ mounted", timeout=60),
                 "the data partition is mounted on /data")
            m = g.expect(READY, 120)
            wall = time.monotonic() - g.started
            t.ok(True, "ready in %s s after the kernel started, %.1f s after QEMU started "
                 "(OVMF, systemd-boot, TCG)" % (m.group(1).decode(), wall))
            if not g.wait_shell(60):
                t.bail("the debug shell did not answer")
            st, out = g.sh("grep -E ' /boot | /data | /var/lib ' /proc/mounts")
            ok = (re.search(r"^/dev/sd\w+ /boot vfat ", out, re.M) and
                  re.search(r"^/dev/sd\w+ /data ext4 ", out, re.M) and
                  re.search(r"^/dev/sd\w+ /var/lib ext4 ", out, re.M))
            t.ok(ok, "/boot is the ESP (vfat), /data and /var/lib the data partition (ext4)", out)
            st, out = g.sh("ls /boot/EFI/Linux/")
            t.ok(out.split() == ["tern-1-a.efi"], "the ESP holds slot A only", out)
            note = "site-%d" % os.getpid()
            st, out = g.sh("echo %s >/data/etc/tern/test-note && echo %s >/var/lib/lease && "
                           "printf 'board pc_x86_64\\nversion 99.0.0\\n' >/data/etc/tern/release && sync"
                           % (note, note))
            t.ok(st == 0, "writes /data/etc/tern/test-note, a forged release and "
                 "/var/lib/lease", out)
            g.send("reboot\n")
            mark = len(g.log)
            g.wait_log(SLOT_LINE, since=mark, timeout=180)
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
        except GuestError as e:
            t.bail(e)
        g.send("poweroff\n")
        status = g.wait_exit(60)
        t.ok(status == 0, "poweroff ends QEMU with status 0", "status %r\n%s" % (status, g.tail()))
t.done()
