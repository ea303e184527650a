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
#      The served tree /srv is an overlay, /data/srv over the image's: a
#      file uploaded with BusyBox tftp (over loopback) lands on the data
#      partition and comes back the same over TFTP and HTTP; the same name
#      again and names with ".." are refused; an upload stalled midway is
#      written in the staging directory and served under no name, and what
#      it left when tftpd is killed (as by a power cut) is removed when
#      tftpd starts again;
#   3. an /etc/tern override is applied, /var/lib is the data partition's,
#      a site's copy of release (the image's own identity) is not; the
#      upload is still served, and so is an image default (undionly.kpxe,
#      the build's bytes); poweroff disarms the watchdog and ends QEMU.
# Afterwards the host checks the grown disk: sgdisk verifies the GPT, e2fsck
# the data partition.  The OVMF boot time under TCG is reported.
import hashlib
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
TFTP = "tftp -b 8192 127.0.0.1"   # BusyBox tftp, to the guest's own tftpd


def sums(*files):
    """A guest command: each file's SHA-256, a line each."""
    return "sha256sum %s | cut -c1-64" % " ".join(files)


def srv_upload(g, t, conf):
    """Boot 2: the served tree on the data partition, uploads into it.
    Returns the uploaded file's SHA-256."""
    up, stage = conf["CONFIG_TFTPD_UPLOAD_DIR"], conf["CONFIG_TFTPD_UPLOAD_STAGING"]
    rel = os.path.relpath(up, conf["CONFIG_TFTPD_ROOT"])
    st, out = g.sh("grep ' /srv ' /proc/mounts; head -c 300000 /dev/urandom >/tmp/up.bin && "
                   "%s -p -l /tmp/up.bin -r up.bin && %s"
                   % (TFTP, sums("/tmp/up.bin", "/data%s/up.bin" % up)))
    got = re.findall(r"^[0-9a-f]{64}$", out, re.M)
    t.ok(re.search(r"^overlay /srv overlay .*upperdir=/data/srv", out, re.M) and
         len(got) == 2 and got[0] == got[1],
         "/srv is the data partition's /data/srv over the image's; a TFTP upload lands on "
         "the data partition", out)
    st, out = g.sh("%s -g -l /tmp/back.bin -r %s/up.bin; wget -q -O /tmp/http.bin "
                   "http://127.0.0.1:%s/%s/up.bin; %s"
                   % (TFTP, rel, conf["CONFIG_HTTPD_PORT"], rel,
                      sums("/tmp/back.bin", "/tmp/http.bin")))
    back = re.findall(r"^[0-9a-f]{64}$", out, re.M)
    t.ok(back == [got[0]] * 2, "fetched back over TFTP and HTTP: the same SHA-256", out)
    st, out = g.sh("head -c 1000 /dev/urandom >/tmp/other.bin; for n in up.bin ../escape.bin "
                   "../../srv/escape.bin; do %s -p -l /tmp/other.bin -r $n; echo \"$n rc=$?\"; "
                   "done; %s; find / -xdev -name escape.bin; find /srv /data -name escape.bin"
                   % (TFTP, sums("/data%s/up.bin" % up)))
    t.ok(re.search(r"^up\.bin rc=[1-9]", out, re.M) and
         len(re.findall(r"escape\.bin rc=[1-9]", out)) == 2 and
         re.findall(r"^[0-9a-f]{64}$", out, re.M) == [got[0]] and
         not re.search(r"^/\S*escape\.bin$", out, re.M),
         "refused: the same name again (the file unchanged) and names with '..' (nothing "
         "written)", out)
    # A stalled upload, then tftpd killed as a power cut would: the first
    # 100000 bytes come at once, the rest never (tftpd would give up in
    # about 6 s: the check kills it before).
    mark = len(g.log)
    st, out = g.sh("(head -c 100000 /dev/urandom; sleep 30) | %s -p -l - -r half.bin "
                   ">/dev/null 2>&1 & half=$!; for i in 1 2 3 4 5 6 7 8 9 10; do "
                   "f=$(ls -d %s/.half.bin.tftpd-* 2>/dev/null); "
                   "[ -n \"$f\" ] && [ $(wc -c <$f) -ge 50000 ] && break; sleep 1; done; "
                   "echo \"staged $(wc -c <$f)\"; ls -a %s; %s -g -l /tmp/h -r %s/half.bin; "
                   "echo \"tftp rc=$?\"; wget -q -O /tmp/h http://127.0.0.1:%s/%s/half.bin; "
                   "echo \"http rc=$?\"; kill -9 $(pidof tftpd)"
                   % (TFTP, stage, up, TFTP, rel, conf["CONFIG_HTTPD_PORT"], rel), timeout=30)
    m = re.search(r"^staged (\d+)$", out, re.M)
    t.ok(m and int(m.group(1)) >= 50000 and "half.bin\n" not in out and
         re.search(r"^tftp rc=[1-9]", out, re.M) and re.search(r"^http rc=[1-9]", out, re.M),
         "an upload stalled midway is written in %s and served under no name" % stage, out)
    g.wait_log(rb"tftpd: \S+: removed 1 unfinished upload", since=mark, timeout=30)
    st, out = g.sh("kill $half; ls -a %s; echo ==; ls -a %s" % (stage, up))
    t.ok(out.split() == [".", "..", "==", ".", "..", "up.bin"],
         "tftpd killed midway, then restarted: it removes what the upload left, nothing else",
         out)
    return got[0]


def srv_after_reboot(g, t, conf, d, want):
    """Boot 3: the upload is still served; so is an image default."""
    rel = os.path.relpath(conf["CONFIG_TFTPD_UPLOAD_DIR"], conf["CONFIG_TFTPD_ROOT"])
    with open(os.path.join(d.out, "build", "pxe-served", "undionly.kpxe"), "rb") as f:
        kpxe = hashlib.sha256(f.read()).hexdigest()
    st, out = g.sh("%s -g -l /tmp/back.bin -r %s/up.bin; wget -q -O /tmp/http.bin "
                   "http://127.0.0.1:%s/%s/up.bin; %s -g -l /tmp/kpxe -r undionly.kpxe; "
                   "%s" % (TFTP, rel, conf["CONFIG_HTTPD_PORT"], rel, TFTP,
                          sums("/tmp/back.bin", "/tmp/http.bin", "/tmp/kpxe")))
    got = re.findall(r"^[0-9a-f]{64}$", out, re.M)
    t.ok(got[:2] == [want] * 2, "after the reboot the upload is served, over TFTP and HTTP", out)
    t.ok(got[2:] == [kpxe], "and an image default too (undionly.kpxe, the build's bytes)", out)


t = Tap(28)
with Disk() as d:
    if d.conf.get("CONFIG_TFTPD_UPLOAD") != "y":
        t.bail("TFTPD_UPLOAD is off in %s/.config (pc_x86_64's default is on: a .config made "
               "before it was keeps it off; make BOARD=pc_x86_64 pc_x86_64_defconfig)" % d.out)
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
            uploaded = srv_upload(g, t, d.conf)
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
            srv_after_reboot(g, t, d.conf, d, uploaded)
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
