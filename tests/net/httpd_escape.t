#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Nothing outside the root is ever read.  Beside the root sits a file
# "secret", watched with inotify: it must never be opened.  Each request
# below is sent as these exact bytes (no client normalises it first) and
# must be refused with its status and no secret in the answer:
#   "..", percent-encoded in every case mix and half-encoded (403);
#   an encoded '/' or '\' (%2f, %5c), a literal '\', %00, overlong UTF-8
#   for '.' and '/' (%c0%ae, %c0%af, %e0%80%ae), absolute-form and
#   relative targets, a fragment (400);
#   a symlink climbing out, an absolute symlink (403), a FIFO (403, and
#   the server does not hang), a directory (404: no listings), a name too
#   long (414);
# names that only look like traversal are names inside the root: /etc/passwd
# is the decoy root/etc/passwd, "%252e%252e" is the file named "%2e%2e",
# "..." is a file.  Real clients ask too: curl --path-as-is for ../secret
# and %2e%2e/secret, wget for %2e%2e/secret.  At the end the secret was
# never opened, every refusal that closes was counted, and the server
# still serves.
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from httpd import Httpd, Net, Tap, raw_exchange, require_httpd, status_of  # noqa: E402
from opened import events, watch  # noqa: E402

require_httpd()
SECRET = b"SECRET: outside the root\n"
DECOY = b"decoy passwd inside the root\n"

REFUSED = [
    (b"/../secret", 403), (b"/a/../../secret", 403), (b"//../secret", 403), (b"/..", 403),
    (b"/%2e%2e/secret", 403), (b"/%2E%2E/secret", 403), (b"/.%2e/secret", 403),
    (b"/%2e./secret", 403), (b"/dir/%2e%2e/%2e%2e/secret", 403),
    (b"/..%2fsecret", 400), (b"/%2e%2e%2fsecret", 400), (b"/..%5csecret", 400),
    (b"/..\\secret", 400), (b"/secret%00.txt", 400), (b"/%00", 400),
    (b"/%c0%ae%c0%ae/secret", 400), (b"/..%c0%afsecret", 400), (b"/%e0%80%ae%e0%80%ae/secret", 400),
    (b"/%", 400), (b"/%2", 400), (b"/ok%zz", 400), (b"/ok#x", 400),
    (b"http://192.0.2.1/../secret", 400), (b"../secret", 400), (b"secret", 400),
    (b"/link-out", 403), (b"/link-abs", 403), (b"/fifo", 403),
    (b"/dir", 404), (b"/dir/", 404), (b"/", 404), (b"/" + b"a" * 5000, 414),
]
SERVED = [(b"/etc/passwd", DECOY), (b"//etc//passwd", DECOY), (b"/./ok", b"inside\n"),
          (b"/...", b"three dots\n"), (b"/%252e%252e", b"percent name\n"),
          (b"/link-in", b"inside\n"), (b"/ok?../../secret", b"inside\n")]
CLIENTS = [["curl", "-sS", "--path-as-is", "-o", "{out}", "{url}/../secret"],
           ["curl", "-sS", "--path-as-is", "-o", "{out}", "{url}/%2e%2e/secret"],
           ["wget", "-q", "-O", "{out}", "{url}/%2e%2e/secret"]]

t = Tap(len(REFUSED) + len(SERVED) + len(CLIENTS) + 3)
with Net() as net:
    srv, cli = net.ns("srv"), net.ns("cli")
    net.veth(srv, cli)
    top = net.tmpdir("httpd-escape.")
    root = os.path.join(top, "root")
    for name, data in (("ok", b"inside\n"), ("etc/passwd", DECOY), ("...", b"three dots\n"),
                       ("%2e%2e", b"percent name\n"), ("dir/x", b"x\n")):
        os.makedirs(os.path.dirname(os.path.join(root, name)), exist_ok=True)
        with open(os.path.join(root, name), "wb") as f:
            f.write(data)
    secret = os.path.join(top, "secret")
    with open(secret, "wb") as f:
        f.write(SECRET)
    os.symlink("../secret", os.path.join(root, "link-out"))
    os.symlink(secret, os.path.join(root, "link-abs"))
    os.symlink("ok", os.path.join(root, "link-in"))
    os.mkfifo(os.path.join(root, "fifo"))
    h = Httpd(srv, root).start()
    ino = watch(secret)

    def get(target):
        s = h.connect(cli)
        got, closed = raw_exchange(s, b"GET %s HTTP/1.1\r\nHost: 192.0.2.1\r\n"
                                      b"Connection: close\r\n\r\n" % target)
        s.close()
        return got

    for target, want in REFUSED:
        got = get(target)
        t.ok(status_of(got) == want and SECRET not in got, "%r: %d" % (target[:40], want),
             repr(got[:200]))
    for target, want in SERVED:
        got = get(target)
        t.ok(status_of(got) == 200 and got.endswith(b"\r\n\r\n" + want),
             "%r: served from inside the root" % target, repr(got[:300]))
    for argv in CLIENTS:
        out = os.path.join(top, "client.out")
        r = cli.run([a.format(out=out, url=h.url("")) for a in argv], timeout=10)
        try:
            with open(out, "rb") as f:
                got = f.read()
            os.unlink(out)
        except OSError:
            got = b""
        t.ok(SECRET not in got and (r.returncode != 0 or b"403" in got or b"404" in got),
             "%s asking for %s gets no secret" % (argv[0], argv[-1].rsplit("}", 1)[1]),
             "exit %r, %r %s" % (r.returncode, got[:80], r.stderr[-200:]))
    t.ok(events(ino) == 0, "the secret beside the root was never opened")
    n = h.counters()
    closes = sum(1 for _, s in REFUSED if s in (400, 414))
    t.ok(n["malformed"] == closes, "every refusal that closes its connection is counted "
         "(%d)" % closes, repr(n))
    t.ok(status_of(get(b"/ok")) == 200 and h.d.running(), "the server still serves",
         h.d.tail())
t.done()
