#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# A file truncated under a netascii RRQ (whose conversion reads the file's
# mapping in user space, where a page past the new end faults with SIGBUS:
# app/lib/files.h, files_guard) ends that transfer, not the server.  The
# raw client takes a 1 MiB text file's first blocks in lockstep, the file
# is truncated to 100 bytes, the client ACKs on:
#   the transfer ends within 64 more blocks (our tftpd: ERROR 0 "the file
#   was truncated while being sent"; another server may end it with a
#   short block);
#   the server is still running and serves the next RRQ whole;
#   it logs the transfer failed, with the reason;
# and a 1 MiB binary file truncated under an octet RRQ in lockstep (whose
# bytes the kernel copies: a send from past the new end fails, with no
# packet and nothing the client sees): with -t 1 -R 5 the transfer ends
# with our ERROR "truncated" within 3 s of the client's last ACK, at its
# first timeout, whose resend reads the window again (app/tftpd/rrq.c),
# not 5 s later for its retries ("timed out").
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import tftpraw as R  # noqa: E402
from tftpd import KIND, Lab, Tap, require_server  # noqa: E402

require_server()
t = Tap(4)
text = b"".join(b"line %06d of the text\n" % i for i in range(48000))[:1 << 20]
small = b"a small file\n" * 10


def truncated_under(lab, name, mode):
    """A lockstep RRQ of name; the file truncated to 100 bytes after the
    4th block, ACKs going on: how it ended (the ERROR Packet, or words)
    and the DATA blocks seen."""
    p = R.Peer(lab.cli, "192.0.2.1")
    p.send(R.rrq(name, mode))
    seen, end, tid = [], None, None
    for n in range(1, 80):
        pkt, addr = p.recv(3)
        if pkt is None:
            end = "nothing within 3 s after %d blocks" % len(seen)
            break
        tid = tid or addr
        if pkt.op == R.ERROR:
            end = pkt
            break
        if pkt.op != R.DATA:
            end = "unexpected %r" % pkt
            break
        seen.append(pkt)
        if n == 4:
            os.truncate(os.path.join(lab.root, name), 100)
        p.send(R.ack(pkt.block), tid)
        if len(pkt.payload) < 512:
            end = "a short block %d" % pkt.block
            break
    p.close()
    ours = isinstance(end, R.Packet) and "truncated" in end.message
    return ours or (KIND != "tern" and isinstance(end, str) and end.startswith("a short")), \
        end, seen


with Lab(t, {"text": text, "small": small, "bin": os.urandom(1 << 20)}, timeout=1,
         retries=5) as lab:
    ok, end, seen = truncated_under(lab, "text", "netascii")
    t.ok(ok and len(seen) < 4 + 64,
         "truncated under a netascii RRQ: the transfer ends (%r after %d blocks)"
         % (end, len(seen)), lab.server.tail())
    x = R.get(lab.cli, "192.0.2.1", "small")
    t.ok(lab.server.running() and x.ok and x.data == small,
         "the server goes on: the next RRQ whole", "%r%s" % (x, lab.server.tail()))
    ok = KIND != "tern" or lab.server.daemon.seen(r"RRQ text .*failed .*truncated", 5)
    t.ok(ok, "logged: the transfer failed, the file truncated", lab.server.tail())

    ok, end, seen = truncated_under(lab, "bin", "octet")
    t.ok(ok, "truncated under an octet RRQ: the transfer ends at its first timeout (%r after %d "
         "blocks)" % (end, len(seen)), lab.server.tail())
