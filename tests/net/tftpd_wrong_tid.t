#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# A packet from a wrong transfer ID (RFC 1350 section 4: "an error packet
# should be sent to the source of the incorrect packet, while not
# disturbing the transfer"): a transfer of 20 blocks of 512 runs lockstep
# from port A; after DATA 1, another port of the same host sends ACK 1,
# then DATA, to the transfer's port, and so does another address
# (192.0.2.3); each intruder gets ERROR 5, port A gets nothing extra
# (no DATA 2 before its own ACK 1), and the transfer then completes
# with exactly the file.
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import tftpraw as R  # noqa: E402
from tftpd import Lab, Tap, differs, pattern, require_server  # noqa: E402

require_server()
content = pattern(20 * 512 + 100, 9)

t = Tap(8)
with Lab(t, {"f": content}, timeout=2) as lab:
    other = lab.net.alias(lab.cli, 3)[0]
    a = R.Peer(lab.cli, "192.0.2.1")
    a.send(R.rrq("f"))
    pkt, tid = a.recv(2)
    if pkt is None or pkt.op != R.DATA or pkt.block != 1:
        t.abort("RRQ answered with DATA 1: got %r" % pkt)
    chunks = [pkt.payload]
    for who, bind in (("another port", None), ("another address", other)):
        with R.Peer(lab.cli, "192.0.2.1", bind=bind) as b:
            for what, raw in (("ACK 1", R.ack(1)), ("DATA 1", R.data(1, b"x" * 512))):
                b.send(raw, tid)
                got, frm = b.recv(2)
                t.ok(got is not None and got.op == R.ERROR and got.code == 5 and frm == tid,
                     "%s sends %s to the transfer's port: ERROR 5 from it" % (who, what),
                     "got %r from %r" % (got, frm),
                     todo=differs("drops them unanswered (its transfer socket is connected)"))
    extra = a.drain(0.2)
    t.ok(all(p.op == R.DATA and p.block == 1 for p, _ in extra),
         "the transfer's client got nothing but (at most) DATA 1 again",
         repr([p for p, _ in extra]))
    block = 1
    while True:
        a.send(R.ack(block), tid)
        if len(chunks[-1]) < 512:
            break
        pkt, frm = a.recv(3)
        while pkt is not None and pkt.op == R.DATA and pkt.block == block:
            pkt, frm = a.recv(3)  # a retransmission of the last one
        if pkt is None or pkt.op != R.DATA or pkt.block != block + 1 or frm != tid:
            break
        chunks.append(pkt.payload)
        block += 1
    t.ok(b"".join(chunks) == content,
         "the transfer completes with exactly the file (%d blocks)" % block,
         "stopped at block %d with %r" % (block, pkt))
    a.close()
    x = R.get(lab.cli, "192.0.2.1", "f", blksize=1024)
    t.ok(x.ok and x.data == content and x.stray == 0, "the next transfer is served", repr(x))
    t.ok(lab.server.running(), "the server still runs", lab.server.tail())
t.done()
