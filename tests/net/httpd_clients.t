#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Real clients nobody here wrote fetch files from httpd over a veth between
# two namespaces, and every byte is checked (SHA-256 against the file):
#   curl HTTP/1.1 and HTTP/1.0, GET and HEAD (-I), of a 16 MiB file, a
#   1 KiB iPXE script (text/plain), an empty file;
#   curl --range A-B, A-, -N (206 + Content-Range, the bytes of that part),
#   a range past the end (416), two ranges (200, the whole file);
#   curl -z (If-Modified-Since): 304 for a date at or after the file's,
#   200 before it;
#   entity tags: curl --etag-save keeps the ETag of a 200, --etag-compare
#   then gets 304 and no body; another tag in If-None-Match: 200 whole;
#   a resumed range (curl -r 0-99) with If-Range: the file's tag or its
#   date, 206 those bytes; a stale tag, 200 and the whole file (a client
#   resuming a file changed since gets it all, not a part of another);
#   If-Match of another tag: 412;
#   curl with three URLs: one connection kept alive (num_connects 1);
#   curl --parallel: four fetches at once;
#   wget (HTTP/1.1), into a file;
#   Python's http.client: three requests on one kept-alive connection, and
#   three requests pipelined in one send, answered in order, and 600
#   (more than the receive buffer holds);
#   a directory and a missing file: 404, and the connection kept.
import hashlib
import http.client
import os
import sys
import threading

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from httpd import Httpd, Net, Tap, require_httpd  # noqa: E402

require_httpd()
t = Tap(31)


def sha(b):
    return hashlib.sha256(b).hexdigest()


with Net() as net:
    srv, cli = net.ns("srv"), net.ns("cli")
    net.veth(srv, cli)
    root, out = net.tmpdir("httpd-root."), net.tmpdir("httpd-out.")
    files = {"big.img": os.urandom(16 << 20), "boot.ipxe": b"#!ipxe\n" + b"echo hi\n" * 127,
             "empty": b"", "sub/initrd": os.urandom(300001)}
    for name, data in files.items():
        os.makedirs(os.path.dirname(os.path.join(root, name)), exist_ok=True)
        with open(os.path.join(root, name), "wb") as f:
            f.write(data)
    os.utime(os.path.join(root, "big.img"), (784111777, 784111777))
    h = Httpd(srv, root).start()
    big = files["big.img"]

    def curl(*args, timeout=30):
        dst = os.path.join(out, "curl.out")
        if os.path.exists(dst):
            os.remove(dst)
        r = cli.run(["curl", "-sS", "-o", dst, "-w", "%{http_code} %{num_connects}"] +
                    list(args), timeout=timeout)
        body = open(dst, "rb").read() if os.path.exists(dst) else b""
        return r, body

    for ver in ("--http1.1", "--http1.0"):
        r, body = curl(ver, h.url("/big.img"))
        t.ok(r.stdout.startswith("200") and sha(body) == sha(big),
             "curl %s GET 16 MiB: same bytes" % ver, r.stdout + r.stderr)
    r, body = curl(h.url("/boot.ipxe"))
    t.ok(r.stdout.startswith("200") and body == files["boot.ipxe"], "curl GET a 1 KiB script",
         r.stdout + r.stderr)
    r = cli.run(["curl", "-sSI", h.url("/boot.ipxe")])
    t.ok("Content-Type: text/plain" in r.stdout and
         "Content-Length: %d" % len(files["boot.ipxe"]) in r.stdout,
         "HEAD: text/plain for .ipxe, its length, no body", r.stdout + r.stderr)
    r = cli.run(["curl", "-sSI", h.url("/big.img")])
    t.ok("Content-Type: application/octet-stream" in r.stdout and
         "Last-Modified: Sun, 06 Nov 1994 08:49:37 GMT" in r.stdout and
         "Accept-Ranges: bytes" in r.stdout, "HEAD: octet-stream, Last-Modified, Accept-Ranges",
         r.stdout)
    r, body = curl(h.url("/empty"))
    t.ok(r.stdout.startswith("200") and body == b"", "an empty file", r.stdout + r.stderr)
    r, body = curl(h.url("/sub/initrd"))
    t.ok(r.stdout.startswith("200") and body == files["sub/initrd"], "a file in a subdirectory",
         r.stdout + r.stderr)

    for rng, part in (("1000-1999", big[1000:2000]), ("16777000-", big[16777000:]),
                      ("-4096", big[-4096:]), ("0-0", big[:1])):
        r, body = curl("-r", rng, h.url("/big.img"))
        t.ok(r.stdout.startswith("206") and body == part, "curl --range %s: 206, those bytes"
             % rng, "%s %d bytes" % (r.stdout, len(body)))
    r = cli.run(["curl", "-sS", "-o", "/dev/null", "-D", "-", "-r", "4096-5000", h.url("/big.img")])
    t.ok("Content-Range: bytes 4096-5000/16777216" in r.stdout, "Content-Range", r.stdout)
    r, body = curl("-r", "16777216-", h.url("/big.img"))
    t.ok(r.stdout.startswith("416"), "a range past the end: 416", r.stdout)
    r, body = curl("-r", "0-1,5-6", h.url("/big.img"))
    t.ok(r.stdout.startswith("200") and sha(body) == sha(big), "two ranges: 200, the whole",
         r.stdout)

    r, body = curl("-z", "Sun, 06 Nov 1994 08:49:37 GMT", h.url("/big.img"))
    t.ok(r.stdout.startswith("304") and body == b"", "-z the file's date: 304", r.stdout)
    r, body = curl("-z", "Sat, 05 Nov 1994 08:49:37 GMT", h.url("/big.img"))
    t.ok(r.stdout.startswith("200") and sha(body) == sha(big), "-z a day before: 200",
         r.stdout)

    tags = os.path.join(out, "etag")
    r, body = curl("--etag-save", tags, h.url("/big.img"))
    tag = open(tags).read().strip() if os.path.exists(tags) else ""
    r2, body2 = curl("--etag-compare", tags, h.url("/big.img"))
    t.ok(r.stdout.startswith("200") and tag.startswith('"') and
         r2.stdout.startswith("304") and body2 == b"",
         "curl --etag-save, then --etag-compare: 304, no body (ETag %s)" % tag,
         r.stdout + r2.stdout + r2.stderr)
    r, body = curl("-H", 'If-None-Match: "0-0"', h.url("/big.img"))
    t.ok(r.stdout.startswith("200") and sha(body) == sha(big),
         "If-None-Match of another tag: 200, the whole file", r.stdout)
    r, body = curl("-r", "0-99", "-H", "If-Range: " + tag, h.url("/big.img"))
    r2, body2 = curl("-r", "0-99", "-H", "If-Range: Sun, 06 Nov 1994 08:49:37 GMT",
                     h.url("/big.img"))
    t.ok(r.stdout.startswith("206") and body == big[:100] and
         r2.stdout.startswith("206") and body2 == big[:100],
         "a resumed range with If-Range of the file's tag, or its date: 206, those bytes",
         r.stdout + r2.stdout)
    r, body = curl("-r", "0-99", "-H", 'If-Range: "5-5"', h.url("/big.img"))
    t.ok(r.stdout.startswith("200") and sha(body) == sha(big),
         "If-Range of a stale tag: 200, the whole file", r.stdout)
    r, body = curl("-H", 'If-Match: "5-5"', h.url("/big.img"))
    t.ok(r.stdout.startswith("412") and body == b"", "If-Match of another tag: 412",
         r.stdout)

    urls = [h.url("/boot.ipxe"), h.url("/sub/initrd"), h.url("/boot.ipxe")]
    r = cli.run(["curl", "-sS", "-o", "/dev/null", "-o", "/dev/null", "-o", "/dev/null",
                 "-w", "%{http_code} %{num_connects}\n"] + urls)
    t.ok(r.stdout.split("\n")[:3] == ["200 1", "200 0", "200 0"],
         "curl, three URLs: one connection kept alive", r.stdout + r.stderr)
    par = [os.path.join(out, "p%d" % i) for i in range(4)]
    args = []
    for p in par:
        args += ["-o", p, h.url("/sub/initrd")]
    r = cli.run(["curl", "-sS", "--parallel", "--parallel-max", "4"] + args)
    t.ok(r.returncode == 0 and all(open(p, "rb").read() == files["sub/initrd"] for p in par),
         "curl --parallel: four at once, each whole", r.stderr)

    wdst = os.path.join(out, "wget.out")
    r = cli.run(["wget", "-q", "-O", wdst, h.url("/big.img")], timeout=30)
    t.ok(r.returncode == 0 and sha(open(wdst, "rb").read()) == sha(big), "wget: same bytes",
         r.stderr)

    # Python's http.client, from a socket made in the client's namespace
    c = http.client.HTTPConnection(h.addr, 8080, timeout=10)
    c.sock = h.connect(cli)
    bodies = []
    for path in ("/boot.ipxe", "/sub/initrd", "/empty"):
        c.request("GET", path)
        resp = c.getresponse()
        bodies.append((resp.status, resp.read()))
    t.ok(bodies == [(200, files["boot.ipxe"]), (200, files["sub/initrd"]), (200, b"")],
         "http.client: three requests on one connection",
         repr([(s, len(b)) for s, b in bodies]))
    c.request("GET", "/sub")
    resp = c.getresponse()
    resp.read()
    c.request("GET", "/no/such/file")
    resp2 = c.getresponse()
    resp2.read()
    c.request("GET", "/boot.ipxe")
    resp3 = c.getresponse()
    t.ok((resp.status, resp2.status, resp3.status, resp3.read()) ==
         (404, 404, 200, files["boot.ipxe"]),
         "a directory and a missing file: 404, the connection kept",
         "%d %d %d" % (resp.status, resp2.status, resp3.status))
    c.close()

    # three requests in one send: three responses, in order, read by
    # http.client from one buffered stream (one makefile, never closed
    # between responses, so no response's bytes are lost to read-ahead)
    class Stream:
        def __init__(self, f):
            self.f = f

        def makefile(self, *args, **kwargs):
            return self

        def __getattr__(self, name):
            return getattr(self.f, name)

        def close(self):
            pass

    s = h.connect(cli)
    s.sendall(b"".join(b"GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % p
                       for p in (b"/sub/initrd", b"/boot.ipxe", b"/empty")))
    stream, got = Stream(s.makefile("rb")), []
    for _ in range(3):
        resp = http.client.HTTPResponse(stream)
        resp.begin()
        got.append((resp.status, resp.read()))
    t.ok(got == [(200, files["sub/initrd"]), (200, files["boot.ipxe"]), (200, b"")],
         "three pipelined requests answered in order", repr([(a, len(b)) for a, b in got]))
    # 600 at once: more than the 16 KiB receive buffer holds
    order = [("/boot.ipxe", files["boot.ipxe"]), ("/empty", b""), ("/sub/initrd?x", None)]
    reqs = b"".join(b"GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % order[i % 3][0].encode()
                    for i in range(600))
    sender = threading.Thread(target=s.sendall, args=(reqs,))
    sender.start()
    right = 0
    for i in range(600):
        resp = http.client.HTTPResponse(stream)
        resp.begin()
        want = order[i % 3][1] if order[i % 3][1] is not None else files["sub/initrd"]
        right += resp.status == 200 and resp.read() == want
    sender.join()
    t.ok(right == 600, "600 pipelined requests (%d bytes) answered in order" % len(reqs),
         "%d right" % right)
    s.close()

    log = h.log_lines(r'"GET /big\.img" 200 16777216 bytes', count=3)
    t.ok(len(log) >= 3, "a log line per transfer: client, request, status, bytes, seconds",
         h.d.tail())
    n = h.counters()
    t.ok(n["malformed"] == 0 and n["2xx"] >= 20 and n["bytes"] > 5 * (16 << 20),
         "counters: responses and bytes, nothing malformed", repr(n))
    t.ok(h.stop() == 0, "SIGTERM: exit 0", h.d.tail())
t.done()
