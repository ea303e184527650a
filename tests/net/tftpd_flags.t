#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# tftpd's flags where they act, each against the same request without it
# (ours only; tftpd-hpa's flags are other flags):
#   - -b 1024: a client asking blksize 1468 is granted 1024, and served;
#   - -P LOW:HIGH: every transfer's port is in the range;
#   - -n 3: three processes serve (the first and two workers), and
#     between them they serve;
#   - -u USER: every serving process runs as USER; -j: each is chrooted
#     into ROOT (/proc/PID/root), without -j at /;
#   - -B: 'dir\g' is served as dir/g, without it not found;
#   - -A: '/f' is refused as an access violation, without it served as f;
#   - -O 1: the block after 65535 is numbered 1 (0 without it), and the
#     file comes whole;
#   - -T NAME CLIENT: what a remap file makes of the name, and whether it
#     is served (exit 0) or refused (exit 1);
#   - SIGHUP reloads the remap file: a name maps to the new target, also
#     with -j (the file outside ROOT) and workers;
#   - malformed requests counted by their cause, each count exact.
import os
import pwd
import re
import signal
import subprocess
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import tftpraw as R  # noqa: E402
from tftpd import KIND, Lab, Server, Tap, pattern, require_server, skip_all, tern_tftpd  # noqa: E402

require_server()
if KIND != "tern":
    skip_all("tftpd's own flags")
F, G, H = pattern(5000, 1), pattern(700, 2), pattern(900, 3)
BIG = pattern(8 * 65540 + 3, 4)  # 65541 blocks of 8 bytes
USER = pwd.getpwnam("daemon")
t = Tap(16)


def procs(d):
    """(pid, uid, root) of the server and its workers."""
    out = []
    for pid in [d.pid] + d.children():
        try:
            with open("/proc/%d/status" % pid) as f:
                uid = int(re.search(r"(?m)^Uid:\s+(\d+)", f.read()).group(1))
            out.append((pid, uid, os.readlink("/proc/%d/root" % pid)))
        except OSError:
            pass
    return out


def wrapped_get(cli, port):
    """'big' with blksize 8, windowsize 64: (the data, the number of the
    block after 65535), or (None, why)."""
    with R.Peer(cli, "192.0.2.1", port) as p:
        p.send(R.request(R.RRQ, "big", "octet", [("blksize", 8), ("windowsize", 64)]))
        pkt, tid = p.recv(2)
        if pkt is None or pkt.op != R.OACK:
            return None, "no OACK: %r" % pkt
        p.send(R.ack(0), tid)
        chunks, after, got, since_ack, silent = [], None, 0, 0, 0
        while True:
            pkt, addr = p.recv(1.5)
            if pkt is None:
                silent += 1
                if silent > 5:
                    return None, "silence after block %d" % got
                p.send(R.ack(got & 0xffff if got <= 65535 else (got - 65536 + after) & 0xffff),
                       tid)
                continue
            if addr != tid or pkt.op != R.DATA:
                return None, "unexpected %r" % pkt
            nxt = got + 1
            if nxt == 65536 and after is None and pkt.block in (0, 1):
                after = pkt.block
            want = nxt if nxt <= 65535 else (nxt - 65536 + after) & 0xffff
            if pkt.block != want:
                continue  # a window resent; we ACK where we are on silence
            chunks.append(pkt.payload)
            got, since_ack = nxt, since_ack + 1
            if len(pkt.payload) < 8 or since_ack == 64:
                p.send(R.ack(pkt.block), tid)
                since_ack = 0
            if len(pkt.payload) < 8:
                return b"".join(chunks), after


def stats(server):
    """The 'stats:' lines SIGUSR1 brings (3 s at most)."""
    d = server.daemon
    n = len(d.lines)
    d.signal(signal.SIGUSR1)
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        lines = [text for _, text in d.lines[n:] if "stats:" in text]
        if any("polls gave up" in x for x in lines):
            time.sleep(0.1)  # the per-cause lines follow in the same turn
            return [text for _, text in d.lines[n:] if "stats:" in text]
        time.sleep(0.02)
    return [text for _, text in d.lines[n:] if "stats:" in text]


with Lab(t, {"f": F, "dir/g": G, "h": H, "big": BIG}, start=False) as lab:
    remap = lab.path("remap")
    with open(remap, "w") as f:
        f.write("r ^alias$ f\na \\.key$\n")
    os.chmod(lab.tmp, 0o755)
    lab.server = Server(lab.srv, lab.root, "192.0.2.1", max_blksize=1024, remap=remap,
                        extra=["-P", "40000:40009", "-n", "3", "-u", "daemon", "-j", "-B", "-A"])
    lab.start()
    plain = Server(lab.srv, lab.root, "192.0.2.1", port=1069, remap=remap).start()
    srv = lab.server

    x = R.get(lab.cli, "192.0.2.1", "f", blksize=1468)
    x0 = R.get(lab.cli, "192.0.2.1", "f", port=1069, blksize=1468)
    t.ok(x.ok and x.data == F and x.oack and x.oack.option("blksize") == "1024" and
         x0.ok and x0.oack.option("blksize") == "1468",
         "-b 1024: blksize 1468 asked, 1024 granted (1468 without -b), the file served",
         "%r %r" % (x, x0))

    tids = []
    for i in range(12):
        x = R.get(lab.cli, "192.0.2.1", "h")
        tids.append(x.tid[1] if x.ok and x.tid else None)
    t.ok(all(p is not None and 40000 <= p <= 40009 for p in tids),
         "-P 40000:40009: twelve transfers, each from a port in the range", str(tids))

    ps = procs(srv.daemon)
    t.ok(len(ps) == 3, "-n 3: three serving processes", str(ps))
    t.ok(ps and all(uid == USER.pw_uid for _, uid, _ in ps),
         "-u daemon: each runs as uid %d" % USER.pw_uid, str(ps))
    t.ok(ps and all(root == lab.root for _, _, root in ps),
         "-j: each is chrooted into ROOT", str(ps))
    p0 = procs(plain.daemon)
    t.ok(p0 and all(root == "/" and uid == pwd.getpwnam("nobody").pw_uid for _, uid, root in p0),
         "without -j, -u: at / as nobody", str(p0))

    x = R.get(lab.cli, "192.0.2.1", "dir\\g")
    x0 = R.get(lab.cli, "192.0.2.1", "dir\\g", port=1069)
    t.ok(x.ok and x.data == G and not x0.ok and x0.error and x0.error.code == 1,
         "-B: 'dir\\g' served as dir/g; without -B not found", "%r %r" % (x, x0))
    x = R.get(lab.cli, "192.0.2.1", "/f")
    x0 = R.get(lab.cli, "192.0.2.1", "/f", port=1069)
    t.ok(not x.ok and x.error and x.error.code == 2 and x0.ok and x0.data == F,
         "-A: '/f' refused (access violation); without -A served as f", "%r %r" % (x, x0))

    wrap = Server(lab.srv, lab.root, "192.0.2.1", port=2069, extra=["-O", "1"]).start()
    d1, after1 = wrapped_get(lab.cli, 2069)
    d0, after0 = wrapped_get(lab.cli, 1069)
    t.ok(d1 == BIG and after1 == 1 and d0 == BIG and after0 == 0,
         "-O 1: after block 65535 comes block 1 (0 without -O), the file whole both ways",
         "-O 1: %s, %s; default: %s, %s" % (d1 == BIG, after1, d0 == BIG, after0))
    wrap.stop()

    def test_name(name, *flags):
        return subprocess.run([tern_tftpd(), "-m", remap, "-r", lab.root] + list(flags) +
                              ["-T", name, "192.0.2.7"], capture_output=True, text=True,
                              timeout=10)
    r = test_name("alias")
    t.ok(r.returncode == 0 and r.stdout == "maps to: f\nserves: %s/f\n" % lab.root,
         "-T alias: maps to f, served, exit 0", "%s %r %r" % (r.returncode, r.stdout, r.stderr))
    r = test_name("id.key")
    t.ok(r.returncode == 1 and r.stdout == "id.key: denied by a rule of %s\n" % remap,
         "-T id.key: denied by the remap file, exit 1", "%s %r" % (r.returncode, r.stdout))
    r = test_name("/f", "-A")
    t.ok(r.returncode == 1 and r.stdout == "maps to: /f\nrefused: absolute filename\n",
         "-T /f with -A: refused as absolute, exit 1", "%s %r" % (r.returncode, r.stdout))

    x = R.get(lab.cli, "192.0.2.1", "alias", port=1069)
    with open(remap + ".new", "w") as f:
        f.write("r ^alias$ h\n")
    os.rename(remap + ".new", remap)
    mark = len(plain.daemon.lines)
    plain.daemon.signal(signal.SIGHUP)
    deadline = time.monotonic() + 3
    while len(plain.daemon.lines) == mark and time.monotonic() < deadline:
        time.sleep(0.02)
    y = R.get(lab.cli, "192.0.2.1", "alias", port=1069)
    t.ok(x.ok and x.data == F and y.ok and y.data == H,
         "SIGHUP reloads the remap file: 'alias' served as f, then as h",
         "%r %r%s" % (x, y, plain.tail()))
    # The same with -j and three workers: the file is outside ROOT.
    mark = len(srv.daemon.lines)
    srv.daemon.signal(signal.SIGHUP)
    deadline = time.monotonic() + 3
    while len(srv.daemon.lines) == mark and time.monotonic() < deadline:
        time.sleep(0.02)
    y = [R.get(lab.cli, "192.0.2.1", "alias") for _ in range(6)]
    t.ok(all(z.ok and z.data == H for z in y),
         "SIGHUP with -j and -n 3: every worker serves 'alias' as h",
         "%r%s" % (y, srv.tail()))

    # Malformed requests to the plain server (one process), each cause a
    # known number of times.
    def rrq(*words):
        return b"\x00\x01" + b"".join(w + b"\x00" for w in words)
    BAD = [("string not NUL-terminated", rrq(b"f")[:-1] + b"octet", 2),
           ("unknown transfer mode", rrq(b"f", b"ebcdic"), 1),
           ("option given twice", rrq(b"f", b"octet", b"blksize", b"512", b"blksize", b"512"), 3),
           ("option value not a number", rrq(b"f", b"octet", b"blksize", b"x"), 1)]
    for _, raw, n in BAD:
        for _ in range(n):
            with R.Peer(lab.cli, "192.0.2.1", 1069) as p:
                p.send(raw)
                p.recv(0.5)
    lines = stats(plain)
    got = {m.group(2): int(m.group(1)) for m in
           (re.search(r"stats:   (\d+) (.*)$", x) for x in lines) if m}
    total = re.search(r"stats: (\d+) bad packets", "\n".join(lines))
    t.ok(got == {why: n for why, _, n in BAD} and total and int(total.group(1)) == 7,
         "malformed requests counted by cause, exactly (2, 1, 3, 1; 7 bad packets)",
         "\n".join(lines))
    t.ok(srv.stop() == 0 and plain.stop() == 0, "both stop with status 0")
t.done()
