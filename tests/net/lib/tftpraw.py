# SPDX-License-Identifier: MIT
r"""tftpraw.py -- TFTP from Python: packets with any bytes in them, and a
plain correct client to check the others against.

Packets (RFC 1350, 2347-2349, 7440), as bytes, built without any check so
a test can send what no real client would:

    request(RRQ, "f", "octet", [("blksize", 1468), ("tsize", 0)])
    request(RRQ, b"../x", tail=b"blksize\0")       # an option overrunning the end
    data(1, b"..."), ack(0), error(8, "no thanks")

parse() reads what the server sends back (DATA, ACK, ERROR, OACK) into a
Packet.  A Peer is a UDP socket inside a namespace (netns.py) with send()
and a bounded recv():

    p = Peer(cli, "192.0.2.1")
    p.send(request(RRQ, "f", "octet"))
    pkt, addr = p.recv(1.0)            # (None, None) after 1 s of silence

get() and put() are whole transfers by this module's own client:
options as asked, the OACK read, RFC 7440 windows acknowledged at their
end (or at the last in-order block when one is missing), block numbers
rolling over past 65535 to 0, packets from another port answered with
ERROR 5 and ignored, retransmission on timeout; each returns a Transfer
saying what happened.
"""
import socket
import time

RRQ, WRQ, DATA, ACK, ERROR, OACK = 1, 2, 3, 4, 5, 6
NAMES = {RRQ: "RRQ", WRQ: "WRQ", DATA: "DATA", ACK: "ACK", ERROR: "ERROR", OACK: "OACK"}


def _b(x):
    if isinstance(x, bytes):
        return x
    return str(x).encode()


def request(op, filename, mode="octet", options=(), tail=b""):
    """op (RRQ or WRQ), filename NUL mode NUL, each option as name NUL
    value NUL, then tail as it is."""
    out = op.to_bytes(2, "big") + _b(filename) + b"\0" + _b(mode) + b"\0"
    for name, value in options:
        out += _b(name) + b"\0" + _b(value) + b"\0"
    return out + tail


def rrq(filename, mode="octet", **opts):
    return request(RRQ, filename, mode, [(k, v) for k, v in opts.items()])


def data(block, payload=b""):
    return DATA.to_bytes(2, "big") + (block & 0xffff).to_bytes(2, "big") + payload


def ack(block):
    return ACK.to_bytes(2, "big") + (block & 0xffff).to_bytes(2, "big")


def error(code, message=""):
    return ERROR.to_bytes(2, "big") + code.to_bytes(2, "big") + _b(message) + b"\0"


class Packet:
    """op; block and payload (DATA, ACK); code and message (ERROR); options,
    a list of (name, value) strings in order, and garbage, whatever
    followed the last complete pair (OACK); raw, the bytes."""

    def __init__(self, raw):
        self.raw = raw
        self.op = int.from_bytes(raw[:2], "big") if len(raw) >= 2 else None
        self.block = self.code = None
        self.payload = b""
        self.message = None
        self.options = []
        self.garbage = b""
        if self.op in (DATA, ACK) and len(raw) >= 4:
            self.block = int.from_bytes(raw[2:4], "big")
            self.payload = raw[4:]
        elif self.op == ERROR and len(raw) >= 4:
            self.code = int.from_bytes(raw[2:4], "big")
            self.message = raw[4:].split(b"\0", 1)[0].decode("utf-8", "replace")
        elif self.op == OACK:
            parts = raw[2:].split(b"\0")
            # "a\0b\0" splits into a, b, "": pairs, then one empty string.
            for i in range(0, len(parts) - 2, 2):
                self.options.append((parts[i].decode("ascii", "replace"),
                                     parts[i + 1].decode("ascii", "replace")))
            n = sum(len(k) + len(v) + 2 for k, v in self.options)
            self.garbage = raw[2 + n:]

    def option(self, name):
        for k, v in self.options:
            if k.lower() == name:
                return v
        return None

    def __repr__(self):
        name = NAMES.get(self.op, "op %r" % self.op)
        if self.op in (DATA, ACK):
            return "<%s %d, %d bytes>" % (name, self.block, len(self.payload))
        if self.op == ERROR:
            return "<ERROR %d %r>" % (self.code, self.message)
        if self.op == OACK:
            return "<OACK %s%s>" % (self.options, " + %r" % self.garbage if self.garbage else "")
        return "<%s %r>" % (name, self.raw[:40])


def parse(raw):
    return Packet(raw)


class Peer:
    """A UDP socket in namespace ns (netns.Ns), aimed at server:port; bind
    picks its source address (one of the namespace's)."""

    def __init__(self, ns, server, port=69, bind=None):
        self.family = socket.AF_INET6 if ":" in server else socket.AF_INET
        self.sock = ns.socket(self.family)
        self.sock.bind((bind or ("::" if self.family == socket.AF_INET6 else "0.0.0.0"), 0))
        self.server = (server, port)
        self.port = self.sock.getsockname()[1]

    def send(self, raw, to=None):
        self.sock.sendto(raw, to or self.server)

    def recv(self, timeout=1.0):
        """The next datagram as (Packet, (address, port)), or (None, None)
        after timeout seconds without one."""
        self.sock.settimeout(max(timeout, 0.0001))
        try:
            raw, addr = self.sock.recvfrom(70000)
        except socket.timeout:
            return None, None
        return Packet(raw), addr[:2]

    def drain(self, timeout=0.3):
        """Every datagram until timeout seconds pass with none: [(Packet, addr)]."""
        out = []
        while True:
            pkt, addr = self.recv(timeout)
            if pkt is None:
                return out
            out.append((pkt, addr))

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Transfer:
    """What get() or put() saw: ok, data (get), oack (the OACK Packet or
    None), error (the ERROR Packet ending it, or None), why (when not ok),
    tid (the server's transfer address), blocks, retransmits (our
    timeouts), stray (packets from another port), seconds."""

    def __init__(self):
        self.ok = False
        self.data = b""
        self.oack = None
        self.error = None
        self.why = ""
        self.tid = None
        self.blocks = 0
        self.retransmits = 0
        self.stray = 0
        self.seconds = 0.0

    def __repr__(self):
        return "<Transfer ok=%s %d bytes oack=%r error=%r why=%r>" % (
            self.ok, len(self.data), self.oack, self.error, self.why)


def _options(blksize, windowsize, tsize, timeout):
    opts = []
    if blksize is not None:
        opts.append(("blksize", blksize))
    if timeout is not None:
        opts.append(("timeout", timeout))
    if tsize is not None:
        opts.append(("tsize", tsize))
    if windowsize is not None:
        opts.append(("windowsize", windowsize))
    return opts


class _Exchange:
    """One transfer's socket: the next packet from the server's TID, our
    last packet resent on each timeout, the bounds kept; next() is None
    once the transfer is over, and t.why then says why."""

    def __init__(self, t, p, rto, retries, limit):
        self.t, self.p = t, p
        self.rto, self.retries = rto, retries
        self.deadline = time.monotonic() + limit
        self.limit = limit
        self.last = None

    def send(self, raw):
        self.last = raw
        self.p.send(raw, self.t.tid or self.p.server)

    def next(self):
        t, p, tries = self.t, self.p, 0
        while True:
            if time.monotonic() > self.deadline:
                t.why = "no end within %.0f s" % self.limit
                return None
            pkt, addr = p.recv(self.rto)
            if pkt is None:
                tries += 1
                if tries > self.retries:
                    t.why = "no answer after %d retransmissions" % self.retries
                    return None
                t.retransmits += 1
                p.send(self.last, t.tid or p.server)
                continue
            if t.tid is None and addr[0] == p.server[0]:
                t.tid = addr
            if addr != t.tid:
                t.stray += 1
                p.send(error(5, "unknown transfer ID"), addr)
                continue
            if pkt.op == ERROR:
                t.error, t.why = pkt, "ERROR %d %s" % (pkt.code, pkt.message)
                return None
            return pkt


def get(ns, server, filename, port=69, mode="octet", blksize=None, windowsize=None,
        tsize=None, timeout=None, rto=1.0, retries=5, limit=120.0, bind=None):
    """Read filename.  tsize: the number to send (0 for an RRQ), or None
    for no tsize option.  rto: our retransmission timeout (s); limit: the
    whole transfer's bound (s)."""
    t = Transfer()
    start = time.monotonic()
    opts = _options(blksize, windowsize, tsize, timeout)
    with Peer(ns, server, port, bind) as p:
        x = _Exchange(t, p, rto, retries, limit)
        x.send(request(RRQ, filename, mode, opts))
        size, window = 512, 1
        expect = 1        # index of the next block wanted (1 is the first)
        in_window = 0     # blocks taken since our last ACK
        chunks = []
        gap_acked = False
        while True:
            pkt = x.next()
            if pkt is None:
                break
            if pkt.op == OACK and expect == 1 and t.oack is None and opts:
                t.oack = pkt
                size = int(pkt.option("blksize") or 512)
                window = int(pkt.option("windowsize") or 1)
                x.send(ack(0))
                continue
            if pkt.op == OACK:
                continue  # a repeat: our ACK 0 was lost, or will be answered
            if pkt.op != DATA:
                t.why = "unexpected %r" % pkt
                p.send(error(4, "unexpected packet"), t.tid)
                break
            if pkt.block != expect & 0xffff:
                # A gap, or old blocks again: say where we are, once.
                if not gap_acked:
                    x.send(ack(expect - 1))
                    gap_acked, in_window = True, 0
                continue
            chunks.append(pkt.payload)
            t.blocks += 1
            expect += 1
            in_window += 1
            gap_acked = False
            end = len(pkt.payload) < size
            if end or in_window >= window:
                x.send(ack(expect - 1))
                in_window = 0
            if end:
                t.ok = True
                break
        t.data = b"".join(chunks)
    t.seconds = time.monotonic() - start
    return t


def put(ns, server, filename, content, port=69, mode="octet", blksize=None, windowsize=None,
        tsize=None, timeout=None, rto=1.0, retries=5, limit=120.0, stop_after=None):
    """Write content as filename, lockstep (windowsize is asked for but
    blocks go one at a time).  tsize True sends len(content).  stop_after:
    send that many DATA blocks, then go silent (an aborted upload)."""
    t = Transfer()
    start = time.monotonic()
    opts = _options(blksize, windowsize, len(content) if tsize is True else tsize, timeout)
    with Peer(ns, server, port) as p:
        x = _Exchange(t, p, rto, retries, limit)
        x.send(request(WRQ, filename, mode, opts))
        size = 512
        block = 0   # the block number we wait to see acknowledged
        while True:
            pkt = x.next()
            if pkt is None:
                break
            if pkt.op == OACK and block == 0:
                t.oack = pkt
                size = int(pkt.option("blksize") or 512)
            elif pkt.op != ACK or pkt.block != block & 0xffff:
                continue  # old ACKs: never resend for them (Sorcerer's Apprentice)
            if block * size > len(content):
                t.ok = True  # the last, short block is acknowledged
                break
            if stop_after is not None and block >= stop_after:
                t.why = "stopped after %d blocks" % block
                break
            block += 1
            x.send(data(block, content[(block - 1) * size:block * size]))
            t.blocks += 1
    t.seconds = time.monotonic() - start
    return t


def netascii(octets):
    """The netascii form of a file's bytes: LF as CR LF, a CR alone as
    CR NUL (RFC 764)."""
    return octets.replace(b"\r", b"\r\0").replace(b"\n", b"\r\n")
