#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Power cuts at the slot switch, and damaged boot-counting entries, on the
# pc_x86_64 disk image under OVMF.  After each, the next boot is right: the
# old slot as it was, or the new slot on trial; never no bootable entry.
#
# The cuts are exact: fwupdate runs with TERN_FAULT=<point>
# (app/lib/bootslot.h), says it reached the point and stops there, and the
# test kills QEMU then.  After every cut fsck.fat finds the ESP whole (no
# two names owning the same clusters, no lost clusters) but for what a FAT
# mounted when the power went keeps (esp_fsck).
#
# In make test, one QEMU (two firmware passes, one Linux boot):
#   - a trial slot truncated to half: systemd-boot spends its try and
#     returns to the firmware, whose UEFI shell runs the ESP's startup.nsh,
#     which resets; the loader skips the spent slot and boots A;
#   - from that boot, a cut once the switch is committed (slot-committed):
#     the disk holds slot A as it was and the new slot B whole, armed for
#     BOOT_TRIES trial boots, what the loader boots next.
# With TERN_DISK_FAULTS=all (seven boots more, minutes under TCG), also:
#   - the committed slot boots on trial;
#   - cut before the rename (slot-written) and right after it
#     (slot-renamed): A as it was, and .tern-b.tmp whole, or B's new name
#     whole (B boots on trial next) or empty (A boots next);
#   - a zero-length trial slot: the loader skips it, A boots, no try spent;
#   - a trial slot whose name has a garbage counter (tern-2-b+x.efi):
#     the loader boots it uncounted; init renames it +0-1 (no try left),
#     so when it is not marked good the next boot is A's.
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from guest import GuestError, Tap  # noqa: E402
from disk import Disk, run  # noqa: E402
from disk import boot_to_shell as boot  # noqa: E402

ALL = os.environ.get("TERN_DISK_FAULTS") == "all"
STARTUP_NSH = rb"startup\.nsh \(Tern\): the boot loader returned"


def fault_line(point):
    return b"bootslot: fault point %s reached" % point.encode()


class Case:
    """A fresh copy of the disk: slot A (with a debug shell) good, and a
    second disk holding b.tfw, a bundle of slot B."""

    def __init__(self, t):
        self.t = t
        self.d = Disk()
        d = self.d
        conf = d.conf
        self.tries = int(conf["CONFIG_BOOT_TRIES"])
        key = conf.get("CONFIG_FIRMWARE_SIGNING_KEY", "") or \
            os.path.join(d.top, "keys", "dev-signing-key.pem")
        self.slot_a = d.slot_image("a.efi")
        d.put(self.slot_a, "tern-1-a.efi")
        with open(self.slot_a, "rb") as f:
            self.a_bytes = f.read()
        self.slot_b = d.slot_image("b.efi", "tern.hostname=slot-b")
        with open(self.slot_b, "rb") as f:
            self.b_bytes = f.read()
        bdir = os.path.join(d.dir, "bundles")
        os.mkdir(bdir)
        run(os.path.join(d.out, "host", "bin", "tfw"), "sign", "-k", key,
            "-b", conf["CONFIG_BOARD_NAME"], "-V", conf["CONFIG_FIRMWARE_VERSION"],
            self.slot_b, os.path.join(bdir, "b.tfw"))
        img = os.path.join(d.dir, "bundles.img")
        run("mkfs.ext4", "-q", "-F", "-d", bdir, "-E", "root_owner=0:0", img,
            "%dM" % ((len(self.b_bytes) >> 20) + 16))
        self.extra = ["-drive", "file=%s,format=raw,if=virtio,readonly=on" % img]

    def close(self):
        self.d.close()

    def boot(self):
        return self.d.boot(self.extra)

    def cut(self, point):
        """Boot A, run fwupdate until the fault point, kill QEMU there."""
        with self.boot() as g:
            try:
                slot, name = boot(g, self.t, "A", 0)
                self.t.ok(slot == "A" and name == "tern-1-a.efi", "[%s] slot A boots" % point,
                          name)
                g.send("TERN_FAULT=%s fwupdate -n /mnt/b.tfw\n" % point)
                g.expect(fault_line(point), 180)
                g.kill()
            except GuestError as e:
                self.t.bail(e)

    def esp_fsck(self, leak_ok=False):
        """fsck.fat -n of the ESP: (no problem but the ones a FAT that was
        mounted when the power went keeps, output).  Those: the dirty bit
        (and so a boot sector that differs from its backup in that byte),
        and the free-cluster count in FSInfo, a hint the kernel updates
        lazily.  Anything else (cross-linked or lost clusters, a bad
        entry, a size that does not match its chain) is a problem."""
        part = os.path.join(self.d.dir, "esp.part")
        run("dd", "if=" + self.d.path, "of=" + part, "bs=1M", "skip=1",
            "count=%s" % self.d.conf["CONFIG_DISK_ESP_SIZE"], "status=none")
        p = subprocess.run(["fsck.fat", "-n", part], capture_output=True, text=True)
        os.unlink(part)
        out = p.stdout + p.stderr
        benign = re.compile(r"^(fsck\.fat \d|There are differences between boot sector and its "
                            r"backup|This is mostly harmless|  65:0[01]/0[01]$|  Not automatically "
                            r"fixing this|Dirty bit is set| Automatically removing dirty bit"
                            r"|Free cluster summary wrong|  Auto-correcting|Leaving filesystem "
                            r"unchanged|.*esp\.part: \d+ files, \d+/\d+ clusters$|$)")
        # A cut between the two syncs of the rename leaves the new name
        # empty and its clusters owned by no name: lost until fsck.
        leak = re.compile(r"^(Reclaimed \d+ unused clusters?|.*[Ff]ree cluster)")
        return all(benign.match(l) or (leak_ok and leak.match(l))
                   for l in out.splitlines()), out

    def check_esp(self, point, states, why, leak_ok=False):
        """After a cut: A byte-identical, the other files of EFI/Linux (with
        their bytes) one of states, fsck clean (leak_ok: but for the lost
        clusters of an empty new name)."""
        t, d = self.t, self.d
        names = d.slots()
        t.ok(d.get("tern-1-a.efi") == self.a_bytes,
             "[%s] after the cut slot A's file is byte-identical" % point, names)
        found = {n: d.get(n) for n in names if n != "tern-1-a.efi"}
        t.ok(found in states, "[%s] slot B: %s" % (point, why),
             "%s (B's image is %d bytes)" % (
                 ", ".join("%s %d bytes" % (n, len(b)) for n, b in found.items()),
                 len(self.b_bytes)))
        empty = leak_ok and [n for n, b in found.items() if not b and not n.startswith(".")]
        clean, out = self.esp_fsck(leak_ok=bool(empty))
        t.ok(clean, "[%s] fsck.fat finds the ESP whole%s" % (
            point, " (but for the clusters of %s: lost)" % empty[0] if empty else ""), out)
        return found


def expect_boot(t, g, what, slot, name, since=0):
    try:
        s, n = boot(g, t, slot, since)
    except GuestError as e:
        t.bail(e)
    t.ok((s, n) == (slot, name), "%s: slot %s boots (%s)" % (what, slot, n),
         "%s %s" % (s, n))


t = Tap(7 + (17 if ALL else 0))
if not ALL:
    print("# TERN_DISK_FAULTS=all adds the cuts before and after the rename, a zero-length "
          "and a garbage-counter entry", flush=True)

# -- make test: one QEMU, two firmware passes and one Linux boot ---------
# A trial slot truncated to half beside A, with one try left (so one failed
# load spends it: the loader renames the file +0-1 before loading it).
c = Case(t)
try:
    half = c.b_bytes[:len(c.b_bytes) // 2]
    path = os.path.join(c.d.dir, "half.efi")
    with open(path, "wb") as f:
        f.write(half)
    c.d.put(path, "tern-2-b+1.efi")
    spent = "tern-2-b+0-1.efi"
    with c.boot() as g:
        try:
            g.expect(rb"Error loading .*tern-2-b\+0-1\.efi", 240)
            t.ok(True, "[truncated] systemd-boot spends the try and fails to load the slot")
            m = g.expect(rb"startup\.nsh|Shell>", 120)
            if m.group(0) == b"startup.nsh":
                g.send("\r")  # any key but Esc: run it now, not in 5 s
            g.expect(STARTUP_NSH, 60)
            t.ok(True, "[truncated] the firmware's shell runs startup.nsh, which resets")
            mark = len(g.log)
            expect_boot(t, g, "[truncated] after the reset", "A", "tern-1-a.efi", mark)
            st, out = g.sh("ls /boot/EFI/Linux")
            t.ok(out.split() == ["tern-1-a.efi", spent],
                 "[truncated] the truncated slot is skipped, its try spent", out)
            # -- the cut once the switch is committed, from this boot ----
            g.send("TERN_FAULT=slot-committed fwupdate -n /mnt/b.tfw\n")
            g.expect(fault_line("slot-committed"), 180)
            g.kill()
        except GuestError as e:
            t.bail(e)
    trial = "tern-3-b+%d.efi" % c.tries
    c.check_esp("slot-committed", [{trial: c.b_bytes, spent: half}],
                "%s whole, what the loader boots next (%s not removed yet)" % (trial, spent))
    if ALL:
        with c.boot() as g:
            expect_boot(t, g, "[slot-committed] the next boot", "B",
                        "tern-3-b+%d-1.efi" % (c.tries - 1))
            g.kill()
finally:
    c.close()

if ALL:
    # -- before the rename, and right after it ---------------------------
    for point in ("slot-written", "slot-renamed"):
        c = Case(t)
        try:
            c.cut(point)
            trial = "tern-2-b+%d.efi" % c.tries
            tmp = {".tern-b.tmp": c.b_bytes}
            if point == "slot-written":
                found = c.check_esp(point, [tmp], "only .tern-b.tmp, whole")
            else:
                found = c.check_esp(point, [tmp, {trial: c.b_bytes}, {trial: b""}],
                                    "only .tern-b.tmp, or %s whole or empty" % trial,
                                    leak_ok=True)
            with c.boot() as g:
                if found.get(trial):
                    expect_boot(t, g, "[%s] next boot" % point, "B",
                                "tern-2-b+%d-1.efi" % (c.tries - 1))
                else:
                    expect_boot(t, g, "[%s] next boot" % point, "A", "tern-1-a.efi")
                g.kill()
        finally:
            c.close()

    # -- a zero-length trial slot ----------------------------------------
    c = Case(t)
    try:
        empty = os.path.join(c.d.dir, "empty.efi")
        open(empty, "wb").close()
        c.d.put(empty, "tern-2-b+3.efi")
        with c.boot() as g:
            expect_boot(t, g, "[zero-length]", "A", "tern-1-a.efi")
            st, out = g.sh("ls /boot/EFI/Linux")
            t.ok(out.split() == ["tern-1-a.efi", "tern-2-b+3.efi"],
                 "[zero-length] the loader skipped it: no try spent", out)
            st, out = g.sh("fwupdate -n /mnt/b.tfw && ls /boot/EFI/Linux")
            t.ok(st == 0 and out.split()[-2:] == ["tern-1-a.efi", "tern-3-b+%d.efi" % c.tries],
                 "[zero-length] the next update replaces it", out)
            g.kill()
    finally:
        c.close()

    # -- a garbage counter ------------------------------------------------
    # systemd-boot reads no counter in the name, so boots it uncounted;
    # init renames it +0-1, a trial with no try left: if it never gets
    # marked good, the next boot is A's.
    c = Case(t)
    try:
        c.d.put(c.slot_b, "tern-2-b+x.efi")
        with c.boot() as g:
            expect_boot(t, g, "[garbage counter]", "B", "tern-2-b+0-1.efi")
            t.ok(re.search(rb"init: warning: 1 slot file\(s\) in /boot/EFI/Linux had a boot "
                           rb"counter systemd-boot cannot count down: renamed \+0-1", g.log),
                 "[garbage counter] init renamed it +0-1 and said so")
            g.kill()
        with c.boot() as g:
            expect_boot(t, g, "[garbage counter] never marked good, the next boot", "A",
                        "tern-1-a.efi")
            g.kill()
    finally:
        c.close()
t.done()
