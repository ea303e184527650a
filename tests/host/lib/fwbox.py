# SPDX-License-Identifier: MIT
r"""fwbox.py -- a directory standing in for a box, for the tests of
fwupdate built for the host ($TERN_OUT/tests/fwupdate/fwupdate, which
trusts $TERN_OUT/tests/fwupdate/test-key.pem, test-key-2.pem and
test-key-revoked.pem, and revokes the last one's id; tests/tests.mk builds
them) and bundles made with the bundle tool ($TERN_OUT/host/bin/tfw).

    box = Box(version="1.2.0")      # esp/ with slot A good and running,
                                    # efivars/ saying so, release
    r = box.fwupdate("-n", bundle)  # subprocess.CompletedProcess (text)
    box.snapshot()                  # {path under esp/: sha256}: compare
                                    # before and after a refused bundle
    box.boot("tern-2-b+3.efi")      # what systemd-boot does: count a try,
                                    # say which entry it booted
    box.mark_good()                 # what init does once services are up:
                                    # drop the counter, raise the floor
    box.floor()                     # the anti-rollback floor's text, or None
    box.put("x.tfw", data)          # a file in the box's scratch folder

    sign(payload, out, version, board="pc_x86_64", key=TEST_KEY)
"""
import hashlib
import os
import random
import re
import shutil
import subprocess
import tempfile

TOP = os.environ.get("TERN_TOP") or os.path.abspath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
OUT = os.environ.get("TERN_OUT") or os.path.join(TOP, "out")
FWUPDATE = os.path.join(OUT, "tests", "fwupdate", "fwupdate")
TEST_KEY = os.path.join(OUT, "tests", "fwupdate", "test-key.pem")
TEST_KEY2 = os.path.join(OUT, "tests", "fwupdate", "test-key-2.pem")
REVOKED_KEY = os.path.join(OUT, "tests", "fwupdate", "test-key-revoked.pem")
TFW = os.path.join(OUT, "host", "bin", "tfw")
BOARD = "pc_x86_64"
# systemd-boot's LoaderEntrySelected in efivarfs (bootslot.c reads it).
ENTRY_VAR = "LoaderEntrySelected-4a67b082-0a4c-41cf-b6c7-440b29bb8c4f"
SLOT_NAME = re.compile(r"^tern-(\d+)-([ab])(?:\+(\d+)(?:-(\d+))?)?\.efi$")
# The anti-rollback floor on the ESP (app/lib/fwfloor.h).
FLOOR = os.path.join("EFI", "tern", "floor")


def missing():
    """What is not built, or None."""
    for path in (FWUPDATE, TFW, TEST_KEY, TEST_KEY2, REVOKED_KEY):
        if not os.access(path, os.R_OK):
            return path
    return None


def slot_max_mib():
    """FWUPDATE_SLOT_MAX of the build (app/fwupdate/settings.h's default
    when the board has no FWUPDATE)."""
    try:
        with open(os.path.join(OUT, "config.h")) as f:
            m = re.search(r"^#define CONFIG_FWUPDATE_SLOT_MAX (\d+)$", f.read(), re.M)
            return int(m.group(1)) if m else 20
    except OSError:
        return 20


def tfw(*args, **kw):
    return subprocess.run([TFW] + list(args), capture_output=True, text=True, timeout=120, **kw)


def sign(payload, out, version, board=BOARD, key=TEST_KEY):
    r = tfw("sign", "-k", key, "-b", board, "-V", version, payload, out)
    if r.returncode != 0:
        raise RuntimeError("tfw sign: %s" % r.stderr.strip())
    return out


def payload_bytes(size, seed):
    """size bytes, the same for a seed on every run, unlike any other seed's."""
    return random.Random(seed).randbytes(size)


class Box:
    def __init__(self, version="1.2.0", board=BOARD):
        self.dir = tempfile.mkdtemp(prefix="tern-fwbox-")
        self.esp = os.path.join(self.dir, "esp")
        self.slots = os.path.join(self.esp, "EFI", "Linux")
        self.efivars = os.path.join(self.dir, "efivars")
        self.release = os.path.join(self.dir, "release")
        self.work = os.path.join(self.dir, "work")
        os.makedirs(self.work)
        os.makedirs(self.slots)
        os.makedirs(self.efivars)
        # The rest of an ESP, which no update may touch.
        os.makedirs(os.path.join(self.esp, "EFI", "BOOT"))
        with open(os.path.join(self.esp, "EFI", "BOOT", "BOOTX64.EFI"), "wb") as f:
            f.write(payload_bytes(4096, 999))
        self.write_slot("tern-1-a.efi", payload_bytes(50000, 1))
        self.set_release(version, board)
        self.boot("tern-1-a.efi", count=False)

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def put(self, name, data):
        """data in the scratch folder (not the ESP); its path."""
        path = os.path.join(self.work, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def write_slot(self, name, data):
        with open(os.path.join(self.slots, name), "wb") as f:
            f.write(data)

    def set_release(self, version, board=BOARD):
        self.version = version
        with open(self.release, "w") as f:
            f.write("# test box\nboard %s\nversion %s\n" % (board, version))

    def floor(self):
        """The floor file's text, None when there is none."""
        try:
            with open(os.path.join(self.esp, FLOOR)) as f:
                return f.read()
        except FileNotFoundError:
            return None

    def set_floor(self, text):
        """Write the floor file as it is given (a test's stand-in for
        fwupdate --lower-floor on the console, or a damaged one)."""
        os.makedirs(os.path.dirname(os.path.join(self.esp, FLOOR)), exist_ok=True)
        with open(os.path.join(self.esp, FLOOR), "w") as f:
            f.write(text)

    def raise_floor(self):
        """What init does when the running slot is good: the floor rises to
        the running version (the release's), never falls."""
        now = self.floor()
        ver = tuple(int(x) for x in self.version.split("."))
        if now is None or tuple(int(x) for x in now.split(".")) < ver:
            self.set_floor(self.version + "\n")

    def fwupdate(self, *args, stdin=None, env=None, timeout=60):
        argv = [FWUPDATE, "-E", self.esp, "-R", self.release, "-e", self.efivars] + list(args)
        return subprocess.run(argv, input=stdin, capture_output=True, timeout=timeout,
                              env=env)

    def files(self):
        return sorted(os.listdir(self.slots))

    def slot_file(self, letter):
        """The file of slot 'a' or 'b' (the one of highest generation)."""
        best = None
        for name in self.files():
            m = SLOT_NAME.match(name)
            if m and m.group(2) == letter and (best is None or int(m.group(1)) > best[0]):
                best = (int(m.group(1)), name)
        return best and best[1]

    def read(self, name):
        with open(os.path.join(self.slots, name), "rb") as f:
            return f.read()

    def snapshot(self):
        snap = {}
        for root, dirs, files in os.walk(self.esp):
            for name in dirs + files:
                path = os.path.join(root, name)
                rel = os.path.relpath(path, self.esp)
                if os.path.isdir(path):
                    snap[rel + "/"] = None
                else:
                    with open(path, "rb") as f:
                        snap[rel] = hashlib.sha256(f.read()).hexdigest()
        return snap

    def boot(self, name, count=True, version=None):
        """Boot entry name as systemd-boot would: a counted entry uses a
        try (+L-D -> +(L-1)-(D+1), renamed first); then LoaderEntrySelected
        names it; version: the release it runs.  A good slot raises the
        floor, as init does.  Returns the name booted."""
        if version:
            self.set_release(version)
        m = SLOT_NAME.match(name)
        if count and m and m.group(3) is not None:
            left, done = int(m.group(3)), int(m.group(4) or 0)
            new = "tern-%s-%s+%d-%d.efi" % (m.group(1), m.group(2), left - 1, done + 1)
            os.rename(os.path.join(self.slots, name), os.path.join(self.slots, new))
            name = new
        with open(os.path.join(self.efivars, ENTRY_VAR), "wb") as f:
            f.write(b"\x06\x00\x00\x00" + name.encode("utf-16-le") + b"\x00\x00")
        self.running = name
        if SLOT_NAME.match(name) and SLOT_NAME.match(name).group(3) is None:
            self.raise_floor()
        return name

    def mark_good(self):
        """What init does once the services stayed up: drop the counter
        (LoaderEntrySelected keeps the name booted, as on a box)."""
        m = SLOT_NAME.match(self.running)
        good = "tern-%s-%s.efi" % (m.group(1), m.group(2))
        os.rename(os.path.join(self.slots, self.running), os.path.join(self.slots, good))
        self.running = good
        self.raise_floor()
        return good
