#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# tests/bench/tftpload (the bench's load client) against real clients: it
# reads the same 3 MB file as curl and atftp, at blksize 512 and 1468 and
# with windowsize 8 where the server has it, and writes the same bytes
# (sha256); with -k it checks 50 concurrent transfers byte by byte; and
# it reports a transfer that cannot be whole (a file that is not there,
# a reference of another size) as failed, exit 1.
import hashlib
import os
import re
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from clients import atftp, curl  # noqa: E402
from tftpd import Lab, Tap, pattern, require_server, sha256_file, supports, \
    tern_out  # noqa: E402

require_server()
LOAD = tern_out("tests", "tftpload")
if not os.access(LOAD, os.X_OK):
    print("Bail out! %s is not built (make %s)" % (LOAD, LOAD), flush=True)
    sys.exit(1)
SIZE = 3 * 1000 * 1000 + 7
content = pattern(SIZE, 5)
want = hashlib.sha256(content).hexdigest()


def fields(stdout):
    return dict(re.findall(r"(\w+)=(\S+)", stdout))


t = Tap(11)
# 50 transfers from one address: over the default per-client cap.
with Lab(t, {"f": content, "ref-short": content[:1000]}, per_client=100, max_transfers=200) as lab:
    ref = os.path.join(lab.root, "f")
    for blksize in (512, 1468):
        out = {}
        for name, argv in (
                ("tftpload", [LOAD, "-b", str(blksize), "-T", "-o", lab.path("load"),
                              "192.0.2.1", "69", "f"]),
                ("curl", curl("192.0.2.1", "f", lab.path("curl"), blksize=blksize)),
                ("atftp", atftp("get", "192.0.2.1", "f", lab.path("atftp"), blksize=blksize,
                                tsize=False))):
            r = lab.cli.run(argv, timeout=30)
            out[name] = (sha256_file(lab.path({"tftpload": "load"}.get(name, name))), r)
        t.ok(out["tftpload"][0] == out["curl"][0] == out["atftp"][0] == want,
             "blksize %d: tftpload, curl and atftp write the same bytes" % blksize,
             "\n".join("%s: %s exit %r %s" % (k, v[0], v[1].returncode, v[1].stderr[-300:])
                       for k, v in out.items()) + "\nwant " + want)
        f = fields(out["tftpload"][1].stdout)
        t.ok(f.get("ok") == "1" and f.get("bytes") == str(SIZE)
             and f.get("blksize") == str(blksize) and f.get("tsize") == str(SIZE),
             "blksize %d: tftpload reports 1 ok, %d bytes, the OACK's blksize and tsize"
             % (blksize, SIZE), out["tftpload"][1].stdout)

    if supports("windowsize"):
        r = lab.cli.run([LOAD, "-b", "1468", "-w", "8", "-o", lab.path("w8"),
                         "192.0.2.1", "69", "f"], timeout=30)
        f = fields(r.stdout)
        t.ok(sha256_file(lab.path("w8")) == want and f.get("windowsize") == "8",
             "windowsize 8: the same bytes, the OACK's windowsize read",
             r.stdout + r.stderr)
    else:
        t.ok(True, "windowsize 8: # SKIP tftpd-hpa has no windowsize")

    r = lab.cli.run([LOAD, "-n", "50", "-b", "1468", "-T", "-k", ref, "192.0.2.1", "69", "f"],
                    timeout=60)
    f = fields(r.stdout)
    t.ok(r.returncode == 0 and f.get("ok") == "50" and f.get("failed") == "0"
         and f.get("bytes") == str(50 * SIZE),
         "50 concurrent transfers, each checked against the file", r.stdout + r.stderr)
    t.ok(float(f.get("mibps", 0)) > 0 and float(f.get("seconds", 0)) > 0,
         "it reports seconds and MiB/s", r.stdout)

    r = lab.cli.run([LOAD, "-b", "1468", "-R", "2", "-x", "200", "192.0.2.1", "69", "nothere"],
                    timeout=10)
    f = fields(r.stdout)
    t.ok(r.returncode == 1 and f.get("failed") == "1" and "ERROR 1" in r.stderr,
         "a missing file: failed, with the server's ERROR 1", r.stdout + r.stderr)

    r = lab.cli.run([LOAD, "-b", "1468", "-k", os.path.join(lab.root, "ref-short"),
                     "192.0.2.1", "69", "f"], timeout=10)
    f = fields(r.stdout)
    t.ok(r.returncode == 1 and f.get("failed") == "1",
         "a reference of another size: failed", r.stdout + r.stderr)

    r = lab.cli.run([LOAD, "-b", "7", "192.0.2.1", "69", "f"], timeout=5)
    t.ok(r.returncode == 100, "blksize 7: a usage error, exit 100", "exit %r" % r.returncode)
    t.ok(lab.server.running(), "the server still runs", lab.server.tail())
t.done()
