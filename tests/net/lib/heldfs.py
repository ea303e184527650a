#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""heldfs.py SRC MNT HOLD -- a read-only FUSE file system (fusepy) showing
SRC at MNT, whose reads of a file named big* wait while the file HOLD
exists: a disk that does not answer, for as long as a test wants, with no
clock in it.  Each such read is logged to HOLD.log ("read PATH OFFSET
SIZE") when it arrives.  Runs in the foreground until MNT is unmounted.
Page cache: FUSE drops a file's cached pages when it is opened again (no
keep_cache), so each open of big* starts cold.

As a module, for the tests (httpd_cold.t, tftpd_cold.t): require() skips
a test on a host without FUSE or fusepy; Mounted(src, mnt) runs this file
system for a with-block, held from the start (hold(), release()); reads()
are the held file's reads so far; wait_for(pred, timeout); boot_files()
writes the two files both tests serve."""
import os
import subprocess
import sys
import time

ATTRS = ("st_mode", "st_size", "st_nlink", "st_uid", "st_gid", "st_atime", "st_mtime",
         "st_ctime")
PYTHON = os.environ.get("PYTHON", "/usr/bin/python3")


def require(skip_all):
    if not os.path.exists("/dev/fuse"):
        skip_all("this host has no /dev/fuse (FUSE)")
    if subprocess.run([PYTHON, "-c", "import fusepy"], capture_output=True).returncode:
        skip_all("python3-fusepy is not installed (toolchain/host-packages)")


def wait_for(pred, timeout):
    deadline = time.monotonic() + timeout
    while not pred() and time.monotonic() < deadline:
        time.sleep(0.02)
    return pred()


def boot_files(src, size):
    """src/big.img (size random bytes, read held) and src/boot.ipxe (a
    small script, never held): their contents (big, small)."""
    big, small = os.urandom(size), b"#!ipxe\necho small\n" * 50
    for name, data in (("big.img", big), ("boot.ipxe", small)):
        with open(os.path.join(src, name), "wb") as f:
            f.write(data)
    return big, small


class Mounted:
    """SRC shown at MNT, reads of big* held (HOLD beside MNT) until
    release(); hold() holds them again and forgets the reads seen."""

    def __init__(self, src, mnt):
        self.src, self.mnt, self.hold_file = src, mnt, mnt.rstrip("/") + ".hold"
        self.log = self.hold_file + ".log"
        self.fs = None

    def __enter__(self):
        open(self.hold_file, "w").close()
        self.fs = subprocess.Popen([PYTHON, os.path.abspath(__file__), self.src, self.mnt,
                                    self.hold_file], stderr=subprocess.PIPE)
        if not wait_for(lambda: os.path.ismount(self.mnt) or self.fs.poll() is not None, 10) \
                or not os.path.ismount(self.mnt):
            self.fs.kill()
            raise RuntimeError("heldfs.py did not mount: %s"
                               % self.fs.communicate(timeout=5)[1].decode()[-300:])
        return self

    def hold(self):
        if os.path.exists(self.log):
            os.remove(self.log)
        open(self.hold_file, "w").close()

    def release(self):
        if os.path.exists(self.hold_file):
            os.remove(self.hold_file)

    def held(self):
        return os.path.exists(self.hold_file)

    def reads(self):
        try:
            with open(self.log) as f:
                return [line for line in f if line.startswith("read /big")]
        except FileNotFoundError:
            return []

    def __exit__(self, *exc):
        subprocess.run(["umount", "-l", self.mnt], capture_output=True)
        self.release()
        if os.path.exists(self.log):
            os.remove(self.log)
        self.fs.kill()
        self.fs.wait(timeout=10)


def serve(src, mnt, hold):
    from fusepy import FUSE, Operations

    class Held(Operations):
        def getattr(self, path, fh=None):
            st = os.lstat(src + path)
            return {k: getattr(st, k) for k in ATTRS}

        def open(self, path, flags):
            return os.open(src + path, os.O_RDONLY)

        def read(self, path, size, offset, fh):
            if os.path.basename(path).startswith("big"):
                with open(hold + ".log", "a") as f:
                    f.write("read %s %d %d\n" % (path, offset, size))
                while os.path.exists(hold):
                    time.sleep(0.02)
            return os.pread(fh, size, offset)

        def release(self, path, fh):
            os.close(fh)

    FUSE(Held(), mnt, foreground=True, ro=True, allow_other=True)


if __name__ == "__main__":
    serve(*sys.argv[1:4])
