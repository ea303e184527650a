#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# httpd -L: a socket sending by sendfile holds at most about -L bytes not
# yet sent (TCP_NOTSENT_LOWAT), over a veth between two namespaces whose
# server side starts every TCP socket with a 4 MiB send buffer (tcp_wmem),
# so that without the limit the queue would grow to megabytes:
#   a client that reads nothing: with -L 131072 the server socket's
#   not-sent bytes (ss -ti, "notsent:") stay within 2 x 128 KiB; with
#   -L 0 (the kernel's, no limit) the same client finds more than 1 MiB
#   queued (the control: this check can fail);
#   then it reads: every byte of the 16 MiB, the same bytes;
#   -L beyond its range is a usage error (exit 100).
import hashlib
import os
import re
import socket
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from httpd import PORT, Httpd, Net, Tap, httpd_binary, require_httpd  # noqa: E402

require_httpd()
t = Tap(6)
LIMIT = 128 << 10


def notsent(ns):
    """The not-sent bytes of ns's TCP sockets on PORT that have any (ss -ti)."""
    r = ns.run(["ss", "-tinH", "state", "established", "( sport = :%d )" % PORT], timeout=10)
    return [int(n) for n in re.findall(r"\bnotsent:(\d+)", r.stdout)]


def stalled(h, cli, path):
    """A client asks for path and reads nothing: the largest not-sent count
    the server's socket shows until it stops changing (3 readings 100 ms
    apart alike, at most 5 s), and the connected socket."""
    s = cli.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
    s.settimeout(10)
    s.connect((h.addr, PORT))
    s.sendall(("GET %s HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n" % path).encode())
    seen, last, same = [], None, 0
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and same < 3:
        now = notsent(h.ns)
        seen += now
        same = same + 1 if now and now == last else 0
        last = now
        time.sleep(0.1)
    return max(seen, default=0), s


def read_all(s):
    got = bytearray()
    while True:
        chunk = s.recv(1 << 20)
        if not chunk:
            break
        got += chunk
    s.close()
    head, _, body = bytes(got).partition(b"\r\n\r\n")
    return head, body


with Net() as net:
    srv, cli = net.ns("srv"), net.ns("cli")
    net.veth(srv, cli)
    srv.run(["sysctl", "-qw", "net.ipv4.tcp_wmem=4096 4194304 4194304"], timeout=10)
    root = net.tmpdir("httpd-root.")
    big = os.urandom(16 << 20)
    with open(os.path.join(root, "big.img"), "wb") as f:
        f.write(big)

    h = Httpd(srv, root, "-S", "65536", "-L", str(LIMIT)).start()
    most, s = stalled(h, cli, "/big.img")
    t.ok(0 < most <= 2 * LIMIT, "-L 131072: a client reading nothing: at most 256 KiB not sent",
         "largest notsent seen: %d bytes" % most)
    head, body = read_all(s)
    t.ok(head.startswith(b"HTTP/1.1 200") and hashlib.sha256(body).digest() ==
         hashlib.sha256(big).digest(), "then it reads: 200, the same 16 MiB",
         "%r, %d bytes" % (head[:40], len(body)))
    t.ok(h.log_lines(r'"GET /big.img" 200 16777216 bytes'), "its log line: 200, every byte",
         h.d.tail(3))
    h.stop()

    h = Httpd(srv, root, "-S", "65536", "-L", "0").start()
    most, s = stalled(h, cli, "/big.img")
    t.ok(most > 1 << 20, "-L 0: the same client finds more than 1 MiB not sent (no limit)",
         "largest notsent seen: %d bytes" % most)
    head, body = read_all(s)
    t.ok(len(body) == len(big) and body == big, "then it reads: the same 16 MiB",
         "%d bytes" % len(body))
    h.stop()

    r = srv.run([httpd_binary(), "-L", str((1 << 30) + 1)], timeout=10)
    t.ok(r.returncode == 100 and "-L" in r.stderr, "-L beyond 1 GiB: usage error, exit 100",
         "exit %r: %s" % (r.returncode, r.stderr[-300:]))
