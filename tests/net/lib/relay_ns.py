# SPDX-License-Identifier: MIT
r"""relay_ns.py -- streams of datagrams through relayd, for tests/net/relayd_*.t.

Namespaces, links and daemons are netns.py's; this adds what a relay test
needs on top:

    with Net() as net:
        gen, rel, snk = net.ns("gen"), net.ns("relay"), net.ns("sink")
        net.veth(gen, rel)                    # v0a 192.0.2.1 | v0b 192.0.2.2
        net.veth(rel, snk)                    # v1a 198.51.100.1 | v1b 198.51.100.2
        d = relayd(rel, "relay from v0b group 239.1.1.1 port 5000 to 239.2.2.2 dev v1a")
        sink = Sink([receiver(snk, "239.2.2.2", 5000, "198.51.100.2")])
        tx = sender(gen, "192.0.2.1")
        send(tx, ("239.1.1.1", 5000), stream=1, count=2000, pps=20000)
        got = sink.wait(2000)[0]              # one list per receiver
        check(got, 1, 2000)                   # (received, missing, dup, out of order, corrupt)

Each datagram carries its stream, its sequence number and a CRC-32 of
the rest, so a receiver tells a lost, doubled, reordered or damaged one.
Only documentation addresses and 239.0.0.0/8 / ff0e::/16 groups are used.
"""
import os
import socket
import struct
import subprocess
import sys
import threading
import time
import zlib

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from netns import NetError, tern_out  # noqa: E402

HEADER = struct.Struct("!IQI")  # stream, sequence, CRC-32 of the filler


def app(name):
    exe = os.path.join(os.environ.get("TERN_APPS", tern_out("build", "app")), name)
    if not os.access(exe, os.X_OK):
        raise NetError("%s is not built (make apps)" % exe)
    return exe


def relayd(ns, rules, args=(), name="relayd"):
    """relayd in ns with these rules (a string, one a line); returns its
    Daemon once every rule that can run has joined ('N of M rules
    running'), with .conf the file's path and .sock relayctl's socket,
    both in a directory the Net removes when it closes."""
    where = ns.net.tmpdir("relayd-")
    conf, sock = os.path.join(where, "relayd.conf"), os.path.join(where, "relayd.sock")
    with open(conf, "w") as f:
        f.write(rules + "\n")
    d = ns.daemon([app("relayd"), "-f", "-c", conf, "-S", sock] + list(args), name=name)
    d.conf, d.sock = conf, sock
    d.expect(r"\d+ of \d+ rules running", 5)
    return d


def relayctl(d, *words, timeout=10):
    """relayctl on d's socket: (exit status, stdout, stderr)."""
    r = subprocess.run([app("relayctl"), "-S", d.sock] + list(words), stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=timeout)
    return r.returncode, r.stdout, r.stderr


def rewrite(d, rules):
    """Replace d's rules file (atomically: a reload never reads half)."""
    tmp = d.conf + ".new"
    with open(tmp, "w") as f:
        f.write(rules + "\n")
    os.rename(tmp, d.conf)


def payload(stream, seq, size):
    if size < HEADER.size:
        return b"\0" * size
    filler = bytes((seq + i) & 0xff for i in range(size - HEADER.size))
    return HEADER.pack(stream, seq, zlib.crc32(filler)) + filler


def parse(data):
    """(stream, seq, intact) of a datagram; (None, None, False) if short."""
    if len(data) < HEADER.size:
        return None, None, False
    stream, seq, crc = HEADER.unpack_from(data)
    return stream, seq, zlib.crc32(data[HEADER.size:]) == crc


def _family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def sender(ns, local, dev=None, ttl=8):
    """A UDP socket in ns that sends from local (multicast out of local's
    interface; dev names it for IPv6)."""
    fam = _family(local)
    s = ns.socket(fam)
    s.bind((local, 0))
    if fam == socket.AF_INET:
        s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(local))
        s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, ttl)
    else:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, ifindex(ns, dev))
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, ttl)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
    return s


def ifindex(ns, dev):
    return int(ns.ip("-o", "link", "show", dev).split(":", 1)[0])


def receiver(ns, addr, port, local, dev=None):
    """A UDP socket in ns bound to addr:port; a group is joined on the
    interface of local (or dev, for IPv6)."""
    fam = _family(addr)
    s = ns.socket(fam)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    s.bind((addr, port))
    if fam == socket.AF_INET and socket.inet_aton(addr)[0] >= 224:
        s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
                     socket.inet_aton(addr) + socket.inet_aton(local))
    elif fam == socket.AF_INET6 and addr.lower().startswith("ff"):
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP,
                     socket.inet_pton(socket.AF_INET6, addr) + struct.pack("@I", ifindex(ns, dev)))
    return s


def send(s, dest, stream, count, pps, size=200, first=0):
    """count datagrams to dest, sequence numbers first.., at about pps."""
    t0 = time.monotonic()
    for i in range(count):
        s.sendto(payload(stream, first + i, size), dest)
        if i % 32 == 31:
            ahead = t0 + (i + 1) / pps - time.monotonic()
            if ahead > 0:
                time.sleep(ahead)
    return time.monotonic() - t0


class Sink:
    """Receivers read in one thread; got[i] lists what receiver i read:
    (stream, seq, intact, length)."""

    def __init__(self, socks):
        self.socks = socks
        self.got = [[] for _ in socks]
        self._stop = False
        for s in socks:
            s.setblocking(False)
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()

    def _run(self):
        import select
        p = select.poll()
        index = {}
        for i, s in enumerate(self.socks):
            p.register(s, select.POLLIN)
            index[s.fileno()] = i
        while not self._stop:
            for fd, _ in p.poll(50):
                i = index[fd]
                while True:
                    try:
                        data = self.socks[i].recv(65536)
                    except BlockingIOError:
                        break
                    self.got[i].append(parse(data) + (len(data),))

    def wait(self, count, timeout=5.0, quiet=0.3):
        """Until each receiver has count datagrams, or none came for quiet
        seconds, or timeout: the lists."""
        deadline = time.monotonic() + timeout
        last, seen = time.monotonic(), -1
        while time.monotonic() < deadline:
            n = sum(len(g) for g in self.got)
            if all(len(g) >= count for g in self.got):
                break
            if n != seen:
                seen, last = n, time.monotonic()
            elif time.monotonic() - last > quiet:
                break
            time.sleep(0.02)
        return self.got

    def reset(self):
        self.got = [[] for _ in self.socks]

    def close(self):
        self._stop = True
        self._t.join(2)
        for s in self.socks:
            s.close()


def check(got, stream, count, first=0):
    """(received, missing, duplicated, out of order, damaged) of stream in
    got, against sequence numbers first..first+count-1."""
    seqs = [seq for st, seq, ok, _ in got if st == stream]
    damaged = sum(1 for st, seq, ok, _ in got if st == stream and not ok)
    want = set(range(first, first + count))
    have = set(seqs)
    out_of_order = sum(1 for a, b in zip(seqs, seqs[1:]) if b <= a)
    return len(seqs), len(want - have), len(seqs) - len(have), out_of_order, damaged


def relayd_stats(d, timeout=3, until=None):
    """SIGUSR1, then the stats lines that answer it: [line].  relayd
    writes them one after the other in one turn of its control loop: a
    second SIGUSR1, sent once the first line is out, is answered only
    after the whole first block, whose end is thus the second block's
    first line (its first rule's line again).  until: a test of the
    joined lines; asked again until it holds, timeout s at most (counters
    a datagram's trip ends in may lag its arrival a little: a worker
    counts a send when it reaps its completion)."""
    import re
    import signal
    head = re.compile(r"stats: (.*?): \d+ packets, \d+ bytes in")
    deadline = time.monotonic() + timeout
    while True:
        mark = len(d.lines)

        def heads():
            return [mark + i for i, (_, text) in enumerate(d.lines[mark:]) if head.search(text)]

        d.signal(signal.SIGUSR1)
        while not heads() and time.monotonic() < deadline:
            time.sleep(0.01)
        first = heads()
        if not first:
            return [t for _, t in d.lines[mark:] if "stats:" in t]
        label = head.search(d.lines[first[0]][1]).group(1)
        d.signal(signal.SIGUSR1)
        end = None
        while end is None and time.monotonic() < deadline + 2:
            end = next((i for i in heads()[1:]
                        if head.search(d.lines[i][1]).group(1) == label), None)
            time.sleep(0.01)
        lines = [t for _, t in d.lines[first[0]:end] if "stats:" in t]
        if until is None or until("\n".join(lines)) or time.monotonic() >= deadline:
            return lines
        time.sleep(0.05)
