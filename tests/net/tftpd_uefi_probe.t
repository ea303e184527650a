#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# The UEFI PXE size probe: firmware sends RRQ with tsize 0 (and blksize),
# reads the size from the OACK, answers it with ERROR 8 ("option
# negotiation refused" -- it only wanted the size), then reads the file
# with a second RRQ.  The server must take the ERROR as the end of the
# first transfer (no OACK resent to it), and serve the second:
#   probe with blksize 1468 + tsize 0: OACK tsize = the size; ERROR 8;
#   silence on that port for 1.3 s (the server's timeout is 1 s, so an
#   OACK resent on timeout would have come);
#   the second RRQ from a new port: the whole file;
#   the same from one port for both (some firmware reuses it);
#   a probe answered by a 4-byte ERROR (no message, no NUL) ends too.
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import tftpraw as R  # noqa: E402
from tftpd import Lab, Tap, pattern, require_server  # noqa: E402

require_server()
content = pattern(300000, 10)
N = str(len(content))

t = Tap(9)
with Lab(t, {"bootx64.efi": content}, timeout=1) as lab:
    def probe(p, error):
        p.send(R.rrq("bootx64.efi", blksize=1468, tsize=0))
        pkt, tid = p.recv(2)
        t.ok(pkt is not None and pkt.op == R.OACK and pkt.option("tsize") == N
             and pkt.option("blksize") == "1468",
             "probe: OACK with tsize %s and blksize 1468" % N, repr(pkt))
        if pkt is None:
            return
        p.send(error, tid)
        later = p.drain(1.3)
        t.ok(not later, "after the client's ERROR 8, nothing more on that port",
             repr([q for q, _ in later]))

    with R.Peer(lab.cli, "192.0.2.1") as p:
        probe(p, R.error(8, "tsize only"))
    x = R.get(lab.cli, "192.0.2.1", "bootx64.efi", blksize=1468, tsize=0)
    t.ok(x.ok and x.data == content, "second RRQ from a new port: the whole file", repr(x))

    # one port for both: get() would open a new socket, so step by hand
    with R.Peer(lab.cli, "192.0.2.1") as p:
        probe(p, R.error(8, ""))
        p.send(R.rrq("bootx64.efi", blksize=1468))
        pkt, tid = p.recv(2)
        ok = pkt is not None and pkt.op == R.OACK
        blocks = []
        if ok:
            p.send(R.ack(0), tid)
            while True:
                pkt, _ = p.recv(2)
                if pkt is None or pkt.op != R.DATA or pkt.block != len(blocks) + 1:
                    break
                blocks.append(pkt.payload)
                p.send(R.ack(pkt.block), tid)
                if len(pkt.payload) < 1468:
                    break
        t.ok(b"".join(blocks) == content, "second RRQ from the same port: the whole file",
             "%d blocks, last %r" % (len(blocks), pkt))

    with R.Peer(lab.cli, "192.0.2.1") as p:
        probe(p, b"\0\x05\0\x08")
    t.ok(lab.server.running(), "the server still runs", lab.server.tail())
t.done()
