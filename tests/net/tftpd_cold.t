#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# tftpd: a large file not in the page cache is read ahead off the loop
# (app/tftpd/rrq.c, read_ahead), so a disk that is slow to answer stalls
# only the transfers that wait for it.  The root is a FUSE file system
# (lib/heldfs.py) whose reads of big* wait while the test holds them; the
# server runs with -t 1 -R 3:
#   a client asks for the cold 8 MiB big.img (blksize 1468, windowsize 4)
#   and the disk's first read arrives and waits; meanwhile another
#   client's small file is sent whole (a loop waiting for the disk would
#   send nothing until the hold ends); released after 2 s, past the
#   timeout twice: the first client gets every byte, the same bytes, and
#   the server logs no block retransmitted (the wait was the disk's, not
#   the client's) and four windows read ahead;
#   held past the retries' time (3 s): the transfer ends with ERROR 0
#   "timed out reading the file", the server still answers others, and
#   once the disk answers it serves big.img whole again.
import hashlib
import os
import sys
import threading
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import heldfs  # noqa: E402
import tftpraw as R  # noqa: E402
from heldfs import wait_for  # noqa: E402
from tftpd import KIND, Lab, Tap, require_server, skip_all  # noqa: E402

require_server()
heldfs.require(skip_all)
if KIND != "tern":
    skip_all("what is checked is how our tftpd reads ahead (TFTPD_UNDER_TEST=%s)" % KIND)
t = Tap(7)
BIG = 8 << 20


class Fetch(threading.Thread):
    """R.get of big.img in the background; .x is its Transfer."""

    def __init__(self, lab):
        super().__init__(daemon=True)
        self.lab, self.x = lab, None

    def run(self):
        self.x = R.get(self.lab.cli, "192.0.2.1", "big.img", blksize=1468, windowsize=4,
                       rto=1.0, retries=30, limit=60)


with Lab(t, {}, start=False, timeout=1, retries=3) as lab:
    src = lab.path("src")
    os.makedirs(src)
    big, small = heldfs.boot_files(src, BIG)
    with heldfs.Mounted(src, lab.root) as fs:
        lab.start()
        a = Fetch(lab)
        a.start()
        t.ok(wait_for(fs.reads, 10),
             "a client asks for a cold 8 MiB file: the disk's first read arrives and waits",
             "no read of /big.img reached the file system" + lab.server.tail())
        b = R.get(lab.cli, "192.0.2.1", "boot.ipxe", limit=10)
        still = fs.held()
        t.ok(b.ok and b.data == small and still,
             "while it waits, another client's small file is sent whole",
             "%r, hold %s%s" % (b, still, lab.server.tail()))
        time.sleep(2)  # the server's timeout (-t 1) twice
        fs.release()
        a.join(70)
        ok = a.x is not None and a.x.ok and hashlib.sha256(a.x.data).digest() == \
            hashlib.sha256(big).digest()
        t.ok(ok, "released: the first client gets every byte, the same bytes", repr(a.x))
        t.ok(lab.server.daemon.seen(r"RRQ big\.img octet .*: %d bytes .* 0 retransmitted" % BIG,
                                    5),
             "logged done, no block retransmitted: the wait was the disk's, not the client's",
             lab.server.tail())
        n = lab.server.counter(r"(\d+) reads ahead")
        t.ok(n == 4, "counters: 4 windows read ahead (8 MiB in 2 MiB), got %s" % n,
             lab.server.tail())

        fs.hold()
        c = Fetch(lab)
        c.start()
        arrived = wait_for(fs.reads, 10)
        c.join(15)
        b = R.get(lab.cli, "192.0.2.1", "boot.ipxe", limit=10)
        still = fs.held()
        t.ok(arrived and c.x is not None and c.x.error is not None and
             c.x.error.message == "timed out reading the file" and b.ok and still,
             "held past the retries' time (3 s): ERROR \"timed out reading the file\"; "
             "others still served", "arrived %s, %r, %r, hold %s%s"
             % (arrived, c.x, b, still, lab.server.tail()))
        fs.release()
        d = Fetch(lab)
        d.run()
        t.ok(d.x.ok and d.x.data == big and lab.server.running(),
             "the disk answers again: big.img whole", repr(d.x) + lab.server.tail())
