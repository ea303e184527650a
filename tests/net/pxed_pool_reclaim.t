#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# pxed in server mode when DISCOVERs from random MACs take every address
# of its pool (each offer holds its address for 60 s):
#   - two clients bound first keep their addresses through the flood;
#   - the flood's DISCOVERs past the free addresses are each offered the
#     oldest offer's address, never a bound one;
#   - then a new real client (BusyBox udhcpc) gets an address at once
#     (its first DISCOVER is offered one), and it is acknowledged;
#   - each reclaimed offer counted once (SIGUSR1: "offer of a reclaimed
#     address"), none refused as pool full.
import os
import random
import socket
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from dhcp_ns import MAC, PxedLab, Tap, options, packet, parse, reply, require  # noqa: E402

require()

POOL_LO, POOL_N = 100, 16
FLOOD = 80  # DISCOVERs from random MACs: five pools' worth
CONF = """# pxed_pool_reclaim.t
mode server
pool 192.0.2.%d 192.0.2.%d
router 192.0.2.1
lease 600
""" % (POOL_LO, POOL_LO + POOL_N - 1)
SERVER = "192.0.2.1"
DISCOVER, OFFER, REQUEST, ACK = 1, 2, 3, 5
t = Tap(7)


def ask(s, kind, mac, xid, *opts, wait=2.0):
    """One message from mac; the answer with this xid (header, options) or None."""
    s.sendto(packet(options((53, bytes([kind])), *opts), xid=xid, mac=mac),
             ("255.255.255.255", 67))
    return reply(s, xid, wait)


def bind(s, mac, xid):
    r = ask(s, DISCOVER, mac, xid)
    if not r or r[1].get(53) != bytes([OFFER]):
        return None
    a = r[0]["yiaddr"]
    r = ask(s, REQUEST, mac, xid + 1, (50, socket.inet_aton(a)), (54, socket.inet_aton(SERVER)))
    return a if r and r[1].get(53) == bytes([ACK]) else None


with PxedLab(t, CONF) as lab:
    s = lab.raw_socket()
    bound = [bind(s, "52:54:00:00:00:%02x" % i, 0x100 * i) for i in (1, 2)]
    t.ok(all(bound), "two clients bound before the flood", str(bound))

    # The flood goes out at once (its answers read after it), so that no
    # offer of it has expired when the real client comes.
    rnd = random.Random(20)
    answers, t0 = {}, time.monotonic()
    for i in range(FLOOD):
        mac = "02:%02x:%02x:%02x:%02x:%02x" % tuple(rnd.randrange(256) for _ in range(5))
        s.sendto(packet(options((53, bytes([DISCOVER]))), xid=0x10000 + i, mac=mac),
                 ("255.255.255.255", 67))
    while len(answers) < FLOOD and time.monotonic() < t0 + 5:
        s.settimeout(0.5)
        try:
            hdr, o = parse(s.recv(2048))
        except socket.timeout:
            break
        if o.get(53) == bytes([OFFER]):
            answers[hdr["xid"]] = hdr["yiaddr"]
    offered = [answers.get(0x10000 + i) for i in range(FLOOD)]
    took = time.monotonic() - t0
    free = POOL_N - 2
    t.ok(None not in offered and not set(offered) & set(bound),
         "every one of %d DISCOVERs from random MACs offered an address, never a bound one "
         "(%.1f s)" % (FLOOD, took), str(offered))
    # Offers past the free addresses go round them oldest first.
    t.ok(offered[free:] == [offered[i % free] for i in range(free, FLOOD)],
         "past the %d free addresses, each offer takes the oldest offer's address" % free,
         str(offered))

    t0 = time.monotonic()
    r = lab.udhcpc()
    took = time.monotonic() - t0
    # At once: its first DISCOVER is offered an address, none is retried.
    asked = lab.pxed.seen(r"DISCOVER from %s " % MAC)
    t.ok(r and r["ip"] not in bound and len(asked) == 1 and
         lab.pxed.seen(r"REQUEST from .*: ack %s\b" % r["ip"].replace(".", r"\.")),
         "then a new real client (udhcpc) gets an address at once: its first DISCOVER offered, "
         "acknowledged (%.1f s)" % took, "%s%s" % (r, lab.pxed.tail()))

    again = [ask(s, REQUEST, "52:54:00:00:00:%02x" % i, 0x9000 + i, (50, socket.inet_aton(a)))
             for i, a in zip((1, 2), bound)]
    t.ok(all(x and x[1].get(53) == bytes([ACK]) and x[0]["yiaddr"] == a
             for x, a in zip(again, bound)),
         "the bound clients renew their own addresses after the flood", str(again))

    st = lab.stats()
    want = FLOOD - free + 1  # the flood past the free ones, and udhcpc's
    t.ok(st.get("offer of a reclaimed address") == want and "pool full" not in st,
         "%d reclaimed offers counted, none refused as pool full" % want,
         "%s%s" % (st, lab.pxed.tail()))
    t.ok(lab.pxed.stop() == 0, "pxed stops with status 0")
t.done()
