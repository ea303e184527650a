#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# httpd -S 0 chooses each response's send path by load (conn.c,
# SENDFILE_BUSY): a body of 64 KiB or more leaves from the file's mapping
# while the worker sends at most four such bodies, and by sendfile(2) once
# it already sends four.  Over a veth, one worker, no idle mapping kept
# (-m 0), clients that read the head and then stop, so that responses stay
# in flight:
#   four 16 MiB files at once, each sent from its mapping (mapped in httpd);
#   a fifth beside them, by sendfile (never mapped);
#   all five read to the end: every byte right, both paths;
#   once they ended, a lone 16 MiB response is from its mapping again (the
#   worker's count went back down), and whole.
import os
import socket
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from httpd import PORT, Httpd, Net, Tap, require_httpd  # noqa: E402

require_httpd()
t = Tap(5)
SIZE = 16 << 20


def mapped(pid, name):
    """Whether httpd (pid) maps a file named name."""
    with open("/proc/%d/maps" % pid) as f:
        return any(line.rstrip().endswith("/" + name) for line in f)


def stalled(h, cli, name):
    """A client that sent GET /name and read the response's head, then
    stops reading: the response stays in flight."""
    s = cli.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    s.settimeout(10)
    s.connect((h.addr, PORT))
    s.sendall(b"GET /%s HTTP/1.1\r\nHost: a\r\n\r\n" % name.encode())
    head = b""
    while b"\r\n\r\n" not in head:
        head += s.recv(4096)
    return s, head[head.index(b"\r\n\r\n") + 4:]


def drain(s, got):
    """The rest of a response to the end of its body."""
    s.settimeout(20)
    while len(got) < SIZE:
        chunk = s.recv(1 << 20)
        if not chunk:
            break
        got += chunk
    s.close()
    return got


with Net() as net:
    srv, cli = net.ns("srv"), net.ns("cli")
    net.veth(srv, cli)
    root = net.tmpdir("httpd-root.")
    data = {}
    for i in range(1, 6):
        data["f%d" % i] = os.urandom(SIZE)
        with open(os.path.join(root, "f%d" % i), "wb") as f:
            f.write(data["f%d" % i])
    h = Httpd(srv, root, "-S", "0", "-n", "1", "-m", "0", "-s", "20").start()
    pid = h.d.pid

    busy = [(n,) + stalled(h, cli, n) for n in ("f1", "f2", "f3", "f4")]
    t.ok(all(mapped(pid, n) for n, _, _ in busy),
         "four 16 MiB responses at once: each from its file's mapping",
         open("/proc/%d/maps" % pid).read())
    fifth = ("f5",) + stalled(h, cli, "f5")
    time.sleep(0.2)
    t.ok(not mapped(pid, "f5") and all(mapped(pid, n) for n, _, _ in busy),
         "a fifth beside them: by sendfile, never mapped", open("/proc/%d/maps" % pid).read())
    whole = [drain(s, got) == data[n] for n, s, got in busy + [fifth]]
    t.ok(all(whole), "all five read to the end: every byte right, both paths",
         "%r%s" % (whole, h.d.tail(5)))
    deadline = time.monotonic() + 5
    while any(mapped(pid, "f%d" % i) for i in range(1, 5)) and time.monotonic() < deadline:
        time.sleep(0.05)
    s, got = stalled(h, cli, "f5")
    t.ok(mapped(pid, "f5"), "once they ended, a lone 16 MiB response is from its mapping again",
         open("/proc/%d/maps" % pid).read())
    t.ok(drain(s, got) == data["f5"], "and it is whole", h.d.tail(5))
    h.stop()
t.done()
