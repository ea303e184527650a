#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# httpd: a file truncated under a response sent from its mapping ends that
# response, not the server (app/lib/files.h, files_guard).  Over a veth,
# one worker, a 16 MiB file; a client reads its first MiB and pauses (the
# server's socket fills), the file is truncated to 64 KiB, the client reads
# on:
#   over HTTPS (the encryption reads the mapping in user space, where a
#   page past the new end faults with SIGBUS): the response ends short of
#   its Content-Length, the server is still running, logs the response cut
#   short, and serves the next HTTPS request whole (the 64 KiB file);
#   over HTTP from the mapping (-S 0: the kernel's copy fails with EFAULT):
#   the same;
#   and the server exits 0 on SIGTERM.
import os
import re
import socket
import ssl
import subprocess
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from httpd import PORT, TOP, Httpd, Net, Tap, require_httpd  # noqa: E402

require_httpd()
t = Tap(8)
TLS_PORT = 8443
NAME = "boot.example"
BIG, CUT = 16 << 20, 64 << 10


def fetch(sock, path, pause_after=None, pause=None):
    """GET path on sock: (status, Content-Length, body bytes read); after
    pause_after body bytes, call pause() once."""
    sock.sendall(("GET %s HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n" % path).encode())
    got = b""
    while b"\r\n\r\n" not in got:
        chunk = sock.recv(65536)
        if not chunk:
            return None, None, 0
        got += chunk
    head, _, body = got.partition(b"\r\n\r\n")
    m = re.match(rb"HTTP/1\.1 (\d+) ", head)
    n = re.search(rb"(?i)\r\ncontent-length: (\d+)", head)
    read = len(body)
    while True:
        if pause and pause_after is not None and read >= pause_after:
            pause()
            pause = None
        try:
            chunk = sock.recv(1 << 16)
        except (ConnectionResetError, ssl.SSLError):
            break
        if not chunk:
            break
        read += len(chunk)
    sock.close()
    return int(m.group(1)) if m else None, int(n.group(1)) if n else None, read


with Net() as net:
    srv, cli = net.ns("srv"), net.ns("cli")
    net.veth(srv, cli)
    root, keys = net.tmpdir("httpd-root."), net.tmpdir("httpd-keys.")
    path = os.path.join(root, "big.img")
    lab = subprocess.run(["sh", os.path.join(TOP, "app", "httpd", "tls-lab.sh"), keys, keys,
                          NAME, srv.addr(4)], capture_output=True, text=True)
    if lab.returncode:
        raise RuntimeError("tls-lab.sh failed: " + lab.stderr)
    ctx = ssl.create_default_context(cafile=os.path.join(keys, "httpd-lab-ca.pem"))

    def connect_tls(h):
        s = cli.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(10)
        s.connect((h.addr, TLS_PORT))
        return ctx.wrap_socket(s, server_hostname=NAME)

    def connect_plain(h):
        return h.connect(cli, timeout=10)

    def truncate():
        time.sleep(0.3)  # the server's socket full: it waits for room
        os.truncate(path, CUT)

    for how, flags, connect in (
            ("HTTPS", ["-t", str(TLS_PORT), "-x", os.path.join(keys, "cert.pem"),
                       "-K", os.path.join(keys, "key.pem")], connect_tls),
            ("HTTP from the mapping (-S 0)", ["-S", "0"], connect_plain)):
        with open(path, "wb") as f:
            f.write(os.urandom(BIG))
        h = Httpd(srv, root, "-n", "1", *flags).start()
        status, length, read = fetch(connect(h), "/big.img", 1 << 20, truncate)
        t.ok(status == 200 and length == BIG and read < BIG,
             "%s: a file truncated under its response: the response ends short (%d of %d)"
             % (how, read, BIG), "status %r, length %r, read %d" % (status, length, read))
        t.ok(h.d.running() and h.log_lines(r'"GET /big.img" 200 \d+ bytes .*cut short'),
             "%s: the server goes on, the response logged cut short" % how, h.d.tail(4))
        status, length, read = fetch(connect(h), "/big.img")
        t.ok(status == 200 and length == CUT and read == CUT,
             "%s: the next request: 200, the file as it is now (%d bytes)" % (how, read),
             "status %r, length %r, read %d" % (status, length, read))
        code = h.stop()
        t.ok(code == 0, "%s: SIGTERM, exit 0" % how, "exit %r%s" % (code, h.d.tail(5)))
