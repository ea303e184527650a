#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Nothing outside the root is ever read.  Beside the root sits a file
# "secret", watched with inotify: it must never be opened.  Every
# traversal a tftpd, atftpd or dnsmasq CVE used, and more, is asked for
# by the raw client (RRQ octet) and must be refused with ERROR 1 or 2,
# no DATA:
#   .., ../secret, ../../etc/passwd, /../secret, a/../../secret,
#   ./../secret, dir/../../secret, ....//secret's .. forms, .., .,
#   a symlink climbing out (link-out -> ../secret), an absolute symlink
#   (link-abs -> <tmp>/secret), a directory, a FIFO (must not hang the
#   server), a control character, a name longer than PATH_MAX;
#   ..\secret: an ordinary name without backslash mapping (not found),
#   and with a remap rule turning \ into / (rg \\ /) refused;
# absolute names are inside the root: /etc/passwd is root/etc/passwd (a
# decoy), never the host's; names that only look like traversal ("...",
# "..a") are ordinary files and are served; a symlink staying inside
# (link-in -> ok) is followed.
# Real clients ask too: tftp-hpa, curl --path-as-is, atftp, busybox for
# ../secret and ../../etc/passwd: each fails, and writes no secret.
# At the end the secret was never opened and the server still runs.
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import tftpraw as R  # noqa: E402
from clients import CLIENTS, get_argv  # noqa: E402
from tftpd import Lab, Server, Tap, differs, require_server  # noqa: E402
from opened import events, watch  # noqa: E402

require_server()
SECRET = b"SECRET: outside the root\n"
DECOY = b"decoy passwd inside the root\n"
files = {"ok": b"inside\n", "etc/passwd": DECOY, "...": b"three dots\n", "..a": b"dot dot a\n",
         "dir/x": b"x\n"}

REFUSED = [b"..", b"../secret", b"../../etc/passwd", b"../../../../../../etc/passwd",
           b"/../secret", b"a/../../secret", b"./../secret", b"dir/../../secret",
           b"dir/../../../secret", b"..//secret", b"./..", b".", b"dir", b"dir/",
           b"link-out", b"link-abs", b"fifo", b"ok\x01", b"x" * 5000,
           b"a/" * 2100 + b"ok", b"..\\secret"]
SERVED = [(b"/etc/passwd", DECOY), (b"//etc/passwd", DECOY), (b"...", files["..."]),
          (b"..a", files["..a"]), (b"link-in", files["ok"]), (b"./ok", files["ok"])]
MAPPED_REFUSED = [b"..\\secret", b"..\\..\\etc\\passwd", b"dir\\..\\..\\secret"]

# Where tftpd-hpa (TFTPD_UNDER_TEST=hpa) answers otherwise: in its chroot
# ".." at the top stays at the top, so ../../etc/passwd is the decoy.
HPA_TODO = {n: differs(why) for why, names in (
    ("serves ../ at the top of its chroot as the top",
     [b"../../etc/passwd", b"../../../../../../etc/passwd", b"..\\..\\etc\\passwd"]),
    ("answers ERROR 0 for a directory", [b"..", b"./..", b".", b"dir", b"dir/"]),
    ("answers ERROR 0 for a long name", [b"x" * 5000, b"a/" * 2100 + b"ok"]),
    ("blocks opening a FIFO", [b"fifo"])) for n in names}

def answer(lab, name, port=69):
    """The first packet the server sends for RRQ name: (Packet or None,
    every packet received)."""
    p = R.Peer(lab.cli, "192.0.2.1", port)
    p.send(R.request(R.RRQ, name, "octet"))
    first = p.recv(2.0)
    got = ([first] if first[0] else []) + p.drain(0.05)
    if got and got[0][0].op in (R.DATA, R.OACK):
        p.send(R.error(0, "test done"), got[0][1])
    p.close()
    return (got[0][0] if got else None), got


t = Tap(len(REFUSED) + len(SERVED) + len(MAPPED_REFUSED) + 2 * len(CLIENTS) + 2)
with Lab(t, files, start=False) as lab:
    secret = lab.path("secret")
    with open(secret, "wb") as f:
        f.write(SECRET)
    os.symlink("../secret", os.path.join(lab.root, "link-out"))
    os.symlink(secret, os.path.join(lab.root, "link-abs"))
    os.symlink("ok", os.path.join(lab.root, "link-in"))
    os.mkfifo(os.path.join(lab.root, "fifo"))
    remap = lab.path("remap")
    with open(remap, "w") as f:
        f.write("rg \\\\ /\n")
    lab.start()
    mapped = Server(lab.srv, lab.root, "192.0.2.1", port=1069, remap=remap)
    try:
        mapped.start()
    except Exception as e:
        t.abort("the server with a remap file starts: %s" % e)
    ino = watch(secret)

    def refused(name, port=69, what=""):
        first, got = answer(lab, name, port)
        ok = first is not None and first.op == R.ERROR and first.code in (1, 2) and \
            not any(p.op == R.DATA for p, _ in got)
        t.ok(ok, "%r%s: refused with ERROR 1 or 2" % (name[:40], what),
             "got %r" % [p for p, _ in got], todo=HPA_TODO.get(name))

    for name in REFUSED:
        refused(name)
    for name, want in SERVED:
        x = R.get(lab.cli, "192.0.2.1", name)
        t.ok(x.ok and x.data == want, "%r: served from inside the root" % name, repr(x))
    for name in MAPPED_REFUSED:
        refused(name, 1069, " with \\ mapped to /")

    for client in CLIENTS:
        for name in ("../secret", "../../etc/passwd"):
            out = lab.path("%s.out" % client)
            argv = get_argv(client, "192.0.2.1", name, out)
            if client == "curl":
                argv.insert(1, "--path-as-is")
            r = lab.cli.run(argv, timeout=10)
            try:
                with open(out, "rb") as f:
                    got = f.read()
                os.unlink(out)
            except OSError:
                got = b""
            with open("/etc/passwd", "rb") as f:
                host_passwd = f.read()
            # tftp-hpa exits 0 after an ERROR; it says "Error code N".
            failed = r.returncode != 0 or "Error code" in r.stdout + r.stderr
            t.ok(failed and SECRET not in got and host_passwd not in got,
                 "%s asking for %s fails and gets nothing" % (client, name),
                 "exit %r, wrote %r %s %s" % (r.returncode, got[:60], r.stdout[-200:],
                                              r.stderr[-200:]),
                 todo=HPA_TODO.get(name.encode()))
    t.ok(events(ino) == 0, "the secret beside the root was never opened")
    t.ok(lab.server.running() and mapped.running(), "both servers still run",
         lab.server.tail() + mapped.tail())
t.done()
