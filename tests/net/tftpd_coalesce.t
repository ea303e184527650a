#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# tftpd's coalescing (-L USEC): after a loop turn that handled more than
# one client packet, the next wait asks for as many packets or USEC,
# whichever comes first; a lone client is answered at once.  USEC is
# 200 ms here, so a block held by it would show:
#
#   - one client, 1 MiB at blksize 1468 (715 blocks, lockstep): whole, in
#     well under what one held block a turn would take (715 x 200 ms), and
#     no wait coalesced (SIGUSR1's counters);
#   - 16 clients at once, 1 MiB each (tests/bench/tftpload -n 16, each
#     checked byte by byte): all whole, waits coalesced, and in well under
#     what one held turn a block would take;
#   - the same 16 with -L 0: whole, no wait coalesced;
#   - -L 1000001 is refused (exit 100).
# Ours only: tftpd-hpa has no such flag.
import os
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from tftpd import KIND, Lab, Tap, pattern, require_server, skip_all, tern_tftpd  # noqa: E402

require_server()
if KIND != "tern":
    skip_all("coalescing (-L) is tftpd's own")
t = Tap(9)
SIZE = 1 << 20
content = pattern(SIZE, 11)
HELD_S = 0.2
BLOCKS = SIZE // 1468 + 1


COALESCED = r"(\d+) waits coalesced"


def load(lab, clients):
    """lab.load, timed: (fields, seconds, run)."""
    t0 = time.monotonic()
    f, r = lab.load(clients)
    return f, time.monotonic() - t0, r


with Lab(t, {"f": content}, per_client=100, max_transfers=200,
         extra=("-L", str(int(HELD_S * 1e6)))) as lab:
    f, secs, r = load(lab, 1)
    t.ok(r.returncode == 0 and f.get("ok") == "1" and f.get("bytes") == str(SIZE),
         "-L 200000: one client, 1 MiB at blksize 1468: whole", r.stdout + r.stderr)
    t.ok(secs < BLOCKS * HELD_S / 10,
         "... in %.2f s: no block held (one a turn would take %.0f s)" % (secs, BLOCKS * HELD_S),
         "%.2f s" % secs)
    n1 = lab.server.counter(COALESCED)
    t.ok(n1 == 0, "... and no wait coalesced (SIGUSR1)", "counter: %r%s" % (n1, lab.server.tail()))
    f, secs, r = load(lab, 16)
    t.ok(r.returncode == 0 and f.get("ok") == "16" and f.get("failed") == "0"
         and f.get("bytes") == str(16 * SIZE) and f.get("timeouts") == "0",
         "16 clients at once, 1 MiB each: all whole, each checked, no client timed out "
         "waiting (timeout 1 s)", r.stdout + r.stderr)
    n16 = lab.server.counter(COALESCED)
    t.ok(n16 is not None and n16 > 0, "... waits coalesced (%r)" % n16, lab.server.tail())
    t.ok(secs < BLOCKS * HELD_S / 4,
         "... in %.1f s: not a held turn a block (%.0f s)" % (secs, BLOCKS * HELD_S),
         "%.2f s" % secs)

with Lab(t, {"f": content}, per_client=100, max_transfers=200, extra=("-L", "0")) as lab:
    f, secs, r = load(lab, 16)
    n0 = lab.server.counter(COALESCED)
    t.ok(r.returncode == 0 and f.get("ok") == "16" and f.get("bytes") == str(16 * SIZE)
         and f.get("timeouts") == "0",
         "-L 0: 16 clients at once: all whole, no client timed out", r.stdout + r.stderr)
    t.ok(n0 == 0, "-L 0: no wait coalesced", "counter: %r%s" % (n0, lab.server.tail()))

r = __import__("subprocess").run([tern_tftpd(), "-L", "1000001", "-h"], capture_output=True,
                                 text=True, timeout=10)
t.ok(r.returncode == 100 and "-L" in r.stderr, "-L 1000001 is refused: exit 100, naming -L",
     "exit %r: %s" % (r.returncode, r.stderr.strip()))
t.done()
