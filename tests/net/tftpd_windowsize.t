#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# RFC 7440 windowsize.
# On a plain veth link, step by step with the raw client (blksize 512,
# the server's timeout 2 s, -w 16):
#   windowsize 8 asked: OACK windowsize 8; after ACK 0 exactly DATA 1..8
#   come, then nothing until an ACK; ACK 3 (as if 4 were lost): DATA
#   4..11, the window resent from the first unacknowledged block; ACK 11:
#   DATA 12..19; ACK 11 again (stale): nothing resent (a duplicate ACK is
#   no retransmission trigger: Sorcerer's Apprentice); ACK 19: DATA 20..;
#   windowsize 100 asked: 16 granted (-w 16).
# Over wire.c's link, 1 ms each way and 0.5 % of UDP packets lost each
# way (seeded): atftp --option "windowsize 8" and "windowsize 64", the
# raw client at windowsize 64 and tftpload with 4 transfers at
# windowsize 64 each read a 1 MB file at blksize 1468, exactly.
import hashlib
import os
import re
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import tftpraw as R  # noqa: E402
from clients import atftp  # noqa: E402
from tftpd import Lab, Tap, pattern, require, require_server, sha256_file, tern_out  # noqa: E402

require_server()
require("windowsize")
small = pattern(40 * 512, 16)
big = pattern(1000000, 17)


def blocks(p, wait=0.3):
    return [pkt.block if pkt.op == R.DATA else pkt for pkt, _ in p.drain(wait)]


t = Tap(12)
with Lab(t, {"f": small}, timeout=2, max_window=16) as lab:
    with R.Peer(lab.cli, "192.0.2.1") as p:
        p.send(R.rrq("f", blksize=512, windowsize=8))
        pkt, tid = p.recv(2)
        t.ok(pkt is not None and pkt.op == R.OACK and pkt.option("windowsize") == "8",
             "windowsize 8: OACK windowsize 8", repr(pkt))
        for ack, want, what in (
                (0, list(range(1, 9)), "ACK 0: DATA 1..8, then nothing until an ACK"),
                (3, list(range(4, 12)), "ACK 3: DATA 4..11, resent from the first unacknowledged"),
                (11, list(range(12, 20)), "ACK 11: DATA 12..19"),
                (11, [], "ACK 11 again (stale): nothing resent"),
                (19, list(range(20, 28)), "ACK 19: DATA 20..27")):
            p.send(R.ack(ack), tid)
            got = blocks(p)
            t.ok(got == want, what, "got %r" % got)
        p.send(R.error(0, "done"), tid)
    x = R.get(lab.cli, "192.0.2.1", "f", blksize=512, windowsize=100)
    t.ok(x.ok and x.data == small and x.oack.option("windowsize") == "16",
         "windowsize 100 asked of -w 16: 16 granted, the file whole", repr(x))

want = hashlib.sha256(big).hexdigest()
with Lab(t, {"big": big}, wire=(1000, 5000)) as lab:
    for w in (8, 64):
        out = lab.path("atftp%d" % w)
        r = lab.cli.run(atftp("get", "192.0.2.1", "big", out, blksize=1468, windowsize=w,
                              tsize=False), timeout=60)
        t.ok(sha256_file(out) == want,
             "atftp windowsize %d, 1 ms and 0.5 %% loss each way: the exact file" % w,
             "exit %r %s %s" % (r.returncode, r.stdout[-300:], r.stderr[-300:]))
    x = R.get(lab.cli, "192.0.2.1", "big", blksize=1468, windowsize=64, limit=60)
    t.ok(x.ok and x.data == big, "raw client windowsize 64: the exact file", repr(x))
    t.diag("raw client: %.2f s, %d retransmissions" % (x.seconds, x.retransmits))
    r = lab.cli.run([tern_out("tests", "tftpload"), "-n", "4", "-b", "1468", "-w", "64",
                     "-k", os.path.join(lab.root, "big"), "-d", "60", "192.0.2.1", "69",
                     "big"], timeout=70)
    f = dict(re.findall(r"(\w+)=(\S+)", r.stdout))
    t.ok(r.returncode == 0 and f.get("ok") == "4",
         "tftpload, 4 transfers at windowsize 64: each exact", r.stdout + r.stderr)
    t.diag("tftpload: %s" % r.stdout.strip())
    lab.wire.stop()
    t.diag(lab.wire.tail(1).strip())
    t.ok(lab.server.running(), "the server still runs", lab.server.tail())
t.done()
