#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Transfer limits, so one host cannot starve the lab:
#   -c 2: with two transfers open (DATA 1 received, never acknowledged),
#   a third RRQ gets an ERROR (or nothing), never data; once one of the
#   two ends (the client's ERROR), a new RRQ is served;
#   -C 2: with two transfers open from 192.0.2.2, a third from it is
#   refused, while 192.0.2.3 is served at once.
import os
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import tftpraw as R  # noqa: E402
from tftpd import Lab, Server, Tap, pattern, require, require_server  # noqa: E402

require_server()
require("max_transfers", "per_client")
content = pattern(20000, 15)


def open_transfer(lab, port, bind=None):
    """A Peer whose RRQ was answered with DATA 1: (peer, tid), or (peer, None)."""
    p = R.Peer(lab.cli, "192.0.2.1", port, bind=bind)
    p.send(R.rrq("f"))
    pkt, tid = p.recv(2)
    return p, (tid if pkt is not None and pkt.op == R.DATA and pkt.block == 1 else None)


def refused(lab, port, bind=None):
    """The first answer to an RRQ is an ERROR or nothing: (bool, what)."""
    p = R.Peer(lab.cli, "192.0.2.1", port, bind=bind)
    p.send(R.rrq("f"))
    got = p.drain(0.5)
    for pkt, addr in got:
        if pkt.op == R.DATA:
            p.send(R.error(0, "done"), addr)
    p.close()
    return (not got or got[0][0].op == R.ERROR), repr([g for g, _ in got])


t = Tap(7)
with Lab(t, {"f": content}, max_transfers=2, per_client=100, timeout=2, retries=5) as lab:
    other = lab.net.alias(lab.cli, 3)[0]
    per = Server(lab.srv, lab.root, "192.0.2.1", port=1069, max_transfers=100, per_client=2,
                 timeout=2, retries=5)
    try:
        per.start()
    except Exception as e:
        t.abort("the -C 2 server starts: %s" % e)

    held = [open_transfer(lab, 69) for _ in range(2)]
    t.ok(all(tid for _, tid in held), "-c 2: two transfers open", repr(held))
    ok, what = refused(lab, 69)
    t.ok(ok, "-c 2: a third RRQ gets an ERROR or nothing, no data", what)
    p, tid = held.pop(0)
    p.send(R.error(0, "client ends it"), tid)
    p.close()
    served = None
    deadline = time.monotonic() + 2
    while not served and time.monotonic() < deadline:
        q, served = open_transfer(lab, 69)
        if served:
            q.send(R.error(0, "done"), served)
        q.close()
    t.ok(served, "-c 2: when one ends, a new RRQ is served")

    mine = [open_transfer(lab, 1069) for _ in range(2)]
    t.ok(all(tid for _, tid in mine), "-C 2: two transfers open from 192.0.2.2", repr(mine))
    ok, what = refused(lab, 1069)
    t.ok(ok, "-C 2: a third from 192.0.2.2 gets an ERROR or nothing, no data", what)
    q, tid = open_transfer(lab, 1069, bind=other)
    t.ok(tid is not None, "-C 2: 192.0.2.3 is served meanwhile")
    q.close()
    for p, tid in held + mine:
        if tid:
            p.send(R.error(0, "done"), tid)
        p.close()
    t.ok(lab.server.running() and per.running(), "both servers still run",
         lab.server.tail() + per.tail())
t.done()
