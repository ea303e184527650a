#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""boot_time.py [N] -- boot the image N times (default 5) under QEMU and
report, per boot and as the median: seconds from kernel start to init's
ready line (as init reports it), wall seconds from starting QEMU to the
ready line, and wall seconds from `poweroff` to QEMU's exit.  Run by
`make bench`; needs the TERN_* variables that make exports."""
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "qemu", "lib"))
from guest import Guest  # noqa: E402

n = int(sys.argv[1]) if len(sys.argv) > 1 else 5
rows = []
for i in range(n):
    with Guest() as g:
        ready = g.wait_ready(timeout=120)
        wall = time.monotonic() - g.started
        g.wait_shell()
        g.send("poweroff\n")
        t0 = time.monotonic()
        status = g.wait_exit(timeout=30)
        off = time.monotonic() - t0
        rows.append((ready, wall, off))
        print("boot %d: ready %.3f s after kernel start, %.2f s wall; "
              "poweroff->exit %.2f s (status %s)" % (i + 1, ready, wall, off, status))
med = [statistics.median(c) for c in zip(*rows)]
print("median of %d: ready %.3f s (kernel clock), %.2f s wall from QEMU start; "
      "poweroff->exit %.2f s" % (n, med[0], med[1], med[2]))
