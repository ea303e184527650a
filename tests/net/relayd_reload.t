#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# SIGHUP under traffic: while a stream runs through a rule that stays,
# the file changes (one rule removed, one added), then turns bad:
#   - the unchanged rule loses nothing: every datagram once, in order,
#     and its counters go on from where they were;
#   - the removed rule relays no more, the added one relays at once;
#   - a bad file is reported as file:line and changes nothing.
import os
import re
import signal
import sys
import threading
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from netns import Net, Tap, require_root  # noqa: E402
from relay_ns import Sink, check, receiver, relayd, relayd_stats, rewrite, send, sender  # noqa: E402

require_root()
N, PPS = 20000, 10000
t = Tap(8)

KEEP = "relay from v0b group 239.1.1.1 port 5000 to 239.2.2.1:6000 dev v1a"
GOES = "relay from v0b group 239.1.1.2 port 5000 to 239.2.2.2:6000 dev v1a"
COMES = "relay from v0b group 239.1.1.3 port 5000 to 239.2.2.3:6000 dev v1a"

with Net() as net:
    gen, rel, snk = net.ns("gen"), net.ns("relay"), net.ns("sink")
    net.veth(gen, rel)
    net.veth(rel, snk)
    d = relayd(rel, KEEP + "\n" + GOES)
    if not d.matches(r"239\.1\.1\.2:5000 \(line 2\): relaying"):
        t.abort("the second rule is not running" + d.tail())
    tx, tx2 = sender(gen, "192.0.2.1"), sender(gen, "192.0.2.1")
    keep = Sink([receiver(snk, "239.2.2.1", 6000, "198.51.100.2")])
    other = Sink([receiver(snk, "239.2.2.%d" % i, 6000, "198.51.100.2") for i in (2, 3)])

    send(tx, ("239.1.1.1", 5000), 1, 1000, PPS)  # before: counters start
    th = threading.Thread(target=send, args=(tx, ("239.1.1.1", 5000), 1, N, PPS),
                          kwargs={"first": 1000})
    th.start()
    time.sleep(0.5)
    rewrite(d, "# the first rule stays, the second goes, a third comes\n" + KEEP + "\n" + COMES)
    d.signal(signal.SIGHUP)
    m = d.expect(r"SIGHUP: .* reloaded: (\d+) rules kept, (\d+) added, (\d+) removed", 5)
    t.ok(m.groups() == ("1", "1", "1"), "SIGHUP under traffic: 1 rule kept, 1 added, 1 removed",
         d.tail())
    send(tx2, ("239.1.1.2", 5000), 2, 500, PPS)
    send(tx2, ("239.1.1.3", 5000), 3, 500, PPS)
    time.sleep(0.3)
    rewrite(d, KEEP + "\nrelay from v0b group 239.1.1.9 port 5000 to 239.2.2.9 dev\n")
    d.signal(signal.SIGHUP)
    bad = d.expect(r"relayd\.conf:2: .*", 5).group(0)
    kept = d.expect(r"SIGHUP: .* not loaded; the running rules stay in force", 5)
    th.join(10)
    got = keep.wait(N + 1000, timeout=5)[0]
    r = check(got, 1, N + 1000)
    t.ok(r == (N + 1000, 0, 0, 0, 0),
         "the unchanged rule through two reloads: %d of %d datagrams at %d/s, none lost, "
         "doubled, reordered or damaged" % (r[0], N + 1000, PPS),
         "(received, missing, duplicated, out of order, damaged): %s" % (r,))
    g = other.wait(500, timeout=2)
    t.ok(check(g[0], 2, 500)[0] == 0, "the removed rule relays nothing",
         "received %d" % check(g[0], 2, 500)[0])
    t.ok(check(g[1], 3, 500) == (500, 0, 0, 0, 0), "the added rule relays at once",
         str(check(g[1], 3, 500)))
    t.ok(bad.endswith("'dev' wants an interface name"), "a bad file names file:line and why",
         bad)
    t.ok(kept is not None, "...and the running rules stay in force")
    send(tx, ("239.1.1.3", 5000), 3, 300, PPS, first=500)
    g = other.wait(800, timeout=2)
    t.ok(check(g[1], 3, 800) == (800, 0, 0, 0, 0),
         "after the bad file the added rule still relays", str(check(g[1], 3, 800)))
    def kept_count(text):
        m = re.search(r"239\.1\.1\.1:5000 \(line 2\): (\d+) packets", text)
        return m and int(m.group(1))
    text = "\n".join(relayd_stats(d, until=lambda text: kept_count(text) == N + 1000))
    t.ok(kept_count(text) == N + 1000,
         "the kept rule's counter covers before and after the reload (%d), at its new line 2"
         % (N + 1000), text)
    keep.close()
    other.close()
    d.stop()
t.done()
