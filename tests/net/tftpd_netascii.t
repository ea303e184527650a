#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# RRQ in netascii mode (RFC 1350, line ends as RFC 764 has them): a file
# of LF, CR LF, lone CR, NUL and 8-bit bytes, with a CR as the last byte
# of the first 512-byte block (its expansion is cut by the block's end):
#   curl ;mode=netascii writes what came on the wire: LF as CR LF, CR as
#     CR NUL, exactly (curl does not decode);
#   tftp-hpa -m ascii decodes it back: the file as it is;
#   the raw client at blksize 512 and 8 (every block boundary cuts
#     something) gets the same wire bytes as curl;
#   tsize asked with netascii: no tsize in the OACK (the size on the
#     wire is not the file's), blksize still granted -- not an ERROR;
#   the mode is matched without case (NetASCII).
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import tftpraw as R  # noqa: E402
from clients import curl, tftp_hpa  # noqa: E402
from tftpd import Lab, Tap, differs, require_server  # noqa: E402

require_server()
text = (b"line one\n" + b"x" * 501 + b"\r" + b"\n"  # CR ends block 1 on the wire
        + b"dos line\r\n" + b"old mac\rcr alone\r" + b"nul\0byte\n"
        + bytes(range(128, 256)) + b"\n" * 300 + b"\r" * 300 + b"end")
wire = R.netascii(text)

t = Tap(7)
with Lab(t, {"text": text}) as lab:
    out = lab.path("curl")
    r = lab.cli.run(curl("192.0.2.1", "text", out, mode="netascii"), timeout=10)
    got = open(out, "rb").read() if os.path.exists(out) else None
    t.ok(r.returncode == 0 and got == wire, "curl ;mode=netascii: the netascii bytes",
         "exit %r %s\ngot  %r\nwant %r" % (r.returncode, r.stderr, got and got[:80], wire[:80]),
         todo=differs("answers netascii + tsize with ERROR 8, which curl always asks"))

    out = lab.path("hpa")
    r = lab.cli.run(tftp_hpa("get", "192.0.2.1", "text", out, mode="ascii"), timeout=10)
    got = open(out, "rb").read() if os.path.exists(out) else None
    t.ok(r.returncode == 0 and got == text, "tftp-hpa -m ascii: the file back as it was",
         "exit %r %s\ngot  %r" % (r.returncode, r.stderr, got and got[:80]))

    for blksize in (512, 8):
        x = R.get(lab.cli, "192.0.2.1", "text", mode="netascii", blksize=blksize)
        t.ok(x.ok and x.data == wire, "raw client, blksize %d: the netascii bytes" % blksize,
             "%r\ngot  %r\nwant %r" % (x, x.data[:80], wire[:80]))

    p = R.Peer(lab.cli, "192.0.2.1")
    p.send(R.rrq("text", "netascii", blksize=1024, tsize=0))
    pkt, _ = p.recv(2)
    t.ok(pkt is not None and pkt.op == R.OACK and pkt.option("tsize") is None
         and pkt.option("blksize") == "1024",
         "netascii with tsize 0: an OACK with blksize and without tsize", repr(pkt),
         todo=differs("answers netascii + tsize with ERROR 8"))
    if pkt is not None and pkt.op == R.OACK:
        p.send(R.error(0, "enough"), _)
    p.close()

    x = R.get(lab.cli, "192.0.2.1", "text", mode="NetASCII", blksize=1468)
    t.ok(x.ok and x.data == wire, "mode NetASCII (any case)", repr(x))
    t.ok(lab.server.running(), "the server still runs", lab.server.tail())
t.done()
