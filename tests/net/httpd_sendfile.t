#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# httpd -S 65536: bodies of 64 KiB or more leave by sendfile(2) from the
# page cache, smaller ones from the file's mapping, over a veth between two
# namespaces, every byte checked:
#   curl GET of a 16 MiB file, and a range of it (206, those bytes);
#   Python's http.client: two GETs of it on one kept-alive connection, then
#   a 1 KiB file on the same connection;
#   the 16 MiB file is not in httpd's mappings (sent by sendfile), the
#   1 KiB one is (kept mapped, -m);
#   a file truncated while it is sent: that response is cut and logged
#   ", cut short", the server serves on;
#   a client that stops reading is reset after -s 2.
import hashlib
import http.client
import os
import socket
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from httpd import PORT, Httpd, Net, Tap, raw_exchange, require_httpd, status_of  # noqa: E402

require_httpd()
t = Tap(8)


def sha(b):
    return hashlib.sha256(b).hexdigest()


def mapped(pid, name):
    """Whether httpd (pid, or any of its workers) maps a file named name."""
    with open("/proc/%d/maps" % pid) as f:
        return any(line.rstrip().endswith("/" + name) for line in f)


with Net() as net:
    srv, cli = net.ns("srv"), net.ns("cli")
    net.veth(srv, cli)
    root, out = net.tmpdir("httpd-root."), net.tmpdir("httpd-out.")
    big = os.urandom(16 << 20)
    small = b"#!ipxe\n" + b"echo hi\n" * 127
    for name, data in (("big.img", big), ("boot.ipxe", small), ("shrinks", os.urandom(16 << 20)),
                       ("stall", os.urandom(64 << 20))):
        with open(os.path.join(root, name), "wb") as f:
            f.write(data)
    h = Httpd(srv, root, "-S", "65536", "-s", "2").start()

    def curl(*args):
        dst = os.path.join(out, "curl.out")
        if os.path.exists(dst):
            os.remove(dst)
        r = cli.run(["curl", "-sS", "-o", dst, "-w", "%{http_code}"] + list(args), timeout=30)
        return r, open(dst, "rb").read() if os.path.exists(dst) else b""

    r, body = curl(h.url("/big.img"))
    t.ok(r.stdout == "200" and sha(body) == sha(big), "GET 16 MiB by sendfile: same bytes",
         r.stdout + r.stderr)
    r, body = curl("--range", "100001-1300000", h.url("/big.img"))
    t.ok(r.stdout == "206" and body == big[100001:1300001], "a range of it: 206, those bytes",
         "%s %s, %d bytes" % (r.stdout, r.stderr, len(body)))

    c = http.client.HTTPConnection(h.addr, PORT, timeout=10)
    c.sock = h.connect(cli, timeout=10)
    got = []
    for path in ("/big.img", "/big.img", "/boot.ipxe"):
        c.request("GET", path)
        resp = c.getresponse()
        got.append((resp.status, resp.read()))
    c.close()
    t.ok([s for s, _ in got] == [200, 200, 200] and got[0][1] == big and got[1][1] == big and
         got[2][1] == small, "keep-alive: 16 MiB twice, then 1 KiB, on one connection",
         repr([(s, len(b)) for s, b in got]))
    t.ok(not mapped(h.d.pid, "big.img"), "the 16 MiB file was sent unmapped (sendfile)")
    t.ok(mapped(h.d.pid, "boot.ipxe"), "the 1 KiB file from its mapping (under -S)")

    # a file cut short while it is sent (the client reads slowly)
    s = cli.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
    s.settimeout(5)
    s.connect((h.addr, PORT))
    s.sendall(b"GET /shrinks HTTP/1.1\r\nHost: a\r\n\r\n")
    s.recv(65536)
    os.truncate(os.path.join(root, "shrinks"), 1 << 20)
    total = 0
    s.settimeout(10)
    try:
        while True:
            chunk = s.recv(1 << 20)
            if not chunk:
                break
            total += len(chunk)
    except (ConnectionResetError, socket.timeout):
        pass
    s.close()
    s = h.connect(cli)
    ok, _ = raw_exchange(s, b"GET /boot.ipxe HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
    s.close()
    t.ok(total < (16 << 20) and status_of(ok) == 200 and h.d.running(),
         "a file truncated while sent: that response ends, the server serves on",
         "%d bytes after the first read; %r%s" % (total, ok[:40], h.d.tail(3)))
    t.ok(h.log_lines(r'"GET /shrinks" 200 \d+ bytes .*cut short'),
         "its log line says cut short", h.d.tail(5))

    # a client that stops reading: cut about -s 2 s after its last progress
    s = cli.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
    s.settimeout(5)
    s.connect((h.addr, PORT))
    s.sendall(b"GET /stall HTTP/1.1\r\nHost: a\r\n\r\n")
    try:
        m = h.d.expect(r'"GET /stall" 200 \d+ bytes ([0-9.]+) s, cut short', 15)
        took = float(m.group(1))
    except Exception:
        took = None
    s.close()
    t.ok(took is not None and 1.5 <= took <= 8, "a client that stops reading: cut after -s 2",
         "logged after %r s%s" % (took, h.d.tail(3)))
    h.stop()
