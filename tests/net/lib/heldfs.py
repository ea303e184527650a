#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""heldfs.py SRC MNT HOLD -- a read-only FUSE file system (fusepy) showing
SRC at MNT, whose reads of a file named big* wait while the file HOLD
exists: a disk that does not answer, for as long as a test wants, with no
clock in it.  Each such read is logged to HOLD.log ("read PATH OFFSET
SIZE") when it arrives.  Runs in the foreground until MNT is unmounted.
Page cache: FUSE drops a file's cached pages when it is opened again (no
keep_cache), so each open of big* starts cold."""
import os
import sys
import time

from fusepy import FUSE, Operations

ATTRS = ("st_mode", "st_size", "st_nlink", "st_uid", "st_gid", "st_atime", "st_mtime",
         "st_ctime")


class Held(Operations):
    def __init__(self, src, hold):
        self.src, self.hold = src, hold

    def getattr(self, path, fh=None):
        st = os.lstat(self.src + path)
        return {k: getattr(st, k) for k in ATTRS}

    def open(self, path, flags):
        return os.open(self.src + path, os.O_RDONLY)

    def read(self, path, size, offset, fh):
        if os.path.basename(path).startswith("big"):
            with open(self.hold + ".log", "a") as f:
                f.write("read %s %d %d\n" % (path, offset, size))
            while os.path.exists(self.hold):
                time.sleep(0.02)
        return os.pread(fh, size, offset)

    def release(self, path, fh):
        os.close(fh)


if __name__ == "__main__":
    src, mnt, hold = sys.argv[1:4]
    FUSE(Held(src, hold), mnt, foreground=True, ro=True, allow_other=True)
