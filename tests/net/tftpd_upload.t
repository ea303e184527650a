#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Uploads (WRQ) with -W UPLOADDIR: a file appears in UPLOADDIR, whole,
# only after its last block, and nothing else is ever left there.
#   tftp-hpa put (512, no options), atftp put (blksize 1468) and the raw
#   client (blksize 1024, tsize announced and echoed in the OACK) store
#   the exact bytes; tftp-hpa -m ascii put stores the text as it was;
#   the same name again: ERROR 6, the first file unchanged; with -o it is
#   replaced;
#   an upload ended by the client's ERROR after 3 blocks, and one that
#   goes silent after 2 (the server gives up after -t 1 -R 1): neither
#   name ever appears, and no temporary file stays behind;
#   with -s 10000: a WRQ announcing tsize 20000 is refused with ERROR 3
#   before any data, and one sending 20000 bytes without tsize is stopped
#   with ERROR 3; nothing of either is left;
#   WRQ ../evil: ERROR 2, nothing written outside; without -W: every WRQ
#   is refused with an ERROR and writes nothing;
#   with -S STAGEDIR: a temporary file a killed tftpd left there is removed
#   at start (another file is not); an upload is written there and only its
#   whole file appears in UPLOADDIR; one silent after 2 blocks has its
#   temporary file in STAGEDIR, nothing in UPLOADDIR, and leaves nothing;
#   -S inside ROOT, on another filesystem than UPLOADDIR, or without -W is
#   a usage error (exit 100).
import os
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import tftpraw as R  # noqa: E402
from clients import atftp, tftp_hpa  # noqa: E402
from tftpd import (Lab, Server, Tap, pattern, require, require_server, tern_tftpd,  # noqa: E402
                   upload_dir)

require_server()
require("upload_dir", "max_upload", "no_overwrite", "retries")
big = pattern(100000, 11)
text = b"one\ntwo\r\nthree\rfour\n" * 50


def read(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return None


def gone(path, want, timeout=5):
    """Until path lists exactly want (the server has cleaned up after an
    upload that failed), timeout seconds at most."""
    deadline = time.monotonic() + timeout
    while set(os.listdir(path)) != want and time.monotonic() < deadline:
        time.sleep(0.05)


t = Tap(23)
with Lab(t, {"f": b"x"}, start=False, upload=None) as lab:
    up = upload_dir(lab.path("up"))
    small = upload_dir(lab.path("small"))
    for name, content in (("big", big), ("text", text), ("other", pattern(5000, 12))):
        with open(lab.path(name), "wb") as f:
            f.write(content)
    staged, stage = upload_dir(lab.path("staged")), upload_dir(lab.path("stage"))
    stale = ".killed.tftpd-0a1b2c"
    for name in (stale, "keep"):
        with open(os.path.join(stage, name), "wb") as f:
            f.write(b"half")
    servers = []
    for port, kw in ((69, dict(upload=up)), (1069, dict(upload=up, overwrite=True)),
                     (1070, dict(upload=small, max_upload=10000)), (1071, {}),
                     (1072, dict(upload=staged, extra=("-S", stage)))):
        s = Server(lab.srv, lab.root, "192.0.2.1", port=port, timeout=1, retries=1, **kw)
        try:
            servers.append(s.start())
        except Exception as e:
            t.abort("server on port %d starts: %s" % (port, e))

    r = lab.cli.run(tftp_hpa("put", "192.0.2.1", "up-hpa", lab.path("big")), timeout=20)
    t.ok(read(os.path.join(up, "up-hpa")) == big, "tftp-hpa put: the exact bytes",
         r.stdout + r.stderr)
    r = lab.cli.run(atftp("put", "192.0.2.1", "up-atftp", lab.path("big"), blksize=1468,
                          tsize=False), timeout=20)
    t.ok(read(os.path.join(up, "up-atftp")) == big, "atftp put, blksize 1468: the exact bytes",
         r.stdout + r.stderr)
    r = lab.cli.run(tftp_hpa("put", "192.0.2.1", "up-text", lab.path("text"), mode="ascii"),
                    timeout=20)
    t.ok(read(os.path.join(up, "up-text")) == text, "tftp-hpa -m ascii put: the text as it was",
         "%r %s" % ((read(os.path.join(up, "up-text")) or b"")[:60], r.stderr))
    x = R.put(lab.cli, "192.0.2.1", "up-raw", big, blksize=1024, tsize=True)
    t.ok(x.ok and read(os.path.join(up, "up-raw")) == big
         and x.oack is not None and x.oack.option("tsize") == str(len(big)),
         "raw put, blksize 1024 and tsize: the exact bytes, tsize echoed", repr(x))

    other = pattern(5000, 12)
    x = R.put(lab.cli, "192.0.2.1", "up-hpa", other)
    t.ok(x.error is not None and x.error.code == 6 and read(os.path.join(up, "up-hpa")) == big,
         "the same name again: ERROR 6, the file unchanged", repr(x))
    x = R.put(lab.cli, "192.0.2.1", "up-hpa", other, port=1069)
    t.ok(x.ok and read(os.path.join(up, "up-hpa")) == other, "with -o: replaced", repr(x))

    before = set(os.listdir(up))
    with R.Peer(lab.cli, "192.0.2.1") as p:
        p.send(R.request(R.WRQ, "abort-err", "octet"))
        pkt, tid = p.recv(2)
        for block in range(1, 4):
            if pkt is None or pkt.op != R.ACK:
                break
            p.send(R.data(block, big[:512]), tid)
            pkt, _ = p.recv(2)
        mid = set(os.listdir(up))
        p.send(R.error(0, "client gives up"), tid)
    gone(up, before)
    t.ok("abort-err" not in mid and set(os.listdir(up)) == before,
         "ended by the client's ERROR after 3 blocks: nothing left",
         "during: %s, after: %s" % (sorted(mid - before), sorted(set(os.listdir(up)) - before)))

    x = R.put(lab.cli, "192.0.2.1", "abort-quiet", big, stop_after=2)
    mid = set(os.listdir(up))
    gone(up, before, 8)
    t.ok(x.blocks == 2 and "abort-quiet" not in mid and set(os.listdir(up)) == before,
         "silent after 2 blocks: the server gives up, nothing left",
         "%r; during: %s, after: %s" % (x, sorted(mid - before),
                                         sorted(set(os.listdir(up)) - before)))

    x = R.put(lab.cli, "192.0.2.1", "too-big", pattern(20000, 13), port=1070, tsize=True)
    t.ok(x.error is not None and x.error.code == 3 and x.blocks == 0,
         "-s 10000, tsize 20000 announced: ERROR 3 before any data", repr(x))
    x = R.put(lab.cli, "192.0.2.1", "too-big2", pattern(20000, 13), port=1070)
    t.ok(x.error is not None and x.error.code == 3 and x.blocks <= 20,
         "-s 10000, 20000 bytes without tsize: stopped with ERROR 3", repr(x))
    gone(small, set())
    t.ok(os.listdir(small) == [], "nothing of either is left", repr(os.listdir(small)))
    x = R.put(lab.cli, "192.0.2.1", "fits", pattern(10000, 14), port=1070, tsize=True)
    t.ok(x.ok and read(os.path.join(small, "fits")) == pattern(10000, 14),
         "-s 10000: 10000 bytes fit", repr(x))

    x = R.put(lab.cli, "192.0.2.1", "../evil", other)
    t.ok(x.error is not None and x.error.code == 2 and not os.path.exists(lab.path("evil")),
         "WRQ ../evil: ERROR 2, nothing outside", repr(x))
    x = R.put(lab.cli, "192.0.2.1", "/../evil", other)
    t.ok(x.error is not None and x.error.code == 2 and not os.path.exists(lab.path("evil")),
         "WRQ /../evil: ERROR 2, nothing outside", repr(x))

    # -- -S: the staging directory ------------------------------------------
    log = "\n".join(line for _, line in servers[-1].daemon.lines)
    t.ok(os.listdir(stage) == ["keep"] and "removed 1 unfinished upload" in log,
         "-S: the temporary file a killed tftpd left is removed at start, another file kept",
         "%r\n%s" % (os.listdir(stage), log))
    x = R.put(lab.cli, "192.0.2.1", "via-stage", big, port=1072)
    t.ok(x.ok and read(os.path.join(staged, "via-stage")) == big and os.listdir(stage) == ["keep"]
         and os.listdir(staged) == ["via-stage"],
         "-S: the exact bytes land in UPLOADDIR, nothing else is left in either",
         "%r %r %r" % (x, os.listdir(stage), os.listdir(staged)))
    x = R.put(lab.cli, "192.0.2.1", "stalled", big, port=1072, stop_after=2)
    mid_stage, mid_up = sorted(os.listdir(stage)), sorted(os.listdir(staged))
    gone(stage, {"keep"}, 8)
    t.ok(x.blocks == 2 and len(mid_stage) == 2 and mid_stage[0].startswith(".stalled.tftpd-")
         and mid_up == ["via-stage"],
         "-S: an upload silent after 2 blocks is written in STAGEDIR, nothing of it in "
         "UPLOADDIR", "%r; stage %s, upload dir %s" % (x, mid_stage, mid_up))
    t.ok(os.listdir(stage) == ["keep"] and os.listdir(staged) == ["via-stage"],
         "-S: once the server gives up, nothing of it is left",
         "%r %r" % (os.listdir(stage), os.listdir(staged)))
    inside = os.path.join(lab.root, "stage")
    os.makedirs(inside, exist_ok=True)
    shm = tempfile.mkdtemp(prefix="tern-stage-", dir="/dev/shm")
    try:
        bad = {}
        for what, argv in (("inside ROOT", ["-W", staged, "-S", inside]),
                           ("on another filesystem", ["-W", staged, "-S", shm]),
                           ("without -W", ["-S", stage])):
            r = lab.srv.run([tern_tftpd(), "-r", lab.root, "-p", "1080"] + argv, timeout=10)
            bad[what] = (r.returncode, r.stderr.strip())
        other_fs = os.stat(shm).st_dev != os.stat(staged).st_dev
    finally:
        os.rmdir(shm)
    for what, (code, err) in bad.items():
        t.ok(code == 100 and "-S " in err and (what != "on another filesystem" or other_fs),
             "-S %s: a usage error (exit 100)" % what, "%r %s" % (code, err))

    listing = sorted(os.listdir(lab.root))
    x = R.put(lab.cli, "192.0.2.1", "nope", other, port=1071)
    t.ok(x.error is not None and sorted(os.listdir(lab.root)) == listing,
         "without -W: WRQ refused with an ERROR, nothing written", repr(x))
    t.ok(all(s.running() for s in servers), "every server still runs",
         "".join(s.tail() for s in servers))
t.done()
