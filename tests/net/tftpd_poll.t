#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# tftpd's busy polling (-Q USEC): while at most 4 transfers run, the loop
# looks for the client's answer for up to USEC before sleeping for it.
#
#   - -Q 1000, one client, 1 MiB at blksize 1468 (715 blocks, lockstep):
#     whole, checked byte by byte, no client timeout; SIGUSR1's counters
#     show answers polled for;
#   - -Q 1000, 16 clients at once (more than polling serves): all whole,
#     no client timeout;
#   - -Q 100, one client 1 ms away (wire.c), 128 KiB lockstep (90
#     blocks, each answer 2 ms later): whole, and the polls that gave up
#     are at most a few, not one a block (a poll that gives up turns
#     polling off until an answer comes within USEC);
#   - -Q 0: no answer polled for;
#   - -Q 1001 is refused (exit 100).
# Ours only: tftpd-hpa has no such flag.
import os
import subprocess
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from tftpd import KIND, Lab, Tap, pattern, require_server, skip_all, tern_tftpd  # noqa: E402

require_server()
if KIND != "tern":
    skip_all("busy polling (-Q) is tftpd's own")
t = Tap(9)
SIZE = 1 << 20
content = pattern(SIZE, 13)
POLLED = r"(\d+) answers polled for"
GAVE_UP = r"(\d+) polls gave up"


def whole(f, r, clients):
    return (r.returncode == 0 and f.get("ok") == str(clients) and f.get("failed") == "0"
            and f.get("bytes") == str(clients * SIZE) and f.get("timeouts") == "0")


with Lab(t, {"f": content}, per_client=100, max_transfers=200, extra=("-Q", "1000")) as lab:
    f, r = lab.load(1)
    t.ok(whole(f, r, 1), "-Q 1000: one client, 1 MiB at blksize 1468: whole, checked, "
         "no client timeout", r.stdout + r.stderr)
    n = lab.server.counter(POLLED)
    t.ok(n is not None and n > 0, "... answers polled for (%r)" % n, lab.server.tail())
    f, r = lab.load(16)
    t.ok(whole(f, r, 16), "-Q 1000: 16 clients at once, 1 MiB each: all whole, checked, "
         "no client timeout", r.stdout + r.stderr)
    t.ok(lab.server.daemon.running(), "... and tftpd runs on", lab.server.tail())

FAR = 128 << 10
with Lab(t, {"f": pattern(FAR, 5)}, wire=(1000, 0), extra=("-Q", "100")) as lab:
    f, r = lab.load(1)
    t.ok(r.returncode == 0 and f.get("ok") == "1" and f.get("bytes") == str(FAR),
         "-Q 100, a client 1 ms away: 128 KiB whole, checked", r.stdout + r.stderr)
    n = lab.server.counter(GAVE_UP)
    t.ok(n is not None and 1 <= n <= 5,
         "... polls gave up %r times: polling turned off, not a poll a block (%d blocks)"
         % (n, FAR // 1468 + 1), lab.server.tail())

with Lab(t, {"f": content}, per_client=100, max_transfers=200, extra=("-Q", "0")) as lab:
    f, r = lab.load(1)
    t.ok(whole(f, r, 1), "-Q 0: one client, 1 MiB: whole", r.stdout + r.stderr)
    n = lab.server.counter(POLLED)
    t.ok(n == 0, "... no answer polled for", "counter: %r%s" % (n, lab.server.tail()))

r = subprocess.run([tern_tftpd(), "-Q", "1001", "-h"], capture_output=True, text=True,
                   timeout=10)
t.ok(r.returncode == 100 and "-Q" in r.stderr, "-Q 1001 is refused: exit 100, naming -Q",
     "exit %r: %s" % (r.returncode, r.stderr.strip()))
t.done()
