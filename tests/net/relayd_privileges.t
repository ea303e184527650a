#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# relayd started as root runs as nobody (the default) with only
# CAP_NET_ADMIN and CAP_NET_BIND_SERVICE, in every thread, and every
# feature that opens a socket later still works:
#   - /proc/PID/task/*/status: Uid and Gid 65534, no supplementary group,
#     CapEff = CapPrm = those two, nothing inheritable or ambient;
#   - relayctl add of a rule on port 514 (below 1024) relays at once,
#     remove takes it away; reload from the file starts its rules;
#   - -r beyond net.core.rmem_max is still applied (SO_RCVBUFFORCE);
#   - relayctl's socket: root's, mode 0600; a nobody peer is refused by
#     relayd though relayd runs as nobody (SO_PEERCRED against the user
#     that started it);
#   - -u root keeps root; -u with no such user: exit 100.
import os
import re
import stat
import subprocess
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from netns import Net, Tap, require_root, skip_all  # noqa: E402
from relay_ns import Sink, app, check, receiver, relayd, relayctl, rewrite, send, sender  # noqa: E402

require_root()
if subprocess.run(["sh", "-c", "command -v setpriv"], capture_output=True).returncode:
    skip_all("setpriv (util-linux) is not installed")
t = Tap(10)
NET_BIND_SERVICE, NET_ADMIN = 10, 12
KEPT = 1 << NET_BIND_SERVICE | 1 << NET_ADMIN
RULE = "relay from v0b group 239.1.1.1 port 5000 to 239.2.2.1:6000 dev v1a"
LOW = "relay from v0b group 239.1.1.2 port 514 to 239.2.2.2:6000 dev v1a"
FROM_FILE = "relay from v0b group 239.1.1.3 port 5000 to 239.2.2.3:6000 dev v1a"


def status(pid):
    """{field: value} of each thread of pid: [dict]."""
    out = []
    for tid in sorted(os.listdir("/proc/%d/task" % pid)):
        with open("/proc/%d/task/%s/status" % (pid, tid)) as f:
            out.append(dict(line.rstrip("\n").split(":\t", 1) for line in f if ":\t" in line))
    return out


def creds(pid):
    """What every thread of pid runs with, as (uid, gid, groups, eff, prm, inh, amb);
    a set: one element when all threads agree."""
    return {(s["Uid"], s["Gid"], s["Groups"].strip(), int(s["CapEff"], 16), int(s["CapPrm"], 16),
             int(s["CapInh"], 16), int(s.get("CapAmb", "0"), 16)) for s in status(pid)}


def relays(gen, snk, group, port, out_group, stream):
    sink = Sink([receiver(snk, out_group, 6000, "198.51.100.2")])
    send(sender(gen, "192.0.2.1"), (group, port), stream, 200, 5000)
    got = sink.wait(200)[0]
    sink.close()
    return check(got, stream, 200)


with Net() as net:
    gen, rel, snk = net.ns("gen"), net.ns("relay"), net.ns("sink")
    net.veth(gen, rel)
    net.veth(rel, snk)
    # Twice net.core.rmem_max: only SO_RCVBUFFORCE (CAP_NET_ADMIN) sets it.
    RCVBUF = 2 * int(rel.run(["cat", "/proc/sys/net/core/rmem_max"]).stdout)
    d = relayd(rel, RULE, ["-w", "2", "-r", str(RCVBUF)])
    c = creds(d.pid)
    want = ("65534\t65534\t65534\t65534", "65534\t65534\t65534\t65534", "", KEPT, KEPT, 0, 0)
    t.ok(c == {want} and len(status(d.pid)) >= 3,
         "every thread (main and 2 workers) runs as nobody with CAP_NET_ADMIN and "
         "CAP_NET_BIND_SERVICE only", "%s\nwant %s" % (c, want))

    st, out, err = relayctl(d, "add", *LOW.split())
    got = relays(gen, snk, "239.1.1.2", 514, "239.2.2.2", 2)
    t.ok(st == 0 and "running" in out and got == (200, 0, 0, 0, 0),
         "relayctl add of a rule on port 514 as nobody: running, relays every datagram",
         "%s%s %s%s" % (out, err, got, d.tail(5)))
    st, out, err = relayctl(d, "remove", "2")
    got = relays(gen, snk, "239.1.1.2", 514, "239.2.2.2", 3)
    t.ok(st == 0 and got[0] == 0, "relayctl remove: it relays nothing more", "%s%s %s" % (out, err, got))

    rewrite(d, RULE + "\n" + FROM_FILE)
    st, out, err = relayctl(d, "reload")
    got = relays(gen, snk, "239.1.1.3", 5000, "239.2.2.3", 4)
    t.ok(st == 0 and "1 added" in out and got == (200, 0, 0, 0, 0),
         "relayctl reload as nobody reads the file and starts its new rule", "%s%s %s" % (out, err, got))

    mem = rel.run(["ss", "-uampn"], timeout=10).stdout
    rbs = [int(x) for sock, x in re.findall(r"(?s)(users:\(.*?\)\)).*?skmem:\(r\d+,rb(\d+)", mem)
           if "pid=%d," % d.pid in sock]
    t.ok(2 * RCVBUF in rbs, "-r %d past net.core.rmem_max is applied as nobody (rb%d in ss)"
         % (RCVBUF, 2 * RCVBUF), "%s\n%s" % (rbs, mem[-600:]))

    s = os.stat(d.sock)
    os.chmod(os.path.dirname(d.sock), 0o755)
    os.chmod(d.sock, 0o666)
    r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                        app("relayctl"), "-S", d.sock, "list"],
                       capture_output=True, text=True, timeout=10)
    os.chmod(d.sock, 0o600)
    t.ok(s.st_uid == 0 and stat.S_IMODE(s.st_mode) == 0o600 and r.returncode == 111 and
         "only root may talk to relayd" in r.stderr,
         "relayctl's socket is root's, 0600; opened up, a nobody peer is still refused by relayd "
         "running as nobody", "%o %d %s %s" % (s.st_mode, s.st_uid, r.returncode, r.stderr))
    t.ok(d.stop() == 0, "relayd stops with status 0", d.tail())
    left = os.path.exists(d.sock)
    again = rel.daemon([app("relayd"), "-c", d.conf, "-S", d.sock], name="relayd-again")
    again.expect(r"\d+ of \d+ rules running", 5)
    again.sock = d.sock
    st, out, err = relayctl(again, "list")
    t.ok(st == 0 and "running" in out,
         "the socket file it could not remove as nobody (%s) is replaced by the next relayd"
         % ("left" if left else "gone"), out + err + again.tail(5))
    again.stop()

    root = relayd(rel, RULE, ["-u", "root"], name="relayd-root")
    c = creds(root.pid)
    t.ok(len(c) == 1 and list(c)[0][0].startswith("0\t") and list(c)[0][3] == list(c)[0][4] != 0
         and list(c)[0][3] & KEPT == KEPT, "-u root keeps root and its capabilities", str(c))
    root.stop()
    r = rel.run([app("relayd"), "-c", root.conf, "-S", "", "-u", "no-such-user-here"], timeout=10)
    t.ok(r.returncode == 100 and "no user no-such-user-here" in r.stderr,
         "-u with no such user: exit 100, said", "%s %r" % (r.returncode, r.stderr))
t.done()
