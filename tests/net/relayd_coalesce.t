#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# relayd's coalescing (-L USEC, RELAYD_COALESCE_US): after a loop turn that
# relayed more than one datagram, the next wait asks for a batch of
# completions or USEC, whichever comes first; after a quiet turn (one
# datagram or none) a datagram is relayed at once.  USEC is 300 ms here,
# so that held and not held are far apart on a loaded machine:
#
#   - a lone datagram to an idle relayd arrives at once (< 150 ms);
#   - a burst of 200 (sent while relayd is stopped, so that it comes in
#     turns of a whole batch) arrives whole and in order, and a datagram
#     right after it is held for the rest of USEC: it arrives no sooner
#     than USEC after the test let relayd go on (SIGCONT), since relayd's
#     last busy turn, and so its timer, began after that (an earlier
#     start on the test's side, never a later one); and not longer than
#     USEC and a margin after it was sent; the one after that, the turn
#     before it quiet again, at once;
#   - a steady stream of 3000 at 3000 a second: each datagram once, in
#     order, none held longer than USEC and a margin;
#   - the same burst and lone datagram with -L 0: not held.
#
#   gen v0a 192.0.2.1 -- v0b relay v1a 198.51.100.1 -- v1b sink
#   relay from v0b group 239.1.1.1 port 5000 to 239.2.2.1:6000 dev v1a
import os
import signal
import socket
import sys
import threading
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from netns import Net, Tap, require_root  # noqa: E402
from relay_ns import app, check, parse, payload, receiver, relayd, sender  # noqa: E402

require_root()
t = Tap(13)
RULE = "relay from v0b group 239.1.1.1 port 5000 to 239.2.2.1:6000 dev v1a"
DEST = ("239.1.1.1", 5000)
USEC = 300000
AT_ONCE, MARGIN = 0.150, 1.5


class Timed:
    """A receiver read in one thread: (arrival time, stream, seq, intact)."""

    def __init__(self, sock):
        self.sock, self.got, self._stop = sock, [], False
        sock.settimeout(0.05)
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()

    def _run(self):
        while not self._stop:
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                continue
            self.got.append((time.monotonic(),) + parse(data)[:3])

    def until(self, n, timeout):
        deadline = time.monotonic() + timeout
        while len(self.got) < n and time.monotonic() < deadline:
            time.sleep(0.002)
        return len(self.got) >= n

    def close(self):
        self._stop = True
        self._t.join(2)
        self.sock.close()


def lone(rx, tx, st, seq):
    """One datagram: seconds until it arrived (None: it did not in 5 s)."""
    n = len(rx.got)
    t0 = time.monotonic()
    tx.sendto(payload(st, seq, 200), DEST)
    if not rx.until(n + 1, 5):
        return None
    return rx.got[n][0] - t0


def burst(d, rx, tx, st, count):
    """count datagrams while d is stopped: the time just before d was let
    go on (SIGCONT) once all came, None if they did not."""
    n = len(rx.got)
    d.signal(signal.SIGSTOP)
    try:
        for i in range(count):
            tx.sendto(payload(st, i, 1000), DEST)
        time.sleep(0.05)
    finally:
        cont = time.monotonic()
        d.signal(signal.SIGCONT)
    return cont if rx.until(n + count, 10) else None


def stream(rx, st):
    return [(s, seq, ok, 0) for _, s, seq, ok in rx.got if s == st]


def ms(x):
    return "none arrived" if x is None else "%.1f ms" % (x * 1000)


with Net() as net:
    gen, rel, snk = net.ns("gen"), net.ns("relay"), net.ns("sink")
    net.veth(gen, rel)
    net.veth(rel, snk)
    tx = sender(gen, "192.0.2.1")
    rx = Timed(receiver(snk, "239.2.2.1", 6000, "198.51.100.2"))

    d = relayd(rel, RULE, ["-L", str(USEC)])
    t.ok(d.seen(r"coalescing %d us" % USEC) and d.seen(r"1 of 1 rules running"),
         "relayd -L %d starts, its rule running, and says so" % USEC, d.tail())
    time.sleep(0.5)
    quiet = [lone(rx, tx, 1, i) for i in range(3)]
    t.ok(all(q is not None and q < AT_ONCE for q in quiet),
         "a lone datagram to an idle relayd arrives at once (3 tries, each < %d ms)" %
         (AT_ONCE * 1000), "latencies: %s" % ", ".join(map(ms, quiet)))

    cont = burst(d, rx, tx, 2, 200)
    n = len(rx.got)
    held = lone(rx, tx, 3, 0)
    since_cont = rx.got[n][0] - cont if cont and held is not None else None
    after = lone(rx, tx, 3, 1)
    t.ok(cont and check(stream(rx, 2), 2, 200) == (200, 0, 0, 0, 0),
         "a burst of 200 arrives whole, once each, in order",
         "%s" % (check(stream(rx, 2), 2, 200),))
    t.diag("held: %s after it was sent, %s after SIGCONT" % (ms(held), ms(since_cont)))
    t.ok(held is not None and since_cont is not None and
         USEC / 1e6 <= since_cont and held < USEC / 1e6 + MARGIN,
         "the datagram right after the burst is held by coalescing (>= %d ms after "
         "SIGCONT, < %d ms after it was sent)" % (USEC / 1000, (USEC / 1e6 + MARGIN) * 1000),
         "%s after it was sent, %s after SIGCONT" % (ms(held), ms(since_cont)))
    t.ok(after is not None and after < AT_ONCE,
         "the next one, after a quiet turn, arrives at once (< %d ms)" % (AT_ONCE * 1000),
         "latency %s" % ms(after))

    # A steady stream: sent at 3000 a second, each stamped with its time.
    n0, sent = len(rx.got), {}
    t0 = time.monotonic()
    for i in range(3000):
        sent[i] = time.monotonic()
        tx.sendto(payload(4, i, 1000), DEST)
        if i % 30 == 29:
            time.sleep(max(0, t0 + (i + 1) / 3000 - time.monotonic()))
    rx.until(n0 + 3000, 10)
    got4 = stream(rx, 4)
    late = max((a - sent[seq] for a, s, seq, ok in rx.got[n0:] if s == 4 and seq in sent),
               default=None)
    t.ok(check(got4, 4, 3000) == (3000, 0, 0, 0, 0),
         "a steady stream of 3000 at 3000/s arrives whole, once each, in order",
         "%s" % (check(got4, 4, 3000),))
    t.ok(late is not None and late < USEC / 1e6 + MARGIN,
         "no datagram of it is held longer than -L and a margin (< %d ms)" %
         ((USEC / 1e6 + MARGIN) * 1000), "worst latency %s" % ms(late))
    t.ok(d.running() and not d.matches(r"relayd: (error|warning)"),
         "no error or warning logged", d.tail())
    d.stop()

    d = relayd(rel, RULE, ["-L", "0"], name="relayd-L0")
    t.ok(d.seen(r"coalescing 0 us"), "relayd -L 0 starts with coalescing off", d.tail())
    time.sleep(0.3)
    cont = burst(d, rx, tx, 5, 200)
    off = lone(rx, tx, 6, 0)
    t.ok(cont and check(stream(rx, 5), 5, 200) == (200, 0, 0, 0, 0),
         "with -L 0, a burst of 200 arrives whole, once each, in order",
         "%s" % (check(stream(rx, 5), 5, 200),))
    t.ok(off is not None and off < AT_ONCE,
         "with -L 0, the datagram right after the burst is not held (< %d ms)" % (AT_ONCE * 1000),
         "latency %s" % ms(off))
    d.stop()

    out = rel.run([app("relayd"), "-L", "1000001", "-c", "/dev/null", "-t"], timeout=10)
    t.ok(out.returncode == 100 and "-L" in out.stderr,
         "-L 1000001 is refused with exit 100, naming -L", "exit %r: %s" % (out.returncode,
                                                                          out.stderr.strip()))
    # Every datagram of every stream, once: the sink saw nothing else.
    strays = [g for g in rx.got if g[1] not in (1, 2, 3, 4, 5, 6)]
    t.ok(not strays, "the sink received nothing but the test's datagrams",
         "%d strays" % len(strays))
    rx.close()
t.done()
