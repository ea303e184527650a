#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Signed updates on the pc_x86_64 disk image under OVMF, one guest through
# its reboots:
#   - every bad bundle is refused by fwupdate with its reason, and the slot
#     files are byte-identical afterwards;
#   - an update from slot A goes to B, B boots on trial and is marked good
#     once the site's health check (/data/etc/tern/health) passed; the next
#     update goes to A, which boots and is marked good the same way;
#   - an update whose kernel panics is retried BOOT_TRIES times, then
#     systemd-boot boots the previous slot again;
#   - QEMU killed during the new slot's first trial boot: the next boot
#     tries it again, one try fewer;
#   - QEMU killed while fwupdate writes the slot: the old slot still boots;
#   - the anti-rollback floor: init raises it to the version of the good
#     slot it boots (the flashed one) and of a slot it marks good;
#     fwupdate -f refuses a bundle below it; --lower-floor typed on the
#     console lowers it;
#   - httpd's status pages (/status.json, /status, /metrics, read from the
#     host through a forwarded port) show the slot that booted, with the
#     version and hostname: A as flashed, B after the update, A again
#     after the next.
# Bundles are signed on the host with the build's tfw and key, their slot
# images built like slot.efi (with a debug shell); the guest reads them from
# a second disk (virtio, ext4).
import hashlib
import json
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from guest import GuestError, Tap  # noqa: E402
from disk import Disk, SLOT_LINE, run  # noqa: E402
from disk import boot_to_shell as boot  # noqa: E402
import status  # noqa: E402


with Disk() as d:
    conf = d.conf
    board = conf["CONFIG_BOARD_NAME"]
    version = conf["CONFIG_FIRMWARE_VERSION"]
    tries = int(conf["CONFIG_BOOT_TRIES"])
    slot_max = int(conf["CONFIG_FWUPDATE_SLOT_MAX"]) * 1048576
    tfw = os.path.join(d.out, "host", "bin", "tfw")
    key = conf.get("CONFIG_FIRMWARE_SIGNING_KEY", "") or \
        os.path.join(d.top, "keys", "dev-signing-key.pem")

    # -- the bundles ------------------------------------------------------
    bdir = os.path.join(d.dir, "bundles")
    os.mkdir(bdir)

    def sign(payload, name, ver=version, brd=board, k=key, maxp=None):
        argv = [tfw, "sign", "-k", k, "-b", brd, "-V", ver]
        if maxp:
            argv += ["-m", str(maxp)]
        run(*argv, payload, os.path.join(bdir, name))
        return os.path.join(bdir, name)

    slot_a = d.slot_image("a.efi")
    d.put(slot_a, "tern-1-a.efi")
    good_b = sign(d.slot_image("b.efi", "tern.hostname=slot-b"), "b.tfw")
    good_a = sign(d.slot_image("a2.efi", "tern.hostname=slot-a2"), "a2.tfw")
    # rdinit names nothing: the kernel finds no init and panics, panic=-1
    # reboots at once.
    sign(d.slot_image("panic.efi", "rdinit=/no/such/init panic=-1"), "panic.tfw")
    sign(d.slot_image("b3.efi", "tern.hostname=slot-b3"), "b3.tfw")

    with open(good_b, "rb") as f:
        good = f.read()
    hlen = 128

    def bad(name, data):
        with open(os.path.join(bdir, name), "wb") as f:
            f.write(data)

    bad("magic.tfw", b"XXXX" + good[4:])
    bad("truncated.tfw", good[:len(good) // 2])
    for where, off in (("header", 40), ("payload", hlen + len(good) // 3), ("signature", len(good) - 5)):
        flipped = bytearray(good)
        flipped[off] ^= 0x01
        bad("flip-%s.tfw" % where, bytes(flipped))
    other = os.path.join(d.dir, "other-key.pem")
    run(tfw, "keygen", other)
    sign(slot_a, "other-key.tfw", k=other)
    sign(slot_a, "wrong-board.tfw", brd="qemu_x86_64")
    older = version.split(".")
    older = "0.0.0" if older == ["0", "0", "0"] else \
        ("%d.0.0" % (int(older[0]) - 1) if older[0] != "0" else "0.0.0")
    sign(slot_a, "older.tfw", ver=older)
    huge = os.path.join(d.dir, "huge.efi")
    with open(huge, "wb") as f:
        f.write(b"MZ" + os.urandom(1024) + b"\0" * (slot_max + 1024))
    sign(huge, "oversize.tfw")
    # (bundle, what is wrong with it, the reason fwupdate must give)
    BAD = [("magic.tfw", "wrong magic", "bad magic"),
           ("truncated.tfw", "truncated", "truncated"),
           ("flip-header.tfw", "a flipped header byte (board field padding)",
            "malformed header|bad signature"),
           ("flip-payload.tfw", "a flipped payload byte", "payload corrupted"),
           ("flip-signature.tfw", "a flipped signature byte", "bad signature"),
           ("other-key.tfw", "signed by another key", "a key this image does not trust"),
           ("wrong-board.tfw", "another board", "another board"),
           ("older.tfw", "an older version (below the floor)", "anti-rollback floor"),
           ("oversize.tfw", "a payload larger than a slot", "larger than a slot")]
    if older == version:
        BAD = [b for b in BAD if b[0] != "older.tfw"]

    bundles = os.path.join(d.dir, "bundles.img")
    run("mkfs.ext4", "-q", "-F", "-d", bdir, "-E", "root_owner=0:0", bundles,
        "%dM" % ((sum(os.path.getsize(os.path.join(bdir, f)) for f in os.listdir(bdir))
                  >> 20) + 16))
    extra = ["-drive", "file=%s,format=raw,if=virtio,readonly=on" % bundles]

    floor = older != version  # a floor below 0.0.0 cannot be tested
    t = Tap(len(BAD) + 19 + 3 * floor)

    def status_nic():
        """A NIC whose forwarded host port reaches httpd's status pages."""
        port, fwd = status.forward(conf.get("CONFIG_HTTPD_STATUS_PORT", "9180"))
        return port, ["-nic", "user,model=virtio-net-pci," + fwd]

    def check_status_slot(port, slot, hostname):
        """The three status pages name the slot that booted, the version
        and the hostname of this boot."""
        began = time.monotonic()
        deadline = time.monotonic() + 60  # the listener wants eth0's DHCP lease
        while (doc := status.get(port, "/status.json", 10)) is None and \
                time.monotonic() < deadline:
            time.sleep(0.5)
        try:
            box = json.loads(doc or "")["box"]
        except (ValueError, KeyError, TypeError):
            box = {}
        page = status.get(port, "/status") or ""
        metrics = status.get(port, "/metrics") or ""
        print("# slot %s: the status pages read in %.1f s" % (slot, time.monotonic() - began),
              flush=True)
        want = {"slot": slot, "version": version, "board": board, "hostname": hostname}
        t.ok({k: box.get(k) for k in want} == want
             and re.search(r"<h1>%s</h1>\s*<p class=\"box\">Tern %s \(%s\), slot %s,"
                           % tuple(map(re.escape, (hostname, version, board, slot))), page)
             and 'tern_build_info{board="%s",version="%s",slot="%s"} 1\n'
             % (board, version, slot) in metrics,
             "slot %s booted: /status.json, /status and /metrics show slot %s, version %s, "
             "hostname %s" % (slot, slot, version, hostname),
             "json %s\npage %s\nmetrics %s" % (
                 box or doc, re.findall(r"<h1>.*\n.*", page)[:1],
                 re.findall(r"tern_build_info.*", metrics)))

    def boot_to_shell(g, slot, since, timeout=240):
        return boot(g, t, slot, since, timeout)

    def slot_sums(g):
        st, out = g.sh("cd /boot/EFI/Linux && ls -a && sha256sum *", 60)
        return out

    # Writes at 4 MiB/s: a slot takes seconds to write, so the kill below
    # lands in the middle of it.
    port, nic = status_nic()
    with d.boot(extra + nic, disk_opts="throttling.bps-write=4194304") as g:
        try:
            slot, name = boot_to_shell(g, "A", 0)
            t.ok(slot == "A" and name == "tern-1-a.efi", "the flashed disk boots slot A",
                 name)
            check_status_slot(port, "A", conf["CONFIG_HOSTNAME"])
            before = slot_sums(g)
            for f, why, reason in BAD:
                st, out = g.sh("fwupdate -n /mnt/%s" % f, 120)
                t.ok(st == 1 and re.search(r"fwupdate: .*(%s)" % reason, out),
                     "refused: %s (%s)" % (why, f), "status %d: %s" % (st, out))
            after = slot_sums(g)
            t.ok(after == before, "the slot files are byte-identical after the refusals",
                 "before:\n%s\nafter:\n%s" % (before, after))
            if floor:
                st, out = g.sh("cat /boot/EFI/tern/floor; fwupdate -n -f /mnt/older.tfw", 120)
                t.ok(st == 1 and out.split("\n")[0] == version
                     and re.search(r"older\.tfw: refused: below this box's anti-rollback floor", out)
                     and b"init: anti-rollback floor raised to " + version.encode() in g.log,
                     "init raised the floor to %s (slot A is good); -f does not go below it"
                     % version, out)
                st, out = g.sh("fwupdate --lower-floor %s; cat /boot/EFI/tern/floor" % older, 60)
                t.ok("floor LOWERED from %s to %s" % (version, older) in out
                     and out.rstrip().split("\n")[-1] == older,
                     "fwupdate --lower-floor typed on the console lowers it", out)

            # A -> B, with a health check that notes its arguments and passes.
            st, out = g.sh("echo 'echo \"$1 $2\" >>/data/health.log' >/data/etc/tern/health && sync")
            mark = len(g.log)
            g.send("fwupdate /mnt/b.tfw\n")
            m = g.wait_log(SLOT_LINE, since=mark, timeout=240)
            # systemd-boot took one of its tries before booting it.
            t.ok(m.group(1) == b"B" and m.group(2) == b"tern-2-b+%d-1.efi" % (tries - 1),
                 "the update boots slot B on trial (%s)" % m.group(2).decode())
            g.kill()  # a power cut during its first trial boot
        except GuestError as e:
            t.bail(e)

    names = d.slots()
    t.ok(names == ["tern-1-a.efi", "tern-2-b+%d-1.efi" % (tries - 1)],
         "a power cut during B's first trial boot: A as it was, B on trial with a try spent",
         names)
    port, nic = status_nic()
    with d.boot(extra + nic, disk_opts="throttling.bps-write=4194304") as g:
        try:
            slot, name = boot_to_shell(g, "B", 0)
            t.ok(slot == "B" and name == "tern-2-b+%d-2.efi" % (tries - 2),
                 "the next boot tries B again (%s)" % name)
            m = g.wait_log(rb"init: slot B marked good: .* and /etc/tern/health passed",
                           timeout=120)
            st, out = g.sh("ls /boot/EFI/Linux; hostname; cat /data/health.log")
            t.ok(out.split() == ["tern-1-a.efi", "tern-2-b.efi", "slot-b",
                                 "B", "tern-2-b+%d-2.efi" % (tries - 2)],
                 "slot B is marked good once the services stayed up and the health check "
                 "passed", out)
            check_status_slot(port, "B", "slot-b")
            if floor:
                # init logs the raise once the floor is on disk, after the
                # "marked good" line.
                try:
                    raised = g.wait_log(rb"init: anti-rollback floor raised to "
                                        + re.escape(version.encode()), since=m.end(), timeout=60)
                except GuestError:
                    raised = None
                st, out = g.sh("cat /boot/EFI/tern/floor")
                t.ok(raised and out.strip() == version,
                     "marking B good raised the floor again, to %s" % version, out)

            # B -> A
            mark = len(g.log)
            g.send("fwupdate /mnt/a2.tfw\n")
            slot, name = boot_to_shell(g, "A", mark)
            t.ok(slot == "A" and name.startswith("tern-3-a+"),
                 "the next update goes to slot A (%s)" % name)
            g.wait_log(rb"init: slot A marked good: .* and /etc/tern/health passed",
                       since=mark, timeout=120)
            st, out = g.sh("ls /boot/EFI/Linux; hostname; cat /data/health.log")
            t.ok(out.split()[:3] == ["tern-2-b.efi", "tern-3-a.efi", "slot-a2"] and
                 out.split()[5:] == ["A", "tern-3-a+%d-1.efi" % (tries - 1)],
                 "slot A is marked good, its health check passed too", out)
            check_status_slot(port, "A", "slot-a2")

            # A kernel that panics: BOOT_TRIES tries, then A again.
            mark = len(g.log)
            g.send("fwupdate /mnt/panic.tfw\n")
            started = time.monotonic()
            slot, name = boot_to_shell(g, "A", mark, timeout=120 * (tries + 1))
            panics = (g.log[mark:].count(b"Kernel panic - not syncing") -
                      g.log[mark:].count(b"end Kernel panic - not syncing"))
            t.ok(slot == "A" and name == "tern-3-a.efi",
                 "after the panicking update slot A boots again (%.0f s)"
                 % (time.monotonic() - started), name)
            t.ok(panics == tries, "the new slot was tried %d times" % tries,
                 "%d panics" % panics)
            st, out = g.sh("ls /boot/EFI/Linux")
            t.ok(out.split() == ["tern-3-a.efi", "tern-4-b+0-%d.efi" % tries],
                 "the panicking slot has no tries left", out)
            st, out = g.sh("fwupdate -s")
            t.ok(st == 0 and re.search(r"slot A .*running", out),
                 "fwupdate -s says slot A is running", out)

            # Killed while writing: the write goes to the temporary file.
            g.send("fwupdate -n /mnt/b3.tfw & "
                   "while [ ! -e /boot/EFI/Linux/.tern-b.tmp ]; do :; done; echo WRI''TING\n")
            g.expect(rb"WRITING", 120)
            g.kill()
        except GuestError as e:
            t.bail(e)

    names = d.slots()
    t.ok("tern-3-a.efi" in names and "tern-4-b+0-%d.efi" % tries in names and
         not any(n.startswith("tern-5") for n in names),
         "killed mid-write: both slot files as they were, no new slot in place", names)
    with open(os.path.join(d.dir, "a2.efi"), "rb") as f:
        t.ok(d.get("tern-3-a.efi") == f.read(), "slot A's file is byte-identical")
    with d.boot(extra) as g:
        try:
            slot, name = boot_to_shell(g, "A", 0)
            t.ok(slot == "A" and name == "tern-3-a.efi",
                 "after the kill the box boots slot A", name)
        except GuestError as e:
            t.bail(e)
        g.send("poweroff\n")
        t.ok(g.wait_exit(60) == 0, "and powers off cleanly")
t.done()
