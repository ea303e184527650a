#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# pxed started as root binds its ports, then runs as nobody (the default)
# with no capability at all, and server mode still works:
#   - /proc/PID/status: Uid and Gid 65534, no supplementary group, CapEff
#     and CapPrm 0;
#   - the lease file's directory, missing, is made nobody's (0750);
#   - udhcpc gets a lease, and the lease file (nobody's) holds it;
#   - SIGHUP reloads the file (the new router reaches the next client)
#     without opening a socket again: the same socket inodes;
#   - a lease directory nobody cannot write stops pxed at its start (111,
#     said), not at its first ACK;
#   - -u root keeps root; -u with no such user: exit 100.
import os
import re
import signal
import stat
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from dhcp_ns import PxedLab, Tap, require, tern_out  # noqa: E402

require()
t = Tap(9)
CONF = """# pxed_privileges.t
mode server
pool 192.0.2.100 192.0.2.109
router %s
lease 600
"""


def creds(pid):
    with open("/proc/%d/status" % pid) as f:
        s = dict(line.rstrip("\n").split(":\t", 1) for line in f if ":\t" in line)
    return (s["Uid"], s["Gid"], s["Groups"].strip(), int(s["CapEff"], 16), int(s["CapPrm"], 16))


def sockets(pid):
    out = set()
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            link = os.readlink("/proc/%d/fd/%s" % (pid, fd))
        except OSError:
            continue
        if link.startswith("socket:"):
            out.add(link)
    return out


with PxedLab(t, CONF % "192.0.2.1") as lab:
    nobody = "65534\t65534\t65534\t65534"
    c = creds(lab.pxed.pid)
    t.ok(c == (nobody, nobody, "", 0, 0), "pxed runs as nobody, no group, no capability", str(c))
    d = os.path.dirname(lab.leases)
    s = os.stat(d)
    t.ok(s.st_uid == 65534 and stat.S_IMODE(s.st_mode) == 0o750,
         "the missing lease directory was made nobody's, mode 0750",
         "%d %o%s" % (s.st_uid, s.st_mode, lab.pxed.tail(5)))

    r = lab.udhcpc()
    with open(lab.leases) as f:
        text = f.read()
    t.ok(r and r["ip"] in text and os.stat(lab.leases).st_uid == 65534,
         "udhcpc bound; the lease file, nobody's, holds its lease", "%s %r%s" % (r, text, lab.pxed.tail()))

    before = sockets(lab.pxed.pid)
    lab.write(lab.conf, CONF % "192.0.2.7")
    lab.pxed.signal(signal.SIGHUP)
    lab.pxed.expect("SIGHUP: .* reloaded", 3)
    r = lab.udhcpc()
    t.ok(r and r.get("router") == "192.0.2.7", "SIGHUP as nobody: the new router reaches the next client",
         str(r))
    t.ok(before and sockets(lab.pxed.pid) == before, "the reload opened no socket: the same %d"
         % len(before), "%s %s" % (before, sockets(lab.pxed.pid)))
    t.ok(lab.pxed.stop() == 0, "pxed stops with status 0")

    # A directory of root's that nobody may not write in.
    closed = lab.path("closed")
    os.mkdir(closed, 0o755)
    r = lab.srv.run([tern_out("build", "app", "pxed"), "-c", lab.conf, "-l",
                     os.path.join(closed, "leases"), "-i", lab.srv.dev], timeout=10)
    t.ok(r.returncode == 111 and re.search(r"unable to write the leases in .*closed as user "
                                           r"nobody: Permission denied", r.stderr),
         "a lease directory nobody cannot write: pxed stops at its start, 111, said",
         "%s %r" % (r.returncode, r.stderr))

    p = lab.start("-u", "root")
    c = creds(p.pid)
    t.ok(c[0].startswith("0\t") and c[3] != 0, "-u root keeps root", str(c))
    p.stop()
    r = lab.srv.run([tern_out("build", "app", "pxed"), "-c", lab.conf, "-l", lab.leases,
                     "-i", lab.srv.dev, "-u", "no-such-user-here"], timeout=10)
    t.ok(r.returncode == 100 and "no user no-such-user-here" in r.stderr,
         "-u with no such user: exit 100, said", "%s %r" % (r.returncode, r.stderr))
t.done()
