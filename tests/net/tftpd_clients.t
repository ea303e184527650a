#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Real clients nobody here wrote -- tftp-hpa, atftp, curl, BusyBox tftp --
# each read files of several sizes from tftpd over a veth link, and every
# file arrives whole (sha256 of what the client wrote = the file's):
#   empty, 1 byte, 511, 512 and 1024 (a last DATA of 0 bytes), 3 full
#   1468-byte blocks plus 1, 100 kB -- at blksize 1468 (tftp-hpa has no
#   options: 512);
#   (curl is not given the empty one: curl 7.88 refuses an OACK whose
#   tsize is 0, lib/tftp.c, so it cannot read an empty file from any
#   server that offers tsize -- tftpd-hpa included)
#   32 MiB + 1000 bytes at blksize 512: 65538 blocks, so block numbers
#   roll over from 65535 to 0 (RFC 1350 has 16 bits; tftpd wraps to 0
#   by default, which every one of these clients expects).
# atftp as its manual says, --option "tsize enable", which puts the word
# "enable" where RFC 2349 has 0 (tftpd-hpa takes it too).
# Then the server is still running.
import hashlib
import os
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from clients import CLIENTS, atftp, get_argv  # noqa: E402
from tftpd import Lab, Tap, pattern, require_server  # noqa: E402

require_server()
SMALL = {"empty": 0, "one": 1, "b511": 511, "b512": 512, "b1024": 1024,
         "b4405": 3 * 1468 + 1, "b100k": 100000}
ROLLOVER = 65536 * 512 + 1000
files = {name: pattern(size, i) for i, (name, size) in enumerate(SMALL.items())}
files["rollover"] = pattern(ROLLOVER, 99)
sums = {name: hashlib.sha256(b).hexdigest() for name, b in files.items()}

t = Tap(len(CLIENTS) * (len(SMALL) + 1) + 1)
with Lab(t, files) as lab:
    def fetch(client, name, blksize, timeout, argv=None, how=""):
        out = lab.path("%s.%s" % (client, name))
        start = time.monotonic()
        r = lab.cli.run(argv or get_argv(client, "192.0.2.1", name, out, blksize),
                        timeout=timeout)
        took = time.monotonic() - start
        try:
            with open(out, "rb") as f:
                got = hashlib.sha256(f.read()).hexdigest()
            os.unlink(out)
        except OSError:
            got = None
        what = "%s reads %s (%d bytes) at blksize %s%s" % (
            client, name, len(files[name]), blksize or 512, how)
        t.ok(r.returncode == 0 and got == sums[name], what,
             "exit %r, sha256 %s (want %s), %.2f s\n%s%s%s"
             % (r.returncode, got, sums[name], took, r.stdout[-500:], r.stderr[-500:],
                lab.server.tail()))
        return took

    for client in CLIENTS:
        blksize = None if client == "tftp-hpa" else 1468
        for name in SMALL:
            if not (client == "curl" and not files[name]):
                fetch(client, name, blksize, 10)
        took = fetch(client, "rollover", None if client == "tftp-hpa" else 512, 40)
        t.diag("%s: %d blocks of 512 in %.2f s" % (client, ROLLOVER // 512 + 1, took))
    fetch("atftp", "b100k", 1468, 10,
          atftp("get", "192.0.2.1", "b100k", lab.path("atftp.b100k"), blksize=1468, tsize=True),
          how=', --option "tsize enable"')
    t.ok(lab.server.running(), "the server still runs", lab.server.tail())
t.done()
