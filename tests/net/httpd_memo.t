#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# httpd -O MS: a worker trusts a small file's open for MS milliseconds
# (app/httpd/memo.h), over a veth between two namespaces, one worker:
#   -O 60000: a 1 KiB file replaced (rename) after a fetch is still served
#   as it was (no open: the memo), 200 and its log line; SIGHUP forgets:
#   the new file next; a file of 64 KiB or more is never remembered: its
#   replacement is served at once;
#   -O 0: a replaced file is served new at once, a deleted one is 404;
#   the default (1000): a replaced file is served new once a second has
#   passed since the fetch that opened it (1.2 s on the test's clock);
#   -O beyond an hour: usage error, exit 100.
import os
import signal
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from httpd import Httpd, Net, Tap, httpd_binary, raw_exchange, require_httpd, status_of  # noqa: E402

require_httpd()
t = Tap(9)


def put(root, name, data):
    """Replace root/name as a deploy would: a new file renamed over it."""
    tmp = os.path.join(root, "." + name + ".new")
    with open(tmp, "wb") as f:
        f.write(data)
    os.rename(tmp, os.path.join(root, name))


def get(h, cli, path):
    """(status, body) of one GET on its own connection."""
    s = h.connect(cli)
    got, _ = raw_exchange(s, ("GET %s HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
                              % path).encode())
    s.close()
    return status_of(got), got.partition(b"\r\n\r\n")[2]


with Net() as net:
    srv, cli = net.ns("srv"), net.ns("cli")
    net.veth(srv, cli)
    root = net.tmpdir("httpd-root.")
    old, new = b"#!ipxe\necho old\n" * 60, b"#!ipxe\necho new\n" * 60
    big_old, big_new = b"o" * (64 << 10), b"n" * (64 << 10)

    put(root, "boot.ipxe", old)
    put(root, "big.img", big_old)
    h = Httpd(srv, root, "-n", "1", "-O", "60000").start()
    first = get(h, cli, "/boot.ipxe")
    put(root, "boot.ipxe", new)
    second = get(h, cli, "/boot.ipxe")
    t.ok(first == (200, old) and second == (200, old),
         "-O 60000: a replaced 1 KiB file is served as it was (remembered)",
         "%r %r" % ((first[0], first[1][:20]), (second[0], second[1][:20])))
    t.ok(h.log_lines(r'"GET /boot.ipxe" 200 %d bytes' % len(old), count=2),
         "both logged: 200, its bytes", h.d.tail(3))
    h.d.signal(signal.SIGHUP)
    h.d.expect(r"SIGHUP: .* opened again", 5)
    got = get(h, cli, "/boot.ipxe")
    t.ok(got == (200, new), "SIGHUP forgets: the new file next", repr((got[0], got[1][:20])))
    first = get(h, cli, "/big.img")
    put(root, "big.img", big_new)
    second = get(h, cli, "/big.img")
    t.ok(first == (200, big_old) and second == (200, big_new),
         "a 64 KiB file is never remembered: its replacement at once",
         "%r then %r" % ((first[0], first[1][:4]), (second[0], second[1][:4])))
    h.stop()

    put(root, "boot.ipxe", old)
    h = Httpd(srv, root, "-n", "1", "-O", "0").start()
    first = get(h, cli, "/boot.ipxe")
    put(root, "boot.ipxe", new)
    second = get(h, cli, "/boot.ipxe")
    t.ok(first == (200, old) and second == (200, new), "-O 0: a replaced file is new at once",
         "%r then %r" % ((first[0], first[1][:20]), (second[0], second[1][:20])))
    os.remove(os.path.join(root, "boot.ipxe"))
    got = get(h, cli, "/boot.ipxe")
    t.ok(got[0] == 404, "-O 0: a deleted file is 404 at once", repr(got[0]))
    h.stop()

    put(root, "boot.ipxe", old)
    h = Httpd(srv, root, "-n", "1").start()
    first = get(h, cli, "/boot.ipxe")
    fetched = time.monotonic()
    put(root, "boot.ipxe", new)
    time.sleep(max(0.0, fetched + 1.2 - time.monotonic()))
    second = get(h, cli, "/boot.ipxe")
    t.ok(first == (200, old) and second == (200, new),
         "the default (1000 ms): new once a second has passed", "%r then %r"
         % ((first[0], first[1][:20]), (second[0], second[1][:20])))
    t.ok(h.d.running(), "serving on", h.d.tail(3))
    h.stop()

    r = srv.run([httpd_binary(), "-O", "3600001"], timeout=10)
    t.ok(r.returncode == 100 and "-O" in r.stderr, "-O beyond an hour: usage error, exit 100",
         "exit %r: %s" % (r.returncode, r.stderr[-300:]))
