#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# relayd's flags, each seen where it acts (not only in the start line):
#   - -t on a real file prints each rule as relayd reads it with its line
#     and exits 0; on a bad file it says FILE:LINE, prints nothing, 100;
#   - -q DEPTH: each worker's io_uring has DEPTH submission entries
#     (its SqMask in /proc/PID/fdinfo is DEPTH - 1);
#   - -r RCVBUF, -s SNDBUF: the input's and the output's socket buffers
#     (`ss -m`: the kernel doubles the value asked for);
#   - -b 1: a burst that waited in the input socket (relayd stopped) is
#     relayed one datagram a loop turn, so no GSO run forms, where the
#     default batch sends most of it in GSO sends; -G 0: no GSO send at
#     all, every datagram relayed;
#   - -v logs each failed send (an output with no route), one line each;
#     without it, none;
#   - -S '': no relayctl socket at all, the rules relayed as ever.
import os
import re
import signal
import subprocess
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from netns import Net, Tap, require_root  # noqa: E402
from relay_ns import (Sink, app, check, payload, receiver, relayd, relayd_stats,  # noqa: E402
                      send, sender)

require_root()
t = Tap(14)


def rule(n, extra=""):
    return ("relay from v0b group 239.1.1.%d port 5000 to 239.2.2.%d:6000 dev v1a%s"
            % (n, n, extra))


def gso_counts(d, n, want):
    """(packets, GSO packets, GSO sends) of d's output 239.2.2.n, once
    its packets reach want (a few seconds at most)."""
    rx = re.compile(r"  to 239\.2\.2\.%d:6000 dev v1a: (\d+) packets, .*?; dropped: \d+ send "
                    r"error, \d+ no route(?:; (\d+) of the packets in (\d+) GSO sends)?" % n)

    def counted(text):
        m = rx.search(text)
        return m and int(m.group(1)) >= want
    m = rx.search("\n".join(relayd_stats(d, until=counted)))
    return tuple(int(x or 0) for x in m.groups()) if m else None


def burst(d, tx, n, count=400):
    """count 1000-byte datagrams to group n while d is stopped (they wait
    in its input socket), then what the sink got and d's counters."""
    sink = Sink([receiver(snk, "239.2.2.%d" % n, 6000, "198.51.100.2")])
    d.signal(signal.SIGSTOP)
    try:
        send(tx, ("239.1.1.%d" % n, 5000), n, count, 20000, size=1000)
        time.sleep(0.05)
    finally:
        d.signal(signal.SIGCONT)
    got = sink.wait(count, timeout=10)[0]
    sink.close()
    return check(got, n, count), gso_counts(d, n, count)


def ring_masks(pid):
    """SqMask of each io_uring of process pid (its fdinfo)."""
    masks = []
    fds = "/proc/%d/fd" % pid
    for fd in os.listdir(fds):
        try:
            if os.readlink(os.path.join(fds, fd)) != "anon_inode:[io_uring]":
                continue
            with open("/proc/%d/fdinfo/%s" % (pid, fd)) as f:
                m = re.search(r"(?m)^SqMask:\s*(0x[0-9a-f]+|\d+)", f.read())
            if m:
                masks.append(int(m.group(1), 0))
        except OSError:
            pass
    return sorted(masks)


def skmem(ns, pid):
    """[(rb, tb)] of the UDP sockets of process pid (`ss -uampn`)."""
    r = ns.run(["ss", "-uampn"], timeout=10)
    out = []
    for sock, mem in re.findall(r"(?s)(users:\(.*?\)\)).*?skmem:\((.*?)\)", r.stdout):
        if "pid=%d," % pid in sock:
            f = dict(re.findall(r"([a-z]+)(\d+)", mem))
            out.append((int(f["rb"]), int(f["tb"])))
    return out


with Net() as net:
    gen, rel, snk = net.ns("gen"), net.ns("relay"), net.ns("sink")
    net.veth(gen, rel)
    net.veth(rel, snk)
    tx = sender(gen, "192.0.2.1")

    where = net.tmpdir("relayd-t-")
    good, bad = os.path.join(where, "good.conf"), os.path.join(where, "bad.conf")
    with open(good, "w") as f:
        f.write("# two rules\n%s\n\n%s ttl 3, 198.51.100.7:7000\n" % (rule(1), rule(2)))
    with open(bad, "w") as f:
        f.write("%s\nrelay from v0b group 239.1.1.9 port 5000 to 239.2.2.9\n" % rule(1))
    r = subprocess.run([app("relayd"), "-c", good, "-t"], capture_output=True, text=True,
                       timeout=10)
    t.ok(r.returncode == 0 and r.stdout == "line 2: %s\nline 4: %s ttl 3, 198.51.100.7:7000\n"
         % (rule(1), rule(2)), "-t on a real file: each rule with its line, exit 0",
         "%s\n%s%s" % (r.returncode, r.stdout, r.stderr))
    r = subprocess.run([app("relayd"), "-c", bad, "-t"], capture_output=True, text=True,
                       timeout=10)
    t.ok(r.returncode == 100 and r.stdout == "" and
         re.search(r"bad\.conf:2: .*multicast destination needs 'dev IFACE'", r.stderr),
         "-t on a bad file: FILE:LINE and why, nothing printed, exit 100",
         "%s\n%s%s" % (r.returncode, r.stdout, r.stderr))

    # -q, -r, -s on one relayd with one worker; another with the defaults.
    tuned = relayd(rel, rule(1), ["-w", "1", "-q", "128", "-r", "300000", "-s", "200000"],
                   name="relayd-tuned")
    plain = relayd(rel, rule(2), ["-w", "1", "-S", ""], name="relayd-plain")
    masks, masks0 = ring_masks(tuned.pid), ring_masks(plain.pid)
    t.ok(127 in masks and 127 not in masks0,
         "-q 128: the worker's io_uring has 128 submission entries (SqMask 127; default %s)"
         % masks0, "with -q 128: %s" % masks)
    mem, mem0 = skmem(rel, tuned.pid), skmem(rel, plain.pid)
    t.ok(any(rb == 600000 for rb, _ in mem) and not any(rb == 600000 for rb, _ in mem0),
         "-r 300000: the input socket's receive buffer is 300000 (rb600000 in ss, doubled)",
         "tuned %s, default %s" % (mem, mem0))
    t.ok(any(tb == 400000 for _, tb in mem) and not any(tb == 400000 for _, tb in mem0),
         "-s 200000: the output socket's send buffer is 200000 (tb400000 in ss, doubled)",
         "tuned %s, default %s" % (mem, mem0))

    # -S '': plain has no socket; it relays all the same.
    sink = Sink([receiver(snk, "239.2.2.2", 6000, "198.51.100.2")])
    send(tx, ("239.1.1.2", 5000), 2, 200, 5000)
    got = sink.wait(200)[0]
    sink.close()
    unix = [os.readlink("/proc/%d/fd/%s" % (plain.pid, fd))
            for fd in os.listdir("/proc/%d/fd" % plain.pid)]
    listening = rel.run(["ss", "-xlpn"], timeout=10).stdout
    t.ok(not os.path.exists(plain.sock) and "pid=%d," % plain.pid not in listening and
         check(got, 2, 200) == (200, 0, 0, 0, 0),
         "-S '': relayd listens on no Unix socket and relays all the same",
         "%s\n%s\n%s" % (check(got, 2, 200), listening, unix))
    t.ok(tuned.stop() == 0 and plain.stop() == 0, "both stop with status 0")

    # -b 1 and -G 0 against the defaults, on the same burst.
    dflt = relayd(rel, rule(3), name="relayd-default")
    one = relayd(rel, rule(4), ["-b", "1"], name="relayd-b1")
    nogso = relayd(rel, rule(5), ["-G", "0"], name="relayd-G0")
    r3, c3 = burst(dflt, tx, 3)
    t.ok(r3 == (400, 0, 0, 0, 0) and c3 and c3[1] >= 200,
         "default batch: a burst of 400 that waited goes mostly in GSO sends",
         "sink %s, (packets, GSO packets, GSO sends) %s" % (r3, c3))
    r4, c4 = burst(one, tx, 4)
    t.ok(r4 == (400, 0, 0, 0, 0) and c4 == (400, 0, 0),
         "-b 1: the same burst one datagram a turn: all relayed, none in a GSO send",
         "sink %s, (packets, GSO packets, GSO sends) %s" % (r4, c4))
    r5, c5 = burst(nogso, tx, 5)
    t.ok(r5 == (400, 0, 0, 0, 0) and c5 == (400, 0, 0),
         "-G 0: the same burst all relayed, none in a GSO send",
         "sink %s, (packets, GSO packets, GSO sends) %s" % (r5, c5))
    t.ok(dflt.stop() == 0 and one.stop() == 0 and nogso.stop() == 0, "all three stop with status 0")

    # -v: an output to a port nobody listens on: the sink's ICMP port
    # unreachable makes a later send on that connected socket fail
    # (ECONNREFUSED), each failure counted as a send error.  Two hosts
    # answer, one for each relayd: the kernel limits ICMP per host.
    loud = relayd(rel, rule(6, ", 198.51.100.2:9"), ["-v"], name="relayd-v")
    quiet = relayd(rel, rule(7, ", 192.0.2.1:9"), name="relayd-quiet")
    for n in (6, 7):
        for seq in range(10):
            tx.sendto(payload(n, seq, 100), ("239.1.1.%d" % n, 5000))
            time.sleep(0.05)
    errors = {}
    for d, n, host in ((loud, 6, r"198\.51\.100\.2"), (quiet, 7, r"192\.0\.2\.1")):
        rx = (r"to " + host + r":9: (\d+) packets, \d+ bytes, \d+ pps; "
              r"dropped: (\d+) send error, 0 no route")
        m = re.search(rx, "\n".join(relayd_stats(d, until=lambda text: (
            lambda m: m and int(m.group(1)) + int(m.group(2)) == 10)(re.search(rx, text)))))
        errors[n] = int(m.group(2)) if m else None
    said = r"239\.1\.1\.%d:5000 \(line 1\): send to 198\.51\.100\.2:9: Connection refused"
    logged = loud.seen(said % 6, count=errors[6] or 1)
    t.ok(errors[6] and len(logged) == errors[6],
         "-v: each failed send logged with the rule, the output and why (%s of %s counted)"
         % (len(logged), errors[6]), loud.tail(12))
    t.ok(errors[7] and not quiet.matches(r"send to 192"),
         "without -v: none of its %s logged" % errors[7], quiet.tail(12))
    t.ok(loud.stop() == 0 and quiet.stop() == 0, "both stop with status 0")
t.done()
