#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# The appliance serving under faults for SOAK_SECONDS (20 in make test;
# make soak: 600), booted once, on a bridge in a namespace of the test's
# own with a client namespace behind a link that delays every frame 2 ms
# and loses 1 % of UDP ones each way (tests/net/lib/wire.c: this kernel
# has no tc netem), while, all at once:
#   - DHCP: 24 clients bound from pxed in server mode renew at random;
#     DISCOVERs from random MACs fill the pool with offers (the reclaim
#     path); garbage datagrams to port 67;
#   - TFTP: transfers of three files, one after the other, by a client
#     that retransmits on loss (tests/net/lib/tftpraw.py);
#   - relayd: a multicast stream in, relayed back out;
#   - every 4 s a SIGHUP to tftpd, pxed, relayd and httpd (reloads);
#   - every 60 s (and once halfway in a short run) one of them killed
#     (SIGKILL) at random: init starts it again.
# Afterwards: no lease lost (every client renews its own address, and the
# lease file lists it), every completed transfer checksum-correct, no
# relayed datagram damaged; with the traffic stopped, each daemon's file
# descriptors no more than before the soak (after a warm-up that served
# every file once), its anonymous memory within 256 kB a thread of what it
# was (the kernel's counting slack) or less, PID 1's likewise and its fds
# the same; the samples
# (anonymous RSS, fds of each daemon and PID 1, every SAMPLE s) are
# printed as growth against the baseline.
#
# In the guest, not in host namespaces: PID 1 is init itself, and every
# daemon runs as the image runs it (its user, its capabilities).
import hashlib
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "lib"))
sys.path.insert(0, os.path.join(HERE, "..", "net", "lib"))
from guest import Guest, GuestError, Tap, site_initrd  # noqa: E402
from netns import Net  # noqa: E402
import dhcp_ns  # noqa: E402
import relay_ns  # noqa: E402
import tftpraw  # noqa: E402

SECONDS = float(os.environ.get("SOAK_SECONDS", "20"))
SAMPLE = 10.0 if SECONDS >= 120 else 5.0
RELOAD, KILL = 4.0, 60.0
DAEMONS = ("tftpd", "pxed", "relayd", "httpd")
SERVER, CLIENT = "192.0.2.3", "192.0.2.1"  # CLIENT: the wire's first end
CLIENTS = 24
FILES = {"soak/a.bin": 48 << 10, "soak/b.bin": 160 << 10, "soak/c.bin": 400 << 10}
PXED_CONF = "mode server\npool 192.0.2.100 192.0.2.199\nrouter 192.0.2.3\nlease 86400\n"
RELAYD_CONF = "relay from eth0 group 239.1.1.1 port 5000 to 239.2.2.1:6000 dev eth0\n"
DISCOVER, OFFER, REQUEST, ACK, NAK = 1, 2, 3, 5, 6
# Linux 6.1 counts a process's pages per thread, folded in every 64 page
# faults: a reading may be short by up to 256 kB a thread (pxed read 4 kB).
RSS_SLACK = 256  # kB

t = Tap(10)
rnd = random.Random(int(os.environ.get("SOAK_SEED", "1")))
stop = threading.Event()
traffic = threading.Event()  # set: the clients run


def client_mac(i):
    return "52:54:00:5a:00:%02x" % i


class Dhcp(threading.Thread):
    """The DHCP side: bind CLIENTS clients, then (while traffic is set)
    renew one at random, flood 3 random MACs and send 2 garbage datagrams
    every 0.2 s.  A NAK to a renewal of a bound client is a lost lease."""

    def __init__(self, cli):
        super().__init__(daemon=True)
        s = cli.socket(socket.AF_INET)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, cli.dev.encode())
        s.bind(("0.0.0.0", 68))
        self.s = s
        self.xid = 0x50000
        self.bound = {}     # mac -> address
        self.renewed = self.unanswered = self.flooded = self.garbage = 0
        self.lost = []      # (mac, address, what came back)

    def ask(self, kind, mac, *opts, wait=1.0):
        self.xid += 1
        self.s.sendto(dhcp_ns.packet(dhcp_ns.options((53, bytes([kind])), *opts), xid=self.xid,
                                     mac=mac), ("255.255.255.255", 67))
        return dhcp_ns.reply(self.s, self.xid, wait) if wait else None

    def renew(self, mac, wait=1.0):
        a = self.bound[mac]
        r = self.ask(REQUEST, mac, (50, socket.inet_aton(a)), (54, socket.inet_aton(SERVER)),
                     wait=wait)
        if r is None:
            return None
        return r[1].get(53) == bytes([ACK]) and r[0]["yiaddr"] == a, r

    def bind_all(self, deadline):
        while len(self.bound) < CLIENTS and time.monotonic() < deadline:
            for i in range(CLIENTS):
                mac = client_mac(i)
                if mac in self.bound:
                    continue
                r = self.ask(DISCOVER, mac)
                if not r or r[1].get(53) != bytes([OFFER]):
                    continue
                a = r[0]["yiaddr"]
                r = self.ask(REQUEST, mac, (50, socket.inet_aton(a)), (54, socket.inet_aton(SERVER)))
                if r and r[1].get(53) == bytes([ACK]):
                    self.bound[mac] = a

    def run(self):
        while not stop.is_set():
            if not traffic.wait(0.2):
                continue
            mac = rnd.choice(sorted(self.bound))
            res = self.renew(mac, wait=0.5)
            if res is None:
                self.unanswered += 1
            elif res[0]:
                self.renewed += 1
            else:
                self.lost.append((mac, self.bound[mac], res[1]))
            for _ in range(3):
                m = "02:%02x:%02x:%02x:%02x:%02x" % tuple(rnd.randrange(256) for _ in range(5))
                self.ask(DISCOVER, m, wait=0)
                self.flooded += 1
            for _ in range(2):
                junk = bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 600)))
                self.s.sendto(junk, ("255.255.255.255", 67))
                self.garbage += 1
            time.sleep(0.2)


class Tftp(threading.Thread):
    def __init__(self, cli, data):
        super().__init__(daemon=True)
        self.cli, self.data = cli, data
        self.ok = self.failed = 0
        self.bad = []      # (name, why): completed with the wrong bytes
        self.seconds = 0.0
        self.idle = threading.Event()  # set: no transfer of ours in flight

    def run(self):
        names = sorted(self.data)
        i = 0
        while not stop.is_set():
            if not traffic.wait(0.2):
                self.idle.set()
                continue
            self.idle.clear()
            name = names[i % len(names)]
            i += 1
            x = tftpraw.get(self.cli, SERVER, name, blksize=1408, rto=0.3, retries=8, limit=60)
            if not x.ok:
                self.failed += 1
            elif hashlib.sha256(x.data).digest() != self.data[name]:
                self.bad.append((name, "%d bytes" % len(x.data)))
            else:
                self.ok += 1
                self.seconds += x.seconds


class Relay(threading.Thread):
    def __init__(self, cli):
        super().__init__(daemon=True)
        self.tx = relay_ns.sender(cli, CLIENT)
        self.sink = relay_ns.Sink([relay_ns.receiver(cli, "239.2.2.1", 6000, CLIENT)])
        self.sent = 0

    def run(self):
        while not stop.is_set():
            if not traffic.wait(0.2):
                continue
            relay_ns.send(self.tx, ("239.1.1.1", 5000), 1, 50, 200, first=self.sent)
            self.sent += 50


def warm_ring(cli):
    """6000 datagrams into a transfer's port from a stray port: tftpd takes
    each into the next of its receive ring's (up to 4096) buffers, answers
    ERROR 5 and goes on, so every page of the ring has been touched (the
    ACKs of the soak's transfers would touch them over minutes)."""
    with tftpraw.Peer(cli, SERVER) as p:
        for _ in range(5):
            p.send(tftpraw.rrq("soak/c.bin"))
            pkt, tid = p.recv(1.0)
            if pkt:
                break
        stray = cli.socket(socket.AF_INET)
        for i in range(6000):
            stray.sendto(tftpraw.ack(0), tid)
            if i % 200 == 199:
                time.sleep(0.05)
        stray.close()
        p.send(tftpraw.error(0, "soak warm-up done"), tid)


def sample(g):
    """{name: (pid, anonymous RSS kB, fds, threads)} of PID 1 and each daemon's main
    process (the one init started: parent 1), with its other processes'
    added (tftpd's and httpd's workers).  Anonymous memory (RssAnon: heap,
    stacks), not VmRSS, which also counts the pages of the files tftpd and
    httpd keep mapped (app/lib/files.h)."""
    st, out = g.sh("for n in init " + " ".join(DAEMONS) + "; do for p in $(pidof $n); do "
                   "echo $n $p $(cut -d' ' -f4 /proc/$p/stat) "
                   "$(awk '/^RssAnon:/ { print $2 }' /proc/$p/status) "
                   "$(awk '/^Threads:/ { print $2 }' /proc/$p/status) "
                   "$(ls /proc/$p/fd | wc -l); done; done", timeout=20)
    got = {}
    for n, pid, ppid, rss, threads, fds in re.findall(
            r"(?m)^(\w+) (\d+) (\d+) (\d+) (\d+) (\d+)\s*$", out):
        main = pid == "1" or ppid == "1"
        old = got.get(n, (None, 0, 0, 0))
        got[n] = (int(pid) if main else old[0], old[1] + int(rss), old[2] + int(fds),
                  old[3] + int(threads))
    return got


def main_pids(g):
    return {n: v[0] for n, v in sample(g).items()}


def growth(before, after):
    return "; ".join("%s %+d kB %+d fds%s" % (n, after[n][1] - before[n][1], after[n][2] - before[n][2],
                                              "" if after[n][0] == before[n][0] else " (new pid)")
                     for n in sorted(before) if n in after)


with tempfile.TemporaryDirectory() as tmp, Net() as net:
    os.chmod(tmp, 0o755)
    data, entries = {}, ["dir /srv/tftp/soak 0755 0 0"]
    for name, size in FILES.items():
        blob = random.Random(name).randbytes(size)
        path = os.path.join(tmp, os.path.basename(name))
        with open(path, "wb") as f:
            f.write(blob)
        data[name] = hashlib.sha256(blob).digest()
        entries.append("file /srv/tftp/%s %s 0644 0 0" % (name, path))
    initrd = site_initrd(tmp, entries, [("/etc/tern/pxed.conf", PXED_CONF),
                                        ("/etc/tern/relayd.conf", RELAYD_CONF)])

    # cli -- wire (delay and loss both ways) -- br0 (lab) -- tap -- the appliance
    cli, lab = net.ns("cli"), net.ns("lab")
    lab.ip("link", "add", "br0", "type", "bridge", "stp_state", "0", "forward_delay", "0",
           "mcast_snooping", "0")
    lab.ip("tuntap", "add", "tapsoak", "mode", "tap")
    lab.ip("link", "set", "tapsoak", "master", "br0", "up")
    net.wire(cli, lab, delay_us=2000, loss_ppm=10000)  # cli's w0a is 192.0.2.1
    lab.ip("addr", "flush", "dev", "w0b")
    lab.ip("link", "set", "w0b", "master", "br0", "up")
    lab.ip("link", "set", "br0", "up")
    os.environ["TERN_INITRD"] = initrd
    g = Guest(cmdline="tern.iface=eth0 tern.ip=%s/24" % SERVER,
              qemu_args=["-netdev", "tap,id=lab,ifname=tapsoak,script=no,downscript=no",
                         "-device", "virtio-net-pci,netdev=lab"], netns=lab.name)
    with g:
        try:
            g.wait_ready(timeout=120)
            if not g.wait_shell():
                t.bail("the appliance's debug shell did not answer")
            g.wait_log(rb"pxed: server mode on ports 67 and 4011", timeout=30)
            g.wait_log(rb"relayd: .*1 of 1 rules? running", timeout=30)
        except GuestError as e:
            t.bail(e)

        dhcp, tftp, relay = Dhcp(cli), Tftp(cli, data), Relay(cli)
        dhcp.bind_all(time.monotonic() + 30)
        t.ok(len(dhcp.bound) == CLIENTS, "%d DHCP clients bound before the soak" % CLIENTS,
             "%s%s" % (dhcp.bound, g.tail(1500)))
        for th in (dhcp, tftp, relay):
            th.start()
        # Warm-up, so that the baseline counts what the daemons allocate up
        # front as touched: each file once (tftpd and httpd keep idle files
        # mapped); tftpd's receive ring cycled once (warm_ring); a few
        # seconds of everything; then quiet, and the baseline.
        for name in sorted(data):
            tftpraw.get(cli, SERVER, name, blksize=1408, rto=0.3, retries=8, limit=60)
        warm_ring(cli)
        traffic.set()
        time.sleep(3)
        traffic.clear()
        time.sleep(2)
        base = sample(g)
        print("# soak: %.0f s, samples every %.0f s; baseline (pid, anonymous RSS kB, fds, threads): %s"
              % (SECONDS, SAMPLE, base), flush=True)

        t0 = time.monotonic()
        traffic.set()
        samples, kills, reloads = [], [], 0
        next_sample, next_reload = t0 + SAMPLE, t0 + RELOAD
        next_kill = t0 + (KILL if SECONDS > KILL else SECONDS / 2)
        try:
            while time.monotonic() < t0 + SECONDS:
                now = time.monotonic()
                if now >= next_reload:
                    g.sh("for n in %s; do for p in $(pidof $n); do "
                         "[ $(cut -d' ' -f4 /proc/$p/stat) = 1 ] && kill -HUP $p; done; done; true"
                         % " ".join(DAEMONS))
                    reloads += 1
                    next_reload += RELOAD
                if now >= next_kill:
                    victim = rnd.choice(DAEMONS)
                    pid = main_pids(g).get(victim)
                    if pid:
                        g.sh("kill -9 %d" % pid)
                        kills.append("%s (pid %d) at %.0f s" % (victim, pid, now - t0))
                    next_kill += KILL
                if now >= next_sample:
                    samples.append((now - t0, sample(g)))
                    next_sample += SAMPLE
                time.sleep(0.2)
        except GuestError as e:
            t.bail(e)
        traffic.clear()
        tftp.idle.wait(70)  # the client's last transfer ends (done, or given up)
        # The daemons settle: killed ones are back (init's back-off is 1 s,
        # then 2 s...), and what a daemon still holds for a client that has
        # gone (tftpd: a transfer whose last ACK was lost, until its retries
        # run out) is let go.  A leak is still there after the 30 s.
        for _ in range(30):
            end = sample(g)
            if all(n in end and end[n][0] for n in ("init",) + DAEMONS) and \
                    all(end[n][2] <= base[n][2] for n in DAEMONS if n in base):
                break
            time.sleep(1)
        stop.set()
        for th in (dhcp, tftp, relay):
            th.join(70)

        print("# soak: %d reloads, kills: %s" % (reloads, ", ".join(kills) or "none"), flush=True)
        for at, s in samples:
            print("# soak: at %4.0f s: %s" % (at, growth(base, s)), flush=True)
        print("# soak: after it, against the baseline: %s" % growth(base, end), flush=True)

        # No lease lost: each client renews its own address, and the file has it.
        unrenewed = []
        for mac in sorted(dhcp.bound):
            for _ in range(5):
                res = dhcp.renew(mac)
                if res is not None:
                    break
            if not res or not res[0]:
                unrenewed.append((mac, dhcp.bound[mac], res))
        t.ok(not dhcp.lost and not unrenewed,
             "no lease lost: %d renewals acknowledged during the soak (%d unanswered under loss "
             "or a restart), none refused; after it each of the %d clients renews its own address"
             % (dhcp.renewed, dhcp.unanswered, CLIENTS), "%s %s" % (dhcp.lost[:3], unrenewed[:3]))
        st, out = g.sh("cat /var/lib/pxed/leases")
        t.ok(all(a in out.split() for a in dhcp.bound.values()),
             "the lease file lists every bound client's address", out)
        print("# soak: DHCP: %d random-MAC DISCOVERs, %d garbage datagrams" %
              (dhcp.flooded, dhcp.garbage), flush=True)

        t.ok(tftp.ok > 0 and not tftp.bad,
             "every completed TFTP transfer checksum-correct: %d completed (%.2f s each on "
             "average), %d gave up (loss, or tftpd killed)"
             % (tftp.ok, tftp.seconds / max(tftp.ok, 1), tftp.failed), str(tftp.bad[:5]))
        got = relay.sink.wait(relay.sent, timeout=3)[0]
        rec, missing, dup, ooo, damaged = relay_ns.check(got, 1, relay.sent)
        t.ok(damaged == 0 and rec > relay.sent // 2,
             "relayd: %d of %d datagrams relayed back, none damaged (%d missing: loss both "
             "ways, restarts)" % (rec, relay.sent, missing), str((rec, missing, dup, ooo, damaged)))

        for n in DAEMONS:
            b, e = base.get(n), end.get(n)
            t.ok(b and e and e[2] <= b[2] and e[1] <= b[1] + RSS_SLACK * e[3],
                 "%s: no more fds after the soak than before (%s, %s), anonymous RSS %s kB "
                 "against %s (slack %d kB a thread)" % (n, e and e[2], b and b[2], e and e[1],
                                                       b and b[1], RSS_SLACK),
                 "%s -> %s" % (b, e))
        b, e = base.get("init"), end.get("init")
        # Unchanged as far as the kernel's count tells (RSS_SLACK): a 600 s
        # run read +32 kB once, at 310 s, then the same for 290 s and 5 kills.
        t.ok(b and e and e[1] <= b[1] + RSS_SLACK and e[2] == b[2],
             "PID 1's anonymous RSS unchanged within the count's slack (%s kB against %s) and "
             "its fds (%s)" % (e and e[1], b and b[1], e and e[2]), "%s -> %s" % (b, e))
        relay.sink.close()
        g.send("poweroff\n")
        g.wait_exit(timeout=30)
t.done()
