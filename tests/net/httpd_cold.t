#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# httpd: a large body's file not in the page cache is read ahead off the
# worker's loop (app/httpd/conn.c, warm), so a disk that is slow to answer
# stalls only the responses that wait for it.  Over a veth, one worker,
# the root on a FUSE file system (lib/heldfs.py) whose reads of big* wait
# while the test holds them:
#   by sendfile (the default): a client asks for the cold 8 MiB big.img
#   and the disk's first read arrives and waits; meanwhile another
#   client's request for a small file is answered, 200 and its bytes (a
#   loop waiting in sendfile would answer nothing until the hold ends); a
#   third client asks for big.img and goes away; released: the first
#   client gets every byte, the same bytes; the one that went away is
#   logged cut short; the counters show reads ahead; the worker goes on;
#   a small cold file (2 KiB) waits for its read the same way while
#   another is answered; the worker exits 0 on SIGTERM;
#   from the mapping (-S 0, one large body) and over HTTPS (-t, the lab
#   certificate of tls-lab.sh): the same wait, the small file answered
#   meanwhile, then every byte, though the read was held 3 s past the
#   head deadline (-H 1: the wait is under the send's deadline, -s);
# and the root on this host's own /tmp: a file evicted from the page
# cache (posix_fadvise DONTNEED) is read ahead, then fetched again from
# the cache with no read ahead (on tmpfs, which has no disk, none at all).
import hashlib
import os
import socket
import ssl
import subprocess
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import heldfs  # noqa: E402
from heldfs import wait_for  # noqa: E402
from httpd import TOP, Httpd, Net, Tap, raw_exchange, require_httpd, skip_all, status_of  # noqa: E402

require_httpd()
heldfs.require(skip_all)
t = Tap(17)
BIG = 8 << 20
TLS_PORT = 8443
NAME = "boot.example"


def ask(h, cli, path):
    """A connection that has sent GET path, nothing read yet."""
    s = h.connect(cli, timeout=10)
    s.sendall(("GET %s HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n" % path).encode())
    return s


def body_of(s, timeout=30):
    got, closed = raw_exchange(s, b"", timeout)
    s.close()
    return status_of(got), got.partition(b"\r\n\r\n")[2], closed


with Net() as net:
    srv, cli = net.ns("srv"), net.ns("cli")
    net.veth(srv, cli)
    src, mnt = net.tmpdir("httpd-cold-src."), net.tmpdir("httpd-cold-mnt.")
    big, small = heldfs.boot_files(src, BIG)
    script = b"#!ipxe\nchain big.img\n" * 100
    with open(os.path.join(src, "bigscript.ipxe"), "wb") as f:
        f.write(script)
    with heldfs.Mounted(src, mnt) as fs:
        h = Httpd(srv, mnt, "-n", "1").start()
        a = ask(h, cli, "/big.img")
        t.ok(wait_for(fs.reads, 10),
             "a client asks for a cold 8 MiB file: the disk's first read arrives and waits",
             "no read of /big.img reached the file system")
        b = ask(h, cli, "/boot.ipxe")
        status, body, _ = body_of(b, timeout=10)
        still = fs.held()
        t.ok(status == 200 and body == small and still,
             "while it waits, another client's small file is answered: 200, its bytes",
             "status %r, %d bytes, hold %s" % (status, len(body), still))
        c = ask(h, cli, "/big.img")
        time.sleep(0.2)
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        c.close()
        fs.release()
        status, body, closed = body_of(a)
        t.ok(status == 200 and len(body) == BIG and
             hashlib.sha256(body).digest() == hashlib.sha256(big).digest(),
             "released: the first client gets every byte, the same bytes",
             "status %r, %d bytes, closed %s" % (status, len(body), closed))
        t.ok(h.log_lines(r'"GET /big.img" 200 .*cut short', timeout=10),
             "the client that went away while its read waited: logged cut short", h.d.tail(4))
        n = h.counters()
        t.ok(n.get("reads ahead", 0) >= 1 and n.get("2xx") == 2,
             "counters: reads ahead (%s), 2 responses whole" % n.get("reads ahead"), repr(n))
        small_again, _, _ = body_of(ask(h, cli, "/boot.ipxe"))

        fs.hold()
        a = ask(h, cli, "/bigscript.ipxe")
        t.ok(wait_for(fs.reads, 10),
             "a small cold file (2 KiB) is looked at too: its read arrives and waits",
             "no read of /bigscript.ipxe reached the file system")
        status, body, _ = body_of(ask(h, cli, "/boot.ipxe"), timeout=10)
        still = fs.held()
        fs.release()
        got, data, _ = body_of(a)
        t.ok(status == 200 and body == small and still and got == 200 and data == script,
             "meanwhile another small file is answered; released, the small cold one whole",
             "status %r, %d bytes, hold %s; status %r, %d bytes"
             % (status, len(body), still, got, len(data)))
        code = h.stop()
        t.ok(small_again == 200 and code == 0, "the worker goes on: 200 next; SIGTERM, exit 0",
             "status %r, exit %r%s" % (small_again, code, h.d.tail(5)))

        keys = net.tmpdir("httpd-cold-keys.")
        lab = subprocess.run(["sh", os.path.join(TOP, "app", "httpd", "tls-lab.sh"), keys, keys,
                              NAME, srv.addr(4)], capture_output=True, text=True)
        if lab.returncode:
            raise RuntimeError("tls-lab.sh failed: " + lab.stderr)
        ctx = ssl.create_default_context(cafile=os.path.join(keys, "httpd-lab-ca.pem"))

        def ask_tls(h, cli, path):
            s = cli.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.settimeout(10)
            s.connect((h.addr, TLS_PORT))
            s = ctx.wrap_socket(s, server_hostname=NAME)
            s.sendall(("GET %s HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
                       % path).encode())
            return s

        for how, flags, asker in (
                ("from the mapping (-S 0)", ["-S", "0"], ask),
                ("over HTTPS", ["-t", str(TLS_PORT), "-x", os.path.join(keys, "cert.pem"),
                                "-K", os.path.join(keys, "key.pem")], ask_tls)):
            fs.hold()
            # -H 1: a read that waits is the send's (-s), not the head's, deadline
            h = Httpd(srv, mnt, "-n", "1", "-H", "1", *flags).start()
            a = asker(h, cli, "/big.img")
            t.ok(wait_for(fs.reads, 10),
                 "%s: the cold file's first read arrives and waits" % how,
                 "no read of /big.img reached the file system")
            status, body, _ = body_of(ask(h, cli, "/boot.ipxe"), timeout=10)
            still = fs.held()
            time.sleep(3)  # past the head deadline, the sweep run
            fs.release()
            got, data, _ = body_of(a)
            n = h.counters()
            t.ok(status == 200 and body == small and still,
                 "%s: meanwhile a small file is answered: 200, its bytes" % how,
                 "status %r, %d bytes, hold %s" % (status, len(body), still))
            t.ok(got == 200 and len(data) == BIG and
                 hashlib.sha256(data).digest() == hashlib.sha256(big).digest() and
                 n.get("reads ahead", 0) >= 1,
                 "%s: released, every byte, the same bytes (reads ahead %s)"
                 % (how, n.get("reads ahead")),
                 "status %r, %d bytes %r" % (got, len(data), n))
            h.stop()

    # The host's own file system, which says whether a page is cached.
    root = net.tmpdir("httpd-cold-root.")
    kind = subprocess.run(["stat", "-f", "-c", "%T", root], capture_output=True,
                          text=True).stdout.strip()
    path = os.path.join(root, "big.img")
    with open(path, "wb") as f:
        f.write(big)
        f.flush()
        os.fsync(f.fileno())
    fd = os.open(path, os.O_RDONLY)
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    os.close(fd)
    h = Httpd(srv, root, "-n", "1").start()
    fetched = []
    for _ in range(2):
        status, body, _ = body_of(ask(h, cli, "/big.img"))
        fetched.append((status, len(body), hashlib.sha256(body).digest() ==
                        hashlib.sha256(big).digest(), h.counters().get("reads ahead")))
    h.stop()
    (s1, n1, same1, ahead1), (s2, n2, same2, ahead2) = fetched
    whole = s1 == s2 == 200 and n1 == n2 == BIG and same1 and same2
    if kind == "tmpfs":
        t.ok(whole and ahead1 == 0, "on tmpfs (no disk): no read ahead", repr(fetched))
        t.ok(whole and ahead2 == 0, "and none the second time", repr(fetched))
    else:
        t.ok(whole and ahead1 >= 1,
             "on %s: a file evicted from the page cache is read ahead (%s)" % (kind, ahead1),
             repr(fetched))
        t.ok(whole and ahead2 == ahead1,
             "fetched again, from the cache: no read ahead", repr(fetched))
    t.ok(whole, "both fetches: every byte, the same bytes", repr(fetched))
