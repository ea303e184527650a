# SPDX-License-Identifier: MIT
"""dhcp_ns.py -- pxed in a network namespace, and DHCP clients nobody here
wrote (BusyBox udhcpc, ISC dhclient) in another, for tests/net/pxed_*.t.

    with PxedLab(t, conf_text) as lab:     # srv 192.0.2.1 -- cli (no IPv4)
        r = lab.udhcpc("-V", "PXEClient:Arch:00007:UNDI:003016", "-x", "0x5d:0007")
        r["ip"], r["boot_file"], ...       # what udhcpc's script was given
        lab.pxed.expect(r"offer 192\\.0\\.2\\.1\\d\\d")

The client scripts set the address they are given on the client's
interface (so a renewal or a release can be unicast) and write the
variables they were called with, one JSON object a line.  Uses
tests/net/lib/netns.py for namespaces, links and cleanup.
"""
import json
import os
import socket
import struct
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from netns import Net, NetError, Tap, require_root, skip_all, tern_out  # noqa: E402,F401

MAC = "52:54:00:12:34:56"
PXE_VENDOR = "PXEClient:Arch:00007:UNDI:003016"
SCRIPT = r"""#!/bin/sh
# $1 (udhcpc) or $reason (dhclient), then the variables, as JSON.
ev=${1:-$reason}
case $ev in
bound|renew|BOUND|RENEW|REBOOT) a=${ip:-$new_ip_address}
	ip addr flush dev "$interface" 2>/dev/null; ip addr add "$a/24" dev "$interface" ;;
deconfig|RELEASE|EXPIRE|STOP) ip -4 addr flush dev "$interface" ;;
esac
python3 -c 'import json, os, sys; d = dict(os.environ); d["event"] = sys.argv[1]; print(json.dumps(d))' "$ev" >> "%s"
"""


def require():
    require_root()
    for tool, why in (("busybox", "busybox (udhcpc)"), ("dhclient", "isc-dhcp-client")):
        if os.system("command -v %s >/dev/null 2>&1" % tool) != 0:
            skip_all("%s is not installed" % why)
    if not os.access(tern_out("build", "app", "pxed"), os.X_OK):
        skip_all("pxed is not built (make apps)")


class PxedLab:
    def __init__(self, t, conf):
        self.t = t
        self.dir = tempfile.mkdtemp(prefix="pxed-")
        os.chmod(self.dir, 0o755)  # pxed reads its config as the user it becomes
        self.conf = self.path("pxed.conf")
        # A directory pxed makes its user's (nobody, by default) at its start.
        self.leases = self.path("state", "leases")
        self.events = self.path("events")
        self.write(self.conf, conf)
        self.write(self.path("script"), SCRIPT % self.events)
        os.chmod(self.path("script"), 0o755)
        self.write(self.path("dhclient.conf"), "")
        self.net = Net()
        self.srv, self.cli = self.net.ns("srv"), self.net.ns("cli")
        self.net.veth(self.srv, self.cli)
        self.cli.ip("-4", "addr", "flush", "dev", self.cli.dev)
        self.cli.ip("link", "set", self.cli.dev, "address", MAC)
        self.pxed = None
        self.start()

    def path(self, *names):
        return os.path.join(self.dir, *names)

    @staticmethod
    def write(path, text):
        with open(path, "w") as f:
            f.write(text)

    def start(self, *extra):
        self.pxed = self.srv.daemon([tern_out("build", "app", "pxed"), "-c", self.conf, "-l",
                                     self.leases, "-i", self.srv.dev, "-v"] + list(extra),
                                    name="pxed")
        self.pxed.wait_udp(67)
        self.pxed.wait_udp(4011)
        return self.pxed

    def read_events(self):
        try:
            with open(self.events) as f:
                return [json.loads(line) for line in f if line.strip()]
        except OSError:
            return []

    def clear_events(self):
        self.write(self.events, "")

    def udhcpc(self, *args, timeout=15):
        """udhcpc -q: the variables of its last bound call, or None."""
        self.clear_events()
        self.cli.run(["busybox", "udhcpc", "-i", self.cli.dev, "-f", "-q", "-n", "-t", "3",
                      "-T", "1", "-A", "1", "-s", self.path("script")] + list(args),
                     timeout=timeout)
        bound = [e for e in self.read_events() if e["event"] == "bound"]
        return bound[-1] if bound else None

    def dhclient(self, *args, timeout=20):
        """dhclient -1 (one try; it goes to the background once bound, and
        is stopped with -x here, without a release): its events."""
        common = ["-sf", self.path("script"), "-lf", self.path("dhclient.leases"), "-pf",
                  self.path("dhclient.pid"), "-cf", self.path("dhclient.conf")]
        self.clear_events()
        r = self.cli.run(["dhclient", "-1"] + common + list(args) + [self.cli.dev],
                         timeout=timeout)
        events = self.read_events()
        if "-r" not in args:
            self.cli.run(["dhclient", "-x"] + common + [self.cli.dev], timeout=10)
        return events, r

    def stats(self):
        """SIGUSR1, then the stats lines: {text: count}.  pxed writes them
        one after the other in one turn of its loop: a second SIGUSR1,
        sent once the first block has begun, is answered only after the
        first block is whole, so the lines before the second head are all
        of the first block."""
        import re
        import signal
        import time
        before = len(self.pxed.lines)

        def heads(n, timeout=3):
            deadline = time.monotonic() + timeout
            while True:
                at = [before + i for i, (_, text) in enumerate(self.pxed.lines[before:])
                      if re.search(r"stats: \d+ received", text)]
                if len(at) >= n or time.monotonic() >= deadline:
                    return at
                time.sleep(0.01)

        self.pxed.signal(signal.SIGUSR1)
        heads(1)
        self.pxed.signal(signal.SIGUSR1)
        at = heads(2)
        block = self.pxed.lines[at[0]:at[1]] if len(at) >= 2 else []
        out = {}
        for _, text in block:
            m = re.search(r"stats:\s+(\d+) (.*)$", text)
            if m:
                out[m.group(2)] = int(m.group(1))
        return out

    def raw_socket(self, port=68):
        """A UDP socket in cli bound to port, able to broadcast."""
        s = self.cli.socket(socket.AF_INET)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, self.cli.dev.encode())
        s.bind(("0.0.0.0", port))
        s.settimeout(2)
        return s

    def close(self):
        self.net.close()
        os.system("rm -rf '%s'" % self.dir)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def packet(opts, xid=0x1234, op=1, htype=1, hlen=6, ciaddr="0.0.0.0", flags=0x8000, cookie=True,
           mac=MAC):
    """A DHCP message: the fixed header, the cookie, opts as bytes."""
    h = struct.pack(">BBBBIHH4s4s4s4s16s64s128s", op, htype, hlen, 0, xid, 0, flags,
                    socket.inet_aton(ciaddr), bytes(4), bytes(4), bytes(4),
                    bytes.fromhex(mac.replace(":", "")), bytes(64), bytes(128))
    return h + (bytes([99, 130, 83, 99]) if cookie else bytes(4)) + bytes(opts)


def options(*pairs):
    """(code, bytes) pairs into option bytes, ended by 255."""
    out = b""
    for code, data in pairs:
        out += bytes([code, len(data)]) + data
    return out + b"\xff"


def reply(s, xid, wait=2.0):
    """The answer with xid on socket s within wait seconds, parsed
    (header, options), or None."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        s.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            hdr, opts = parse(s.recv(2048))
        except socket.timeout:
            return None
        if hdr["xid"] == xid:
            return hdr, opts
    return None


def parse(data):
    """A reply: (header dict, {code: bytes})."""
    f = struct.unpack(">BBBBIHH4s4s4s4s16s64s128s", data[:236])
    hdr = {"op": f[0], "xid": f[4], "flags": f[6], "ciaddr": socket.inet_ntoa(f[7]),
           "yiaddr": socket.inet_ntoa(f[8]), "siaddr": socket.inet_ntoa(f[9]),
           "sname": f[12].rstrip(b"\0").decode(), "file": f[13].rstrip(b"\0").decode()}
    opts, i = {}, 240
    while i < len(data) and data[i] != 255:
        if data[i] == 0:
            i += 1
            continue
        opts[data[i]] = data[i + 2:i + 2 + data[i + 1]]
        i += 2 + data[i + 1]
    return hdr, opts
