#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# relayctl against a running relayd (three workers) while a stream runs
# through a rule that nobody touches:
#   - list, stats (per rule and output, packets per second), add, remove
#     by ID and by rule, reload; rules spread over the workers;
#   - the untouched rule loses nothing of its stream through all of it;
#   - an added rule relays at once, a removed one not at all, and reload
#     returns to the file (relayctl's changes are not written to it);
#   - remove by the rule written out in full, as by its ID;
#   - errors: a bad rule, the same input twice, no such rule, a bad file,
#     an unknown command, no relayd, not root -- each with its message
#     and exit status (100 refused or usage, 111 system), nothing changed;
#   - not root refused twice over: by the socket's mode, and, with the
#     mode opened up, by relayd itself (SO_PEERCRED);
#   - relayctl -T: a relayd that never answers is given up after -T s;
#   - the socket is 0600, and answers no more once relayd stops.
import os
import re
import stat
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from netns import Net, Tap, require_root  # noqa: E402
from relay_ns import (Sink, app, check, receiver, relayd, relayctl, rewrite, send,  # noqa: E402
                      sender)

require_root()
N, PPS = 40000, 10000
t = Tap(25)

KEEP = "relay from v0b group 239.1.1.1 port 5000 to 239.2.2.1:6000 dev v1a"
GOES = "relay from v0b group 239.1.1.2 port 5000 to 239.2.2.2:6000 dev v1a"
ADDED = "relay from v0b group 239.1.1.3 port 5000 to 239.2.2.3:6000 dev v1a ttl 2"
FILE = "# relayd_ctl.t\n" + KEEP + "\n" + GOES


def table(out):
    """relayctl list: [(id, worker, state, origin, rule)]."""
    return re.findall(r"(?m)^\s*(\d+)\s+(\d+)\s+(\w+)\s+(line \d+|relayctl)\s+(relay .*)$", out)


def short(x, n=200):
    return "\n%d chars%s" % (len(x), ": " + x[:n] if x else "")


with Net() as net:
    gen, rel, snk = net.ns("gen"), net.ns("relay"), net.ns("sink")
    net.veth(gen, rel)
    net.veth(rel, snk)
    d = relayd(rel, FILE, ["-w", "3"])
    mode = stat.S_IMODE(os.stat(d.sock).st_mode)
    t.ok(stat.S_ISSOCK(os.stat(d.sock).st_mode) and mode == 0o600,
         "relayctl's socket is a socket of mode 0600", oct(mode))

    st, out, err = relayctl(d, "list")
    rows = table(out)
    t.ok(st == 0 and out.startswith("  ID  WORKER  STATE") and
         rows == [("1", "0", "running", "line 2", KEEP), ("2", "1", "running", "line 3", GOES)],
         "list: ID, worker, state, origin and each rule as the file says it", out + err)

    tx, tx2 = sender(gen, "192.0.2.1"), sender(gen, "192.0.2.1")
    keep = Sink([receiver(snk, "239.2.2.1", 6000, "198.51.100.2")])
    other = Sink([receiver(snk, "239.2.2.%d" % i, 6000, "198.51.100.2") for i in (2, 3)])
    th = threading.Thread(target=send, args=(tx, ("239.1.1.1", 5000), 1, N, PPS))
    th.start()
    # pps is over the last whole second: against the packets counted
    # between two stats a second apart (the sender's own pace varies).
    STATS = (r"#1 v0b 239\.1\.1\.1:5000 \(line 2\): (\d+) packets, (\d+) bytes in, (\d+) pps; "
             r"dropped: 0 no buffer, 0 truncated\n  to 239\.2\.2\.1:6000 dev v1a: (\d+) packets, "
             r"(\d+) bytes, (\d+) pps; dropped: 0 send error, 0 no route"
             r"(?:; \d+ of the packets in \d+ GSO sends)?\n")
    time.sleep(1.2)
    t0, (st0, out0, _) = time.monotonic(), relayctl(d, "stats")
    time.sleep(1.0)
    t1, (st, out, err) = time.monotonic(), relayctl(d, "stats")
    m0, m = re.search(STATS, out0), re.search(STATS, out)
    rate = (int(m.group(1)) - int(m0.group(1))) / (t1 - t0) if m and m0 else 0
    t.ok(st0 == st == 0 and m and rate > 1000 and 0.7 * rate < int(m.group(3)) < 1.3 * rate and
         0.7 * rate < int(m.group(6)) < 1.3 * rate and int(m.group(2)) == 200 * int(m.group(1)),
         "stats under traffic: packets, bytes, and pps in and out as counted (%.0f/s), no drop"
         % rate, out0 + out + err)

    st, out, err = relayctl(d, "add", *ADDED.split())
    t.ok(st == 0 and re.match(r"added rule 3 \(worker 2, running\): " + re.escape(ADDED) + "\n$",
                              out), "add under traffic: rule 3 in worker 2, running", out + err)
    send(tx2, ("239.1.1.3", 5000), 3, 500, PPS)
    st, out, err = relayctl(d, "remove", "2")
    t.ok(st == 0 and out == "removed rule 2: " + GOES + "\n", "remove 2 under traffic", out + err)
    send(tx2, ("239.1.1.2", 5000), 2, 500, PPS)
    g = other.wait(500, timeout=2)
    t.ok(check(g[1], 3, 500) == (500, 0, 0, 0, 0) and check(g[0], 2, 500)[0] == 0,
         "the added rule relays at once, the removed one nothing",
         "added %s, removed %s" % (check(g[1], 3, 500), check(g[0], 2, 500)))
    st, out, err = relayctl(d, "list")
    t.ok(st == 0 and table(out) == [("1", "0", "running", "line 2", KEEP),
                                    ("3", "2", "running", "relayctl", ADDED)],
         "list shows the change; the file's rule keeps its ID and line", out + err)
    with open(d.conf) as f:
        t.ok(f.read() == FILE + "\n", "the file is not written")

    # Refused: exit 100, the reason on stderr, nothing changed.
    bad = [
        (("add", "relay from v0b group 239.1.1.9 port 5000 to 239.2.2.9"),
         "relayctl: error: output 1: a multicast destination needs 'dev IFACE'"),
        (("add", KEEP.replace("239.2.2.1:6000", "198.51.100.2")),
         r"relayctl: error: the same input as rule #1 v0b 239\.1\.1\.1:5000 \(line 2\)"),
        (("remove", "99"), r"relayctl: error: no rule 99 \(relayctl list shows them\)"),
        (("remove", GOES), r"relayctl: error: no such rule"),
        (("remove", "0x1"), r"relayctl: error: a rule ID is a number from 1 to 4294967295"),
    ]
    for words, want in bad:
        st, out, err = relayctl(d, *words)
        t.ok(st == 100 and out == "" and re.match(want, err),
             "refused with 100: relayctl %s" % " ".join(words)[:60], "%s%s" % (st, short(err)))
    st, out, err = relayctl(d, "frobnicate")
    t.ok(st == 100 and err.startswith("relayctl: error: unknown command frobnicate\nusage: relayctl"),
         "an unknown command: 100 and the usage", "%s%s" % (st, short(err)))

    rewrite(d, KEEP + "\nrelay from v0b group 239.1.1.4 port 5000 to 239.2.2.4 dev\n")
    st, out, err = relayctl(d, "reload")
    t.ok(st == 100 and "not loaded; the running rules stay in force" in err and
         re.search(r"relayd\.conf:2: 'dev' wants an interface name", err),
         "reload of a bad file: 100, each bad line as FILE:LINE", "%s%s" % (st, short(err, 400)))
    rewrite(d, FILE)
    running = th.is_alive()
    st, out, err = relayctl(d, "reload")
    t.ok(running and st == 0 and re.search(r"relayd\.conf reloaded: 1 rules kept, 1 added, 1 removed; 2 of 2 "
                               r"rules running\n$", out),
         "reload under traffic returns to the file: the added rule goes, the removed one comes "
         "back", "stream running: %s\n%s" % (running, out + err))
    st, out, err = relayctl(d, "list")
    t.ok([r[0] for r in table(out)] == ["1", "4"] and table(out)[1][4] == GOES,
         "...as a new rule (ID 4); the untouched rule is still 1", out)
    st, out, err = relayctl(d, "remove", *GOES.split())
    st2, out2, _ = relayctl(d, "list")
    t.ok(st == 0 and out == "removed rule 4: " + GOES + "\n" and
         [r[0] for r in table(out2)] == ["1"],
         "remove by the rule written out in full: rule 4 goes, 1 stays", out + err + out2)

    th.join(10)
    got = keep.wait(N, timeout=5)[0]
    r = check(got, 1, N)
    t.ok(r == (N, 0, 0, 0, 0), "the untouched rule through add, remove and two reloads: %d of %d "
         "datagrams at %d/s, none lost, doubled, reordered or damaged" % (r[0], N, PPS),
         "(received, missing, duplicated, out of order, damaged): %s" % (r,))

    r = subprocess.run([app("relayctl"), "-S", "/nonexistent/relayd.sock", "list"],
                       capture_output=True, text=True, timeout=10)
    t.ok(r.returncode == 111 and "unable to reach relayd at /nonexistent/relayd.sock" in r.stderr,
         "no relayd there: 111", r.stderr)
    r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                        app("relayctl"), "-S", d.sock, "list"],
                       capture_output=True, text=True, timeout=10)
    t.ok(r.returncode == 111 and "Permission denied" in r.stderr,
         "not root: 111, permission denied", "%s %s" % (r.returncode, r.stderr))
    # The mode opened up: relayd's own check (SO_PEERCRED) refuses.
    os.chmod(os.path.dirname(d.sock), 0o755)
    os.chmod(d.sock, 0o666)
    r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                        app("relayctl"), "-S", d.sock, "list"],
                       capture_output=True, text=True, timeout=10)
    t.ok(r.returncode == 111 and r.stdout == "" and
         r.stderr == "relayctl: error: only root may talk to relayd\n",
         "not root through a socket anyone may open: relayd itself refuses, 111",
         "%s %r %r" % (r.returncode, r.stdout, r.stderr))
    t.ok(d.seen(r"relayctl: a connection refused: not root"), "...and logs it", d.tail(5))
    os.chmod(d.sock, 0o600)

    # -T: a socket that takes the connection and never answers.
    import socket
    mute_path = os.path.join(os.path.dirname(d.sock), "mute.sock")
    mute = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    mute.bind(mute_path)
    mute.listen(4)
    t0 = time.monotonic()
    r = subprocess.run([app("relayctl"), "-S", mute_path, "-T", "2", "list"],
                       capture_output=True, text=True, timeout=20)
    took = time.monotonic() - t0
    mute.close()
    # Never sooner than 2 s; the default (10 s) is far on the late side.
    t.ok(r.returncode == 111 and "relayd did not answer within 2 s" in r.stderr and
         2.0 <= took < 8.0, "-T 2: no answer, given up after %.2f s, 111" % took,
         "%s %s" % (r.returncode, r.stderr))
    keep.close()
    other.close()
    # As nobody it cannot remove its socket file from a directory of root's;
    # the next relayd replaces it (relayd_privileges.t).
    t.ok(d.stop() == 0 and relayctl(d, "list")[0] == 111,
         "relayd stops; relayctl finds no relayd on its socket", d.tail())
t.done()
