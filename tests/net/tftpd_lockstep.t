#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# tftpd's many-clients path (app/tftpd/README.md, Speed):
#
#   - 16 lockstep clients at once, 1 MiB each at blksize 1468
#     (tests/bench/tftpload, each checked byte by byte): all whole, every
#     DATA block sent with no completion of its own (SIGUSR1: "lockstep
#     blocks sent with no completion" counts at least 16 x 715 blocks),
#     and every transfer's socket a fixed file of the ring ("16 transfers
#     on fixed files"), all slots free again once they are done;
#   - a windowsize 8 transfer: whole, its blocks sent the counted way
#     (the no-completion count does not move: a window's sends may wait
#     for socket buffer space);
#   - with -c 4 (four slots, four transfers at once) 16 clients in turn
#     reuse the slots: all whole, 16 more transfers on fixed files.
# Ours only: the counters are tftpd's.
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from tftpd import KIND, Lab, Tap, pattern, require_server, skip_all, tern_out  # noqa: E402

require_server()
if KIND != "tern":
    skip_all("the counters are tftpd's own")
t = Tap(10)
SIZE = 1 << 20
BLOCKS = SIZE // 1468 + 1
content = pattern(SIZE, 5)
QUICK = r"(\d+) lockstep blocks sent with no completion"
FIXED = r"(\d+) transfers on fixed files"
FREE = r"transfers on fixed files, (\d+) of \d+ slots free"
SLOTS = r"transfers on fixed files, \d+ of (\d+) slots free"

with Lab(t, {"f": content}, per_client=100, max_transfers=200) as lab:
    f, r = lab.load(16)
    t.ok(r.returncode == 0 and f.get("ok") == "16" and f.get("bytes") == str(16 * SIZE),
         "16 lockstep clients at once, 1 MiB each: all whole, each checked",
         r.stdout + r.stderr)
    quick = lab.server.counter(QUICK)
    t.ok(quick is not None and quick >= 16 * BLOCKS,
         "... every block sent with no completion (%r >= %d)" % (quick, 16 * BLOCKS),
         lab.server.tail())
    t.ok(lab.server.counter(FIXED) == 16, "... every transfer's socket a fixed file",
         lab.server.tail())
    free, slots = lab.server.counter(FREE), lab.server.counter(SLOTS)
    t.ok(slots == 200 and free == slots, "... and all %r slots free again (%r)" % (slots, free),
         lab.server.tail())
    load = tern_out("tests", "tftpload")
    r = lab.cli.run([load, "-n", "1", "-b", "1468", "-w", "8", "-t", "1", "-k",
                     os.path.join(lab.root, "f"), "-d", "60", "192.0.2.1", "69", "f"],
                    timeout=90)
    t.ok(r.returncode == 0 and "ok=1 " in r.stdout and "windowsize=8" in r.stdout,
         "windowsize 8: whole", r.stdout + r.stderr)
    t.ok(lab.server.counter(QUICK) == quick,
         "... its blocks sent the counted way (no-completion count still %r)" % quick,
         lab.server.tail())

with Lab(t, {"f": content}, per_client=100, max_transfers=4) as lab:
    for _ in range(4):
        f, r = lab.load(4)
        if r.returncode != 0:
            break
    t.ok(r.returncode == 0 and f.get("ok") == "4",
         "-c 4: four rounds of four clients: all whole", r.stdout + r.stderr)
    t.ok(lab.server.counter(FIXED) == 16, "... 16 transfers on fixed files: slots reused",
         lab.server.tail())
    t.ok(lab.server.counter(SLOTS) == 4 and lab.server.counter(FREE) == 4,
         "... 4 slots, all free again", lab.server.tail())
    t.ok(lab.server.daemon.running(), "the server is still running", lab.server.tail())
t.done()
