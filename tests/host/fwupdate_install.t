#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# fwupdate on a directory standing in for a box's ESP (tests/host/lib/
# fwbox.py): a good bundle goes to the slot not running, armed for trial
# boots, the running one untouched; after a boot and mark-good the next
# update goes to the other slot.  Every bad bundle -- wrong magic,
# truncated, a byte flipped in header, payload or signature, trailing
# bytes, another key, a revoked key, another board, an older version, a
# payload larger than a slot -- is refused with its reason in one line,
# exit 1, and the ESP is byte-identical afterwards.  So is an update while
# the running slot is still on trial (its fallback would go), unless -f
# says so.  Of the keys the image trusts, each one's bundles install.
# The anti-rollback floor (the box marks a slot good, the floor rises):
# install 1.1, mark good, fall back to 1.0 by a failed trial of 1.2, then
# 1.0.5 is refused, with -f too; --lower-floor only from a console.
# Prints the time fwupdate -c takes on a 10 MiB bundle (the figure
# tests/bench/README.md cites).
import os
import pty
import re
import resource
import subprocess
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from fwbox import (BOARD, FWUPDATE, REVOKED_KEY, TEST_KEY, TEST_KEY2, Box,  # noqa: E402
                   missing, payload_bytes, sign, slot_max_mib, tfw)
from initns import Tap  # noqa: E402

if missing():
    print("Bail out! %s is not built (make test builds it)" % missing(), flush=True)
    sys.exit(1)

t = Tap(53)
box = Box(version="1.2.0")
work = box.work
write = box.put


def path(name):
    return os.path.join(work, name)


def read(p):
    with open(p, "rb") as f:
        return f.read()


def lines(r):
    return r.stderr.decode("utf-8", "replace").strip().splitlines()


def refused(name, bundle, reason, *flags, stdin=None, on=None):
    """One TAP line: the bundle is refused with reason, nothing changes."""
    box = on or globals()["box"]
    before = box.snapshot()
    r = box.fwupdate("-n", *flags, bundle, stdin=stdin)
    out = lines(r)
    said = [x for x in out if "refused" in x]
    t.ok(r.returncode == 1 and len(said) == 1 and re.search(reason, said[0])
         and box.snapshot() == before,
         "%s: refused (%s), ESP unchanged" % (name, said[0] if said else "no reason"),
         "exit %d, stderr:\n%s\nchanged: %s" % (
             r.returncode, "\n".join(out),
             sorted(set(box.snapshot().items()) ^ set(before.items()))))


try:
    # -h documents every flag.
    r = box.fwupdate("-h")
    usage = r.stdout.decode()
    t.ok(r.returncode == 0 and all(re.search(r"^  %s\b" % f, usage, re.M)
                                   for f in ("-f", "-n", "-c", "-s", "-E", "-R", "-e", "-h"))
         and "EXIT STATUS" in usage, "-h documents every flag and the exit status")

    r = box.fwupdate("-s")
    status = r.stdout.decode()
    key_ids = re.findall(r"^key id +([0-9a-f]{16})$", status, re.M)
    ids = [tfw("keyid", k).stdout.strip() for k in (TEST_KEY, TEST_KEY2, REVOKED_KEY)]
    t.ok(r.returncode == 0 and "board      pc_x86_64" in status and "version    1.2.0" in status
         and key_ids == ids and re.search(r"^revoked +%s$" % ids[2], status, re.M)
         and re.search(r"^floor +1\.2\.0$", status, re.M)
         and re.search(r"^slot A +tern-1-a\.efi, good, running, boots next$", status, re.M)
         and re.search(r"^slot B +empty$", status, re.M),
         "-s: board, version, trusted and revoked key ids, floor, slots",
         status + "\n".join(lines(r)))

    # A good bundle: into B, armed, A untouched.
    slot_a = box.read("tern-1-a.efi")
    p13 = write("slot-1.3.0", payload_bytes(300000, 13))
    b13 = sign(p13, path("tern-1.3.0.tfw"), "1.3.0")
    r = box.fwupdate("-n", b13)
    t.ok(r.returncode == 0 and box.files() == ["tern-1-a.efi", "tern-2-b+3.efi"],
         "1.3.0 is installed in slot B with 3 tries, nothing else on the ESP",
         "exit %d %s %s" % (r.returncode, box.files(), lines(r)))
    t.ok(box.read("tern-2-b+3.efi") == read(p13) and box.read("tern-1-a.efi") == slot_a,
         "slot B holds the payload byte for byte, slot A as it was")
    t.ok(any(re.search(r"installed 1\.3\.0 in slot B, armed for 3 trial boots", x)
             for x in lines(r)) and any("not rebooting (-n)" in x for x in lines(r)),
         "it says what it did, and that it does not reboot", "\n".join(lines(r)))

    # The box reboots into B: on trial, its fallback A is kept.
    box.boot("tern-2-b+3.efi", version="1.3.0")
    p14 = write("slot-1.4.0", payload_bytes(200000, 14))
    b14 = sign(p14, path("tern-1.4.0.tfw"), "1.4.0")
    refused("while B is on trial", b14, r"running slot B is on trial")
    # init marks B good: the next update goes to A.
    box.mark_good()
    r = box.fwupdate("-n", b14)
    t.ok(r.returncode == 0 and box.files() == ["tern-2-b.efi", "tern-3-a+3.efi"]
         and box.read("tern-3-a+3.efi") == read(p14) and box.read("tern-2-b.efi") == read(p13),
         "after B is marked good, 1.4.0 goes to slot A and B is untouched",
         "exit %d %s %s" % (r.returncode, box.files(), lines(r)))
    box.boot("tern-3-a+3.efi", version="1.4.0")
    box.mark_good()

    # Bad bundles, each refused with its reason; nothing written.
    good = read(b14)
    n = len(good)
    p15 = write("slot-1.5.0", payload_bytes(100000, 15))
    b15 = sign(p15, path("tern-1.5.0.tfw"), "1.5.0")
    g15 = read(b15)
    refused("wrong magic", write("magic.tfw", b"TERN-TFX" + g15[8:]), r"not a Tern firmware bundle")
    refused("an ELF file", write("elf.tfw", b"\x7fELF" + g15[4:]), r"bad magic")
    refused("empty file", write("empty.tfw", b""), r"truncated")
    for cut in (191, 1000, len(g15) - 1):
        refused("truncated to %d bytes" % cut, write("cut.tfw", g15[:cut]), r"truncated")
    refused("one byte too many", write("long.tfw", g15 + b"\0"), r"trailing bytes")
    flips = [(9, "format version", r"unknown bundle format version"),
             (20, "board field", r"bad signature|board name field"),
             (50, "version field", r"bad signature|version field"),
             (85, "payload length", r"truncated|trailing|larger than a slot"),
             (100, "payload SHA-256 field", r"payload corrupted"),
             (124, "key id", r"signed by a key this image does not trust"),
             (128, "first payload byte", r"payload corrupted"),
             (128 + 50000, "middle of the payload", r"payload corrupted"),
             (len(g15) - 64, "first signature byte", r"bad signature"),
             (len(g15) - 1, "last signature byte", r"bad signature")]
    for off, what, reason in flips:
        flipped = bytearray(g15)
        flipped[off] ^= 0x01
        refused("bit flipped in the %s (byte %d)" % (what, off), write("flip.tfw", flipped), reason)

    other = path("other-key.pem")
    r = tfw("keygen", other)
    b_other = sign(p15, path("other.tfw"), "1.5.0", key=other)
    refused("signed by another key", b_other,
            r"signed by a key this image does not trust: key id [0-9a-f]{16}, "
            r"this image trusts %s" % ", ".join(ids))
    refused("signed by a revoked key (trusted too)",
            sign(p15, path("revoked.tfw"), "1.5.0", key=REVOKED_KEY),
            r"signed by a key this image has revoked: key id %s" % ids[2])
    refused("another board", sign(p15, path("board.tfw"), "1.5.0", board="qemu_x86_64"),
            r"built for another board: qemu_x86_64, this box is pc_x86_64")
    refused("older version", sign(p14, path("old.tfw"), "1.4.0"),
            r"older than the running firmware: 1\.4\.0, running 1\.5\.0 \(-f installs it anyway\)",
            "-R", write("rel150", b"board pc_x86_64\nversion 1.5.0\n"))
    refused("older by number, not by text (1.10.0 running, 1.9.0 offered)",
            sign(p13, path("old2.tfw"), "1.9.0"), r"older", "-R", write("rel110", b"board pc_x86_64\nversion 1.10.0\n"))
    big = write("big", payload_bytes(slot_max_mib() * 1048576 + 1, 16))
    refused("payload one byte larger than a slot", sign(big, path("big.tfw"), "1.5.0"),
            r"payload larger than a slot: at most %d bytes" % (slot_max_mib() * 1048576))
    os.unlink(big)
    os.unlink(path("big.tfw"))
    refused("bad bundle on standard input", "-", r"bad signature", stdin=bytes(flipped))

    # -c checks and writes nothing; "-" reads standard input; -f installs an older one.
    before = box.snapshot()
    r = box.fwupdate("-c", b15)
    t.ok(r.returncode == 0 and box.snapshot() == before
         and any("good: board pc_x86_64, version 1.5.0 (running 1.4.0)" in x for x in lines(r)),
         "-c: a good bundle is reported good and nothing is written", "\n".join(lines(r)))
    # The figure tests/bench/README.md cites: verifying a 10 MiB bundle.
    p10 = write("slot-10m", payload_bytes(10 << 20, 10))
    b10 = sign(p10, path("ten.tfw"), "1.5.0")
    cpu0, wall0 = resource.getrusage(resource.RUSAGE_CHILDREN), time.monotonic()
    r = box.fwupdate("-c", b10)
    cpu1, wall = resource.getrusage(resource.RUSAGE_CHILDREN), time.monotonic() - wall0
    user, system = cpu1.ru_utime - cpu0.ru_utime, cpu1.ru_stime - cpu0.ru_stime
    t.ok(r.returncode == 0 and box.snapshot() == before,
         "-c on a 10 MiB bundle: good, nothing written", "\n".join(lines(r)))
    t.diag("verify a 10 MiB bundle (fwupdate -c, the host build with ASan and UBSan): "
           "%.2f s CPU (%.2f user, %.2f system), %.2f s wall" % (user + system, user, system, wall))
    os.unlink(p10)
    os.unlink(b10)
    r = box.fwupdate("-n", "-", stdin=g15)
    t.ok(r.returncode == 0 and box.read(box.slot_file("b")) == read(p15)
         and box.slot_file("b").endswith("+3.efi") and box.read("tern-3-a.efi") == read(p14),
         "a bundle on standard input goes to slot B", "%s %s" % (box.files(), lines(r)))
    # -f installs an older version, but not below the floor (1.4.0 here).
    refused("-f: older, and below the floor", sign(p13, path("old.tfw"), "1.3.0"),
            r"below this box's anti-rollback floor: 1\.3\.0, floor 1\.4\.0 \(-f does not lower it",
            "-f")
    box.set_floor("1.3.0\n")  # as fwupdate --lower-floor 1.3.0 on the console
    r = box.fwupdate("-n", "-f", sign(p13, path("old.tfw"), "1.3.0"))
    t.ok(r.returncode == 0 and box.read(box.slot_file("b")) == read(p13),
         "-f installs an older version, not below the floor", "\n".join(lines(r)))
    # -f over a slot on trial: B (1.3.0) boots on trial; A is its fallback.
    box.boot(box.slot_file("b"), version="1.3.0")
    refused("while B is on trial, again", b15, r"running slot B is on trial")
    r = box.fwupdate("-n", "-f", b15)
    a = box.slot_file("a")
    t.ok(r.returncode == 0 and a and a.endswith("+3.efi") and box.read(a) == read(p15)
         and box.read(box.running) == read(p13),
         "-f installs over a slot on trial: 1.5.0 goes to its fallback A, B untouched",
         "exit %d %s %s" % (r.returncode, box.files(), lines(r)))
    box.mark_good()

    # The box's own state missing: exit 111, nothing written.
    before = box.snapshot()
    r = box.fwupdate("-n", "-R", path("no-release"), b15)
    r2 = box.fwupdate("-n", path("no-such.tfw"))
    t.ok(r.returncode == 111 and "unable to tell the running firmware" in lines(r)[-1]
         and r2.returncode == 111 and "unable to read" in lines(r2)[-1]
         and box.snapshot() == before,
         "no release file, no bundle file: exit 111, nothing written",
         "%s\n%s" % (lines(r), lines(r2)))
    r = box.fwupdate("-n")
    r2 = box.fwupdate("-n", "ftp://192.0.2.1/x.tfw")
    t.ok(r.returncode == 100 and r2.returncode == 100 and box.snapshot() == before,
         "no bundle, or a URL that is not tftp://: usage error 100")

    # A bundle signed with the second trusted key installs.
    r = box.fwupdate("-n", sign(p15, path("k2.tfw"), "1.5.0", key=TEST_KEY2))
    t.ok(r.returncode == 0 and box.read(box.slot_file("a")) == read(p15)
         and any("key id %s" % ids[1] in x for x in lines(r)),
         "a bundle signed with the second trusted key installs (its key id said)",
         "\n".join(lines(r)))
finally:
    box.close()

# The anti-rollback floor, the issue's way: install 1.1, mark good, fall
# back to 1.0 by a failed trial of 1.2, then try 1.0.5.
box = Box(version="1.0.0")
write = box.put
try:
    t.ok(box.floor() == "1.0.0\n", "the flashed slot A (1.0.0) boots good: floor 1.0.0",
         repr(box.floor()))
    p = {v: write("slot-" + v, payload_bytes(20000 + n, 100 + n))
         for n, v in enumerate(("1.0.5", "1.1.0", "1.2.0"))}
    b = {v: sign(p[v], os.path.join(box.work, v + ".tfw"), v) for v in p}
    r = box.fwupdate("-n", b["1.1.0"])
    box.boot(box.slot_file("b"), version="1.1.0")
    t.ok(r.returncode == 0 and box.floor() == "1.0.0\n",
         "1.1.0 installed in B and booted on trial: the floor stays 1.0.0", repr(box.floor()))
    box.mark_good()
    r = box.fwupdate("-s")
    t.ok(box.floor() == "1.1.0\n" and re.search(r"^floor +1\.1\.0$", r.stdout.decode(), re.M),
         "B marked good: the floor rises to 1.1.0 (-s says so)", r.stdout.decode())
    # Slot A (1.0.0) booted once more, from the boot menu, say: B is the
    # other slot now, and 1.2.0 goes there.
    box.boot("tern-1-a.efi", version="1.0.0")
    r = box.fwupdate("-n", b["1.2.0"])
    t.ok(r.returncode == 0 and box.slot_file("b").endswith("+3.efi") and box.floor() == "1.1.0\n",
         "on 1.0.0, below the floor, 1.2.0 (above it) installs into B", "\n".join(lines(r)))
    # 1.2.0 fails its three tries; systemd-boot falls back to A, 1.0.0.
    for _ in range(3):
        box.boot(box.slot_file("b"), version="1.2.0")
    box.boot("tern-1-a.efi", version="1.0.0")
    t.ok(box.slot_file("b").endswith("+0-3.efi") and box.floor() == "1.1.0\n",
         "1.2.0 failed its tries, 1.0.0 runs again: the floor stays 1.1.0",
         "%s %r" % (box.files(), box.floor()))
    refused("1.0.5 after the fallback (newer than 1.0.0 running, below the floor 1.1.0)",
            b["1.0.5"], r"below this box's anti-rollback floor: 1\.0\.5, floor 1\.1\.0", on=box)
    refused("1.0.5 with -f", b["1.0.5"], r"below this box's anti-rollback floor", "-f", on=box)
    r = box.fwupdate("-c", b["1.0.5"])
    t.ok(r.returncode == 1 and "anti-rollback floor" in lines(r)[-1],
         "-c says so too", "\n".join(lines(r)))
    r = box.fwupdate("-n", b["1.1.0"])
    t.ok(r.returncode == 0 and box.read(box.slot_file("b")) == read(p["1.1.0"]),
         "1.1.0, at the floor, installs", "\n".join(lines(r)))

    # --lower-floor: only typed on a console.  Not from a pipe, a file or
    # a pseudo-terminal (a remote shell); nothing written.
    before = box.snapshot()
    r = box.fwupdate("--lower-floor", "1.0.0", stdin=b"")
    r2 = subprocess.run([FWUPDATE, "-E", box.esp, "--lower-floor", "1.0.0"],
                        stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
    master, slave = pty.openpty()
    try:
        r3 = subprocess.run([FWUPDATE, "-E", box.esp, "--lower-floor", "1.0.0"],
                            stdin=slave, capture_output=True, timeout=60)
    finally:
        os.close(master)
        os.close(slave)
    t.ok(all(x.returncode == 1 and b"console" in x.stderr for x in (r, r2, r3))
         and box.snapshot() == before and box.floor() == "1.1.0\n",
         "--lower-floor from a pipe, /dev/null or a pseudo-terminal: refused, floor kept",
         "%s\n%s\n%s" % (r.stderr, r2.stderr, r3.stderr))
    r = box.fwupdate("--lower-floor", "1.0")
    r2 = box.fwupdate("--lower-floor", "1.0.0", "-f")
    t.ok(r.returncode == 100 and r2.returncode == 100 and box.snapshot() == before,
         "--lower-floor with a bad version or another flag: usage error 100")

    # A floor that is not a version stops updates (it would be no floor);
    # -s says it is unreadable.
    box.set_floor("garbage\n")
    before = box.snapshot()
    r = box.fwupdate("-n", b["1.2.0"])
    r2 = box.fwupdate("-s")
    t.ok(r.returncode == 111 and "anti-rollback floor" in lines(r)[-1]
         and "--lower-floor" in lines(r)[-1] and box.snapshot() == before
         and re.search(r"^floor +unreadable", r2.stdout.decode(), re.M),
         "a damaged floor: exit 111, nothing written, -s says it is unreadable",
         "%s\n%s" % (lines(r), r2.stdout.decode()))
finally:
    box.close()
t.done()
