#!/usr/bin/python3
# tftpd's busy polling (-Q USEC): while at most 4 transfers run, the loop
# looks for the client's answer for up to USEC before sleeping for it.
#
#   - -Q 1000, one client, 1 MiB at blksize 1468 (715 blocks, lockstep):
#     whole, checked byte by byte, no client timeout; SIGUSR1's counters
#     show answers polled for;
#   - -Q 1000, 16 clients at once (more than polling serves): all whole,
#     no client timeout;
#   - -Q 0: no answer polled for;
#   - -Q 1001 is refused (exit 100).
# Ours only: tftpd-hpa has no such flag.
import os
import re
import signal
import subprocess
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from tftpd import KIND, Lab, Tap, pattern, require_server, skip_all, tern_out, \
    tern_tftpd  # noqa: E402

require_server()
if KIND != "tern":
    skip_all("busy polling (-Q) is tftpd's own")
t = Tap(7)
LOAD = tern_out("tests", "tftpload")
if not os.access(LOAD, os.X_OK):
    print("Bail out! %s is not built (make %s)" % (LOAD, LOAD), flush=True)
    sys.exit(1)
SIZE = 1 << 20
content = pattern(SIZE, 13)


def fields(stdout):
    return dict(re.findall(r"(\w+)=(\S+)", stdout))


def polled(server):
    """SIGUSR1, then the count of answers polled for it logs (None: not seen)."""
    d = server.daemon
    n = len(d.lines)
    d.signal(signal.SIGUSR1)
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        for _, line in d.lines[n:]:
            m = re.search(r"(\d+) answers polled for", line)
            if m:
                return int(m.group(1))
        time.sleep(0.05)
    return None


def load(lab, clients):
    """clients transfers of f at once, each checked: (fields, run)."""
    r = lab.cli.run([LOAD, "-n", str(clients), "-b", "1468", "-t", "1", "-k",
                     os.path.join(lab.root, "f"), "-d", "60", "192.0.2.1", "69", "f"], timeout=90)
    return fields(r.stdout), r


def whole(f, r, clients):
    return (r.returncode == 0 and f.get("ok") == str(clients) and f.get("failed") == "0"
            and f.get("bytes") == str(clients * SIZE) and f.get("timeouts") == "0")


with Lab(t, {"f": content}, per_client=100, max_transfers=200, extra=("-Q", "1000")) as lab:
    f, r = load(lab, 1)
    t.ok(whole(f, r, 1), "-Q 1000: one client, 1 MiB at blksize 1468: whole, checked, "
         "no client timeout", r.stdout + r.stderr)
    n = polled(lab.server)
    t.ok(n is not None and n > 0, "... answers polled for (%r)" % n, lab.server.tail())
    f, r = load(lab, 16)
    t.ok(whole(f, r, 16), "-Q 1000: 16 clients at once, 1 MiB each: all whole, checked, "
         "no client timeout", r.stdout + r.stderr)
    t.ok(lab.server.daemon.running(), "... and tftpd runs on", lab.server.tail())

with Lab(t, {"f": content}, per_client=100, max_transfers=200, extra=("-Q", "0")) as lab:
    f, r = load(lab, 1)
    t.ok(whole(f, r, 1), "-Q 0: one client, 1 MiB: whole", r.stdout + r.stderr)
    n = polled(lab.server)
    t.ok(n == 0, "... no answer polled for", "counter: %r%s" % (n, lab.server.tail()))

r = subprocess.run([tern_tftpd(), "-Q", "1001", "-h"], capture_output=True, text=True,
                   timeout=10)
t.ok(r.returncode == 100 and "-Q" in r.stderr, "-Q 1001 is refused: exit 100, naming -Q",
     "exit %r: %s" % (r.returncode, r.stderr.strip()))
t.done()
