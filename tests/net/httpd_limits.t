#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Limits that hold under abuse, with httpd -H 2 -k 1 -s 2 -c 8 -C 4:
#   slow-loris: a head dribbled a byte every 0.3 s is cut about 2 s after
#   it began (-H), and so is a connection that never sends a byte; an idle
#   keep-alive connection is closed after about 1 s (-k); a client that
#   stops reading a 64 MiB response is reset about 2 s after its last
#   progress (-s); a fifth connection from one address is answered 503
#   (-C 4), a ninth from anywhere too (-c 8);
#   malformed requests (bare CR, obs-fold, a space before the colon, a
#   body by Content-Length or Transfer-Encoding, two Hosts, no Host, a
#   head too large, too many fields, a request line too long, a bad
#   version, an unknown method) are each answered with their status and
#   the connection closed, and counted;
# meanwhile a rate-limited 64 MiB download by curl (16 MB/s: curl's
# pauses stay well under -s) on its own connection
# finishes with every byte right: abuse disturbs nobody else.  Every
# deadline is checked against a window (never earlier than it, and at most
# 2.5 s later: the sweep runs once a second, and the machine may be busy).
import hashlib
import os
import socket
import subprocess
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from httpd import PORT, Httpd, Net, Tap, raw_exchange, require_httpd, status_of  # noqa: E402

require_httpd()
MALFORMED = [
    (b"GET /ok HTTP/1.1\rHost: a\r\n\r\n", 400, "bare CR"),
    (b"GET /ok HTTP/1.1\r\nHost: a\r\nX: 1\r\n 2\r\n\r\n", 400, "obs-fold"),
    (b"GET /ok HTTP/1.1\r\nHost: a\r\nContent-Length : 0\r\n\r\n", 400, "space before colon"),
    (b"GET /ok HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello", 413, "a body"),
    (b"GET /ok HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 501,
     "Transfer-Encoding"),
    (b"GET /ok HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, "two Hosts"),
    (b"GET /ok HTTP/1.1\r\n\r\n", 400, "no Host"),
    (b"GET /ok HTTP/1.1\r\nHost: a\r\nX: " + b"v" * 20000 + b"\r\n\r\n", 431, "head too large"),
    (b"GET /ok HTTP/1.1\r\nHost: a\r\n" + b"X: 1\r\n" * 100 + b"\r\n", 431, "100 fields"),
    (b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: a\r\n\r\n", 414, "request line too long"),
    (b"GET /ok HTTP/3.0\r\nHost: a\r\n\r\n", 505, "HTTP/3.0"),
    (b"BREW /ok HTTP/1.1\r\nHost: a\r\n\r\n", 501, "unknown method"),
    (b"POST /ok HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n", 405, "POST"),
    (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\0" * 40 + b"\r\n\r\n", 400,
     "a TLS ClientHello"),
]
t = Tap(len(MALFORMED) + 14)


def closed_after(s, timeout):
    """Seconds until the server closes s (reading and dropping bytes), or
    None if it stays open for timeout."""
    start = time.monotonic()
    s.settimeout(0.05)
    while time.monotonic() - start < timeout:
        try:
            if not s.recv(65536):
                return time.monotonic() - start
        except socket.timeout:
            pass
        except ConnectionResetError:
            return time.monotonic() - start
    return None


def within(x, lo, hi):
    return x is not None and lo <= x <= hi


with Net() as net:
    srv, cli = net.ns("srv"), net.ns("cli")
    net.veth(srv, cli)
    extra = [net.alias(cli, k)[0] for k in (3, 4)]
    root = net.tmpdir("httpd-limits.")
    big = os.urandom(64 << 20)
    with open(os.path.join(root, "big"), "wb") as f:
        f.write(big)
    with open(os.path.join(root, "huge"), "wb") as f:
        f.truncate(64 << 20)
    with open(os.path.join(root, "ok"), "wb") as f:
        f.write(b"fine\n")
    h = Httpd(srv, root, "-H", "2", "-k", "1", "-s", "2", "-c", "8", "-C", "4").start()
    host = h.addr

    def conn(src=None, rcvbuf=None):
        s = cli.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        if src:
            s.bind((src, 0))
        s.settimeout(5)
        s.connect((host, PORT))
        return s

    # the download that must not notice; from its own address (-C is per client)
    dst = os.path.join(root, "..", "download")
    curl = subprocess.Popen(cli.argv(["curl", "-sS", "--interface", extra[1], "--limit-rate",
                                      "16M", "-o", dst, h.url("/big")]),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    for req, want, what in MALFORMED:
        s = conn()
        got, closed = raw_exchange(s, req, timeout=5)
        t.ok(status_of(got) == want and closed, "%s: %d and closed" % (what, want),
             "closed %s: %r%s" % (closed, got[:120], h.d.tail(15)))
        s.close()
    n = h.counters()
    t.ok(n["malformed"] == len(MALFORMED), "each malformed request counted", repr(n))

    s = conn()
    s.sendall(b"GET /ok HTTP/1.1\r\n")
    start = time.monotonic()
    gone = None
    for i in range(30):
        try:
            s.sendall(b"X-Slow: %d\r\n" % i)
        except OSError:
            gone = time.monotonic() - start
            break
        got = b""
        s.settimeout(0.3)
        try:
            got = s.recv(100)
        except socket.timeout:
            continue
        except ConnectionResetError:
            pass
        gone = time.monotonic() - start
        break
    t.ok(within(gone, 1.9, 4.5), "slow-loris: cut about 2 s after its first byte",
         "after %r s" % gone)
    s.close()
    s = conn()
    t.ok(within(closed_after(s, 6), 1.9, 4.5), "a silent connection: closed after about 2 s")
    s.close()
    s = conn()
    start = time.monotonic()
    got, closed = raw_exchange(s, b"GET /ok HTTP/1.1\r\nHost: a\r\n\r\n", timeout=0.3)
    # seconds from the request to the close (None: never closed)
    idle = closed_after(s, 5) and time.monotonic() - start
    t.ok(status_of(got) == 200 and not closed and within(idle, 0.9, 3.5),
         "keep-alive: answered, then closed after about 1 s idle", "idle %r" % idle)
    s.close()

    s = conn(rcvbuf=4096)
    s.sendall(b"GET /huge HTTP/1.1\r\nHost: a\r\n\r\n")
    s.recv(1000)
    start = time.monotonic()
    cut = None
    while time.monotonic() - start < 8:
        time.sleep(0.25)
        if h.log_lines(r'"GET /huge" 200 \d+ bytes .* cut short'):
            cut = time.monotonic() - start
            break
    t.ok(within(cut, 1.5, 5.5), "a client that stops reading: cut about 2 s later",
         "after %r s%s" % (cut, h.d.tail(5)))
    s.close()

    try:
        _, err = curl.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        curl.kill()
        _, err = curl.communicate()
    data = open(dst, "rb").read() if os.path.exists(dst) else b""
    t.ok(curl.returncode == 0 and hashlib.sha256(data).digest() == hashlib.sha256(big).digest(),
         "the download alongside: every byte right", "curl %r %s, %d bytes"
         % (curl.returncode, err.decode()[-200:], len(data)))
    # a file cut short while it is sent (the client reads slowly): that
    # response ends, the server goes on
    with open(os.path.join(root, "shrinks"), "wb") as f:
        f.write(os.urandom(16 << 20))
    s = conn(rcvbuf=65536)
    s.sendall(b"GET /shrinks HTTP/1.1\r\nHost: a\r\n\r\n")
    s.recv(65536)
    os.truncate(os.path.join(root, "shrinks"), 1 << 20)
    total = closed_after(s, 10)
    s.close()
    s = conn()
    got, _ = raw_exchange(s, b"GET /ok HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
    s.close()
    t.ok(total is not None and status_of(got) == 200 and h.d.running(),
         "a file truncated while sent: that response ends, the server serves on",
         "closed after %r; %r%s" % (total, got[:40], h.d.tail(3)))

    held = [conn() for _ in range(4)]
    for s in held:
        s.sendall(b"GET /ok HTTP/1.1\r\nHost: a\r\n\r\n")
        s.recv(1000)
    s = conn()
    got, closed = raw_exchange(s, b"", timeout=2)
    t.ok(status_of(got) == 503 and closed, "a fifth connection from one address: 503",
         repr(got))
    s.close()
    more = []
    for _ in range(4):
        more.append(conn(src=extra[0]))
        more[-1].sendall(b"GET /ok HTTP/1.1\r\nHost: a\r\n\r\n")
        more[-1].recv(1000)
    # 4 + 4: 8 open; one more from anywhere is refused
    s = conn(src=extra[1])
    got, closed = raw_exchange(s, b"", timeout=2)
    t.ok(status_of(got) == 503 and closed, "a ninth connection: 503", repr(got))
    s.close()
    n = h.counters()
    t.ok(n["refused (per client)"] == 1 and n["refused (full)"] == 1,
         "both refusals counted", repr(n))
    for s in held + more:
        s.close()

    deadline = time.monotonic() + 3
    while h.counters()["open"] and time.monotonic() < deadline:
        time.sleep(0.1)
    n = h.counters()
    t.ok(n["header timeouts"] >= 1 and n["idle closes"] >= 1 and n["send timeouts"] >= 1,
         "timeouts counted: header, idle, send", repr(n))
    t.ok(n["open"] == 0, "connections closed by their clients are freed", repr(n))
    t.ok(h.d.running(), "the server still runs", h.d.tail())
    t.ok(h.stop() == 0, "SIGTERM: exit 0", h.d.tail())
t.done()
