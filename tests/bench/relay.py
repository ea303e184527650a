#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""relay.py [-s SIZE,...] [CONTENDER...] -- relayd against socat and kernel
multicast forwarding (smcroute) on one veth topology, in one run.  Run by
`make bench` and `make bench-relay` (as root; it needs TERN_OUT, udpgen
and udpsink, and smcroute unpacked by tests/bench/peers.sh).

    gen ns  v1a 198.51.100.1 -- v1b 198.51.100.2  relay ns  v2a 203.0.113.1 -- v2b 203.0.113.2  sink ns
    udpgen -> 239.1.1.1:5000, TTL 8      [contender]        239.1.1.1:5000 -> udpsink

One stream, 239.1.1.1:5000 in and out (kernel forwarding cannot remap a
group or port, so nobody does here), relayed by each CONTENDER in turn:

  relayd   relay from v1b group 239.1.1.1 port 5000 to 239.1.1.1:5000 dev v2a ttl 8,
           its defaults (-q 1024 -b 64 -s/-r 4 MiB, UDP GSO on egress as
           built: -G 64 with RELAYD_GSO, coalescing -L 100 with
           RELAYD_COALESCE_US); relayd-plain: the same with -G 0 (one send
           a datagram) when the binary has -G; relayd-L0: with -L 0 (no
           coalescing) when it has -L
  socat    socat -u UDP4-RECV:5000,ip-add-membership=239.1.1.1:v1b UDP4-SENDTO:
           239.1.1.1:5000 (one process per stream), 4 MiB buffers as relayd's
  kernel   smcrouted: mroute from v1b group 239.1.1.1 to v2a
  relayd-old  with RELAY_BENCH_OLD=PATH: that relayd binary, as relayd
           (an A/B run of two builds in one bench)

Two cores: the generator and the sink (udpgen, udpsink: tests/bench) are
pinned to CPU 0 and the relay to CPU 1 (taskset), and receive packet
steering sends the relay namespace's ingress (v1b) to CPU 1 and the sink
namespace's (v2b) to CPU 0, so everything the relay box does -- its
receive path, the relay process or the kernel's forwarding, its send path
-- runs on CPU 1, the same for all three.

For each contender and size (64 and 1400 bytes): a flat-out probe, then
bisection over the rate, each trial RATE x 2 s datagrams sent at RATE
(udpgen's token bucket) and counted by udpsink: the highest rate with no
loss, and the highest with at most 0.1 % lost.  A trial in which udpgen
fell short of the rate by more than 3 % counts at the rate it reached
(and a search that cannot go higher says "gen. limit").  CPU per packet at the highest loss-free
trial: the relay process's utime + stime (/proc/PID/stat; with this
kernel's tick-based accounting that includes the softirq work that ran on
CPU 1 while it ran) and CPU 1's softirq time (/proc/stat), which for kernel
forwarding is the whole cost.  Then 10 s at 80 % of relayd's own loss-free
maximum, per size, reporting loss.  Where datagrams were lost is read from
the relay namespace's UDP counters (its input socket's RcvbufErrors),
udpsink's own socket drops and /proc/net/softnet_stat.

The image's sysctls (out/target/etc/sysctl.d/*.conf) are applied in the
three namespaces where the kernel keeps them per namespace.  The host-wide
ones (net.core.netdev_max_backlog, rmem_max, udp_mem, ...) are set on the
host for the run, as the image sets them, and put back as they were when
it ends (RELAY_BENCH_HOST_SYSCTLS=0 leaves them alone); the report names
them either way.

Writes a table to stdout and out/bench/relay.md.  Bounded: every trial
has udpgen's and udpsink's own time limits, every daemon start a timeout;
about 5 minutes in all.
"""
import datetime
import glob
import math
import os
import platform
import re
import signal
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "net", "lib"))
from netns import Net, NetError, tern_out  # noqa: E402
from udpstream import gen, netns_sysctls, placed, sink, udp_counters  # noqa: E402

GROUP, PORT = "239.1.1.1", 5000
CPU_HARNESS, CPU_RELAY = 0, 1
NICE = -10            # generator, sink and relay: ahead of whatever else runs
TRIAL_S = 2.0
SOAK_S = 10.0
BISECT_STEPS = 6      # loss-free search
BISECT_01_STEPS = 3   # then the 0.1 % search
PRECISION = 1.05      # stop when the bounds are this close
GEN_OK = 0.97         # udpgen reached at least this fraction of the rate
# RELAY_BENCH_OLD=PATH: another relayd binary (say the last commit's), the
# contender relayd-old, with relayd's defaults: an A/B run in one bench.
OLD = os.environ.get("RELAY_BENCH_OLD")
CONTENDERS = ["relayd", "relayd-plain", "relayd-L0", "socat", "kernel"] + (["relayd-old"] if OLD else [])
VARIANTS = {"relayd-plain": "-G", "relayd-L0": "-L"}  # relayd with that flag 0
TICK = os.sysconf("SC_CLK_TCK")
USAGE = "usage: relay.py [-s SIZE,...] [%s]..." % "] [".join(CONTENDERS)


def relayd_exe():
    return os.environ.get("RELAY_BENCH_RELAYD") or os.path.join(
        os.environ.get("TERN_APPS", tern_out("build", "app")), "relayd")


def smcrouted_exe():
    return tern_out("bench", "peers", "smcroute", "usr", "sbin", "smcrouted")


def has_flag(flag):
    """relayd -h lists flag (an older binary, for an A/B run, may not)."""
    try:
        r = subprocess.run([relayd_exe(), "-h"], capture_output=True, text=True, timeout=5)
    except OSError:
        return False
    return re.search(r"^\s+%s\b" % flag, r.stdout, re.M) is not None


# -- the topology ------------------------------------------------------------

def image_sysctls():
    """{name: value} of the image's sysctl.d files, as built."""
    out = {}
    for path in sorted(glob.glob(tern_out("target", "etc", "sysctl.d", "*.conf"))):
        with open(path) as f:
            for line in f:
                line = line.split("#", 1)[0].strip()
                if "=" in line:
                    k, v = (x.strip() for x in line.split("=", 1))
                    if k.startswith("net."):
                        out[k] = v
    return out


def host_sysctl(name):
    try:
        with open("/proc/sys/" + name.replace(".", "/")) as f:
            return " ".join(f.read().split())
    except OSError:
        return "?"


def write_sysctl(name, value):
    try:
        with open("/proc/sys/" + name.replace(".", "/"), "w") as f:
            f.write(str(value))
        return True
    except OSError:
        return False


def apply_host(topo):
    """The image's host-wide sysctls on the host, what it had kept aside."""
    if os.environ.get("RELAY_BENCH_HOST_SYSCTLS", "1") == "0":
        return
    for k in sorted(topo.host_wide):
        old = host_sysctl(k)
        if old != "?" and write_sysctl(k, topo.sysctls[k]):
            topo.host_saved[k] = old


def restore_host(topo):
    for k, old in topo.host_saved.items():
        if not write_sysctl(k, old):
            print("relay bench: could not put back %s = %s" % (k, old), file=sys.stderr)


def rps(ns, dev, cpu):
    ns.run(["sh", "-c", "echo %x >/sys/class/net/%s/queues/rx-0/rps_cpus" % (1 << cpu, dev)],
           timeout=5)


class Topology:
    def __init__(self, net):
        self.gen, self.relay, self.sink = net.ns("gen"), net.ns("relay"), net.ns("sink")
        net.links = 1  # 198.51.100.0/24 and 203.0.113.0/24; 192.0.2.0/24 is the tests'
        net.veth(self.gen, self.relay)   # v1a 198.51.100.1 | v1b 198.51.100.2
        net.veth(self.relay, self.sink)  # v2a 203.0.113.1 | v2b 203.0.113.2
        self.sysctls = image_sysctls()
        self.host_wide = set()
        for ns in (self.gen, self.relay, self.sink):
            self.host_wide |= set(netns_sysctls(ns, self.sysctls))
        self.host_saved = {}  # what the host had: restore_host() puts it back
        # The kernel's forwarding wants it; relayd and socat do not care.
        self.relay.run(["sh", "-c", "echo 0 >/proc/sys/net/ipv4/conf/all/rp_filter; "
                        "echo 0 >/proc/sys/net/ipv4/conf/v1b/rp_filter"], timeout=5)
        rps(self.relay, "v1b", CPU_RELAY)
        rps(self.sink, "v2b", CPU_HARNESS)
        # veth passes a UDP GSO packet on whole and the sink's stack cuts
        # it, on CPU 0; one segment at most makes the relay's own stack cut
        # it at transmit, on CPU 1, as for a NIC without UDP segmentation
        # offload.  Nothing else sent here is a GSO packet.
        self.relay.ip("link", "set", "v2a", "gso_max_segs", "1")


# -- the contenders ----------------------------------------------------------

class Contender:
    """A relay running in the relay namespace: pid of the process whose CPU
    time is its cost (None: the kernel's)."""

    def __init__(self, name, topo, tmp):
        self.name, self.topo, self.tmp = name, topo, tmp
        self.d = None
        self.pid = None
        self.version = ""

    def start(self):
        ns = self.topo.relay
        pin = placed([], CPU_RELAY, NICE)
        if self.name.startswith("relayd"):
            conf = os.path.join(self.tmp, "relayd.conf")
            with open(conf, "w") as f:
                f.write("relay from v1b group %s port %d to %s:%d dev v2a ttl 8\n"
                        % (GROUP, PORT, GROUP, PORT))
            args = [VARIANTS[self.name], "0"] if self.name in VARIANTS else []
            exe = OLD if self.name == "relayd-old" else relayd_exe()
            self.d = ns.daemon(pin + [exe, "-f", "-c", conf] + args, name=self.name)
            self.d.expect(r"1 of 1 rules running", 10)
            self.pid = self.d.pid
        elif self.name == "socat":
            # Buffers as relayd's (4 MiB; the namespace's rmem_max and
            # wmem_max are the image's 16 MiB, so they take).
            self.d = ns.daemon(pin + [
                "socat", "-u", "-b", "65536",
                "UDP4-RECV:%d,ip-add-membership=%s:v1b,rcvbuf=4194304" % (PORT, GROUP),
                "UDP4-SENDTO:%s:%d,ip-multicast-if=203.0.113.1,ip-multicast-ttl=8,"
                "ip-multicast-loop=0,sndbuf=4194304" % (GROUP, PORT)], name="socat")
            self.d.wait_udp(PORT, 10)
            time.sleep(0.2)  # the join follows the bind
            self.pid = self.d.pid
        else:
            conf = os.path.join(self.tmp, "smcroute.conf")
            with open(conf, "w") as f:
                f.write("mroute from v1b group %s to v2a\n" % GROUP)
            self.d = ns.daemon(pin + [
                smcrouted_exe(), "-n", "-f", conf, "-l", "info",
                "-P", os.path.join(self.tmp, "smcroute.pid"),
                "-u", os.path.join(self.tmp, "smcroute.sock")], name="smcrouted")
            # A (*,G) route: the kernel asks smcrouted for it at the
            # group's first datagram (the warm-up trial's).
            self.d.expect(r"Ready, waiting", 10)
            self.pid = None

    def stop(self):
        if self.d:
            self.d.stop(5)
            self.d.close()
            self.d = None


# -- one trial ---------------------------------------------------------------

def proc_cpu(pid):
    if pid is None:
        return 0.0
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def cpu_softirq(cpu):
    with open("/proc/stat") as f:
        for line in f:
            if line.startswith("cpu%d " % cpu):
                return int(line.split()[7]) / TICK
    return 0.0


def softnet_drops():
    with open("/proc/net/softnet_stat") as f:
        return sum(int(line.split()[1], 16) for line in f)


class Trial:
    def __init__(self, rate, size, g, s, cpu, softirq, in_drops, softnet):
        self.rate, self.size, self.g, self.s = rate, size, g, s
        self.sent = g["sent"]
        self.distinct = s["received"] - s["duplicated"]
        self.lost = max(0, self.sent - self.distinct)
        self.loss = self.lost / self.sent if self.sent else 1.0
        self.gen_pps = g["pps"]
        self.gen_ok = rate == 0 or self.gen_pps >= GEN_OK * rate
        # What the relay was offered: the rate, or what udpgen reached of it.
        self.offered = rate if self.gen_ok else int(self.gen_pps)
        self.pps = self.distinct / g["seconds"] if g["seconds"] else 0
        self.cpu_us = cpu / self.distinct * 1e6 if self.distinct else None
        self.softirq_us = softirq / self.distinct * 1e6 if self.distinct else None
        self.in_drops, self.softnet = in_drops, softnet
        self.sink_drops = s["socket_drops"]
        self.corrupt = s["corrupted"]

    def line(self):
        return ("rate %8s  sent %8d at %8.0f pps  got %8d  lost %7d (%.4f %%)  drops: relay in "
                "%d, sink %d, softnet %d  cpu %s us/pkt, softirq %s us/pkt%s" % (
                    self.rate or "flat", self.sent, self.gen_pps, self.distinct, self.lost,
                    100 * self.loss, self.in_drops, self.sink_drops, self.softnet,
                    fmt(self.cpu_us, 2), fmt(self.softirq_us, 2),
                    "" if self.gen_ok else "  GENERATOR SHORT"))


def fmt(v, digits=0):
    return "-" if v is None else "%.*f" % (digits, v)


def trial(topo, c, size, rate, seconds=TRIAL_S):
    count = int(rate * seconds) if rate else 0
    s_args = ["-I", "v2b", "-t", seconds * 2 + 10, "-i", 700]
    g_args = ["-I", "v1a", "-T", 8, "-s", size, "-b", 32]
    if count:
        s_args += ["-n", count]
        g_args += ["-n", count, "-r", rate, "-t", seconds * 1.5 + 1]
    else:
        g_args += ["-t", seconds]
    s = sink(topo.sink, GROUP, PORT, *s_args, cpu=CPU_HARNESS, nice=NICE)
    r0 = udp_counters(topo.relay)["Udp"].get("RcvbufErrors", 0)
    n0, p0, q0 = softnet_drops(), proc_cpu(c.pid), cpu_softirq(CPU_RELAY)
    g = gen(topo.gen, GROUP, PORT, *g_args, cpu=CPU_HARNESS, nice=NICE,
            timeout=seconds * 3 + 10)
    p1, q1 = proc_cpu(c.pid), cpu_softirq(CPU_RELAY)
    got = s.result(seconds * 2 + 15)
    r1 = udp_counters(topo.relay)["Udp"].get("RcvbufErrors", 0)
    t = Trial(rate, size, g, got, p1 - p0, q1 - q0, r1 - r0, softnet_drops() - n0)
    print("    %-10s %5d B  %s" % (c.name, size, t.line()), flush=True)
    return t


# -- the search ----------------------------------------------------------------

class Search:
    """The trials of one contender at one size, and what they tell."""

    def __init__(self, name, size):
        self.name, self.size = name, size
        self.trials = []
        self.lossfree = None    # the highest loss-free trial
        self.at01 = None        # the highest trial with <= 0.1 % lost
        self.gen_limited = False
        self.error = ""

    def add(self, t):
        """A trial where udpgen fell short still tells what the relay did
        at the rate it was offered."""
        self.trials.append(t)
        if not t.gen_ok:
            self.gen_limited = True
        if t.lost == 0 and t.rate and (not self.lossfree or t.offered > self.lossfree.offered):
            self.lossfree = t
        if t.loss <= 0.001 and t.rate and (not self.at01 or t.offered > self.at01.offered):
            self.at01 = t

    def bounds(self, threshold):
        """(lo, hi): the highest rate offered with loss <= threshold, the
        lowest with more."""
        lo = max([t.offered for t in self.trials if t.rate and
                  (t.lost == 0 if threshold == 0 else t.loss <= threshold)] or [0])
        hi = min([t.offered for t in self.trials if t.rate and
                  (t.lost > 0 if threshold == 0 else t.loss > threshold)] or [math.inf])
        return lo, hi


def next_rate(lo, hi):
    return int(math.sqrt(lo * hi)) if lo else int(hi / 2)


def search(topo, c, size):
    s = Search(c.name, size)
    probe = trial(topo, c, size, 0)
    s.probe = probe
    s.gen_max = probe.gen_pps
    # Loss-free: start a little under what came through flat out.
    first = int(min(probe.pps, probe.gen_pps) * 0.9)
    rate = max(first, 1000)
    for threshold, steps in ((0, BISECT_STEPS), (0.001, BISECT_01_STEPS)):
        for _ in range(steps):
            if rate:
                s.add(trial(topo, c, size, rate))
            lo, hi = s.bounds(threshold)
            if hi == math.inf:
                # Everything so far good: flat out lost nothing either, or
                # try up to the generator's own maximum.
                if probe.lost == 0 or lo >= probe.gen_pps * GEN_OK or not s.trials[-1].gen_ok:
                    s.gen_limited = True
                    break
                hi = int(probe.gen_pps)
            if lo and hi / lo < PRECISION:
                break
            rate = next_rate(lo, hi)
            if rate in [t.rate for t in s.trials]:
                break
        lo, hi = s.bounds(0.001)
        rate = next_rate(lo, hi if hi != math.inf else int(probe.gen_pps)) if lo else 0
    return s


# -- the report ------------------------------------------------------------------

def git_head():
    r = subprocess.run(["git", "-C", os.path.dirname(os.path.abspath(__file__)), "describe",
                        "--always", "--dirty"], capture_output=True, text=True)
    return r.stdout.strip() or "?"


def versions():
    out = {"relayd": "this tree (%s)" % git_head(), "relayd-old": OLD or "?"}
    r = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "socat"], capture_output=True,
                       text=True)
    out["socat"] = "socat " + (r.stdout.strip() or "?")
    try:
        for line in open(tern_out("bench", "peers", "versions")):
            pkg, ver = line.split()
            if pkg == "smcroute":
                out["kernel"] = "Linux %s, smcroute %s" % (platform.release(), ver)
    except OSError:
        pass
    return out


def rate_cell(t, limited):
    if t is None:
        return "none"
    return "%d%s" % (t.offered, " (gen. limit)" if limited else "")


def ratio(a, b):
    return "%.2f" % (a / b) if a and b else "-"


def report(results, soaks, topo, started, load0, names):
    load1 = os.getloadavg()
    vers = versions()
    out = ["## UDP relays compared (`make bench-relay`, tests/bench/relay.py)", "",
           "%s; %s, %d CPUs; load average %.1f at the start, %.1f at the end; %s" % (
               datetime.date.today().isoformat(), platform.release(), os.cpu_count(),
               load0[0], load1[0], "; ".join("%s: %s" % (n, vers.get(n, vers.get(n.split("-")[0], "?")))
                                             for n in names if n not in VARIANTS)),
           "",
           "One multicast stream 239.1.1.1:5000 over veth, generator (udpgen) -> relay "
           "namespace -> sink (udpsink).  udpgen and udpsink pinned to CPU 0, the relay to "
           "CPU 1, RPS: the relay namespace's ingress on CPU 1, the sink's on CPU 0.  Each "
           "trial %g s at a fixed rate (token bucket, batches of 32); bisection for the "
           "highest rate with no datagram lost, then the highest with at most 0.1 %% lost.  "
           "CPU per packet at the highest loss-free trial: the relay process's utime+stime "
           "(/proc/PID/stat, tick-based: includes softirq work that ran while it ran), "
           "and CPU 1's softirq time (/proc/stat; for kernel forwarding the whole cost)."
           % TRIAL_S, ""]
    applied = sorted(k for k in topo.sysctls if k not in topo.host_wide)
    kept = sorted(k for k in topo.host_wide if k not in topo.host_saved)
    out += ["Image sysctls applied in each namespace: %s.  Host-wide, set on the host as the "
            "image sets them for the run and put back after: %s.  Host-wide, left as the host "
            "has them: %s." % (", ".join(applied) or "none (image not built)",
                               ", ".join("%s = %s (host: %s)" % (k, topo.sysctls[k], old)
                                         for k, old in sorted(topo.host_saved.items())) or "none",
                               ", ".join("%s = %s (image: %s)" % (k, host_sysctl(k),
                                                                  topo.sysctls[k])
                                         for k in kept) or "none"), ""]
    for size in sorted({k[1] for k in results}):
        out += ["### %d-byte datagrams" % size, "",
                "| relay | max loss-free pps | pps at <= 0.1 % loss | relay process CPU "
                "us/pkt | CPU 1 softirq us/pkt | flat out: sent / relayed pps |",
                "|---|---:|---:|---:|---:|---:|"]
        for n in names:
            s = results.get((n, size))
            if s is None:
                continue
            if s.error:
                out.append("| %s | failed: %s | | | | |" % (n, s.error))
                continue
            lf = s.lossfree
            out.append("| %s | %s | %s | %s | %s | %.0f / %.0f |" % (
                n, rate_cell(lf, s.gen_limited and lf and not any(
                    t.lost for t in s.trials if t.rate and t.offered > lf.offered)),
                rate_cell(s.at01, False), fmt(lf.cpu_us if lf and n != "kernel" else None, 2),
                fmt(lf.softirq_us if lf else None, 2), s.probe.gen_pps, s.probe.pps))
        lf = {n: (results.get((n, size)).lossfree.offered if results.get((n, size)) and
                  results.get((n, size)).lossfree else 0) for n in names}
        a01 = {n: (results.get((n, size)).at01.offered if results.get((n, size)) and
                   results.get((n, size)).at01 else 0) for n in names}
        out += ["", "relayd / socat: %s loss-free, %s at 0.1 %%; relayd / kernel: %s loss-free, "
                "%s at 0.1 %%%s." % (ratio(lf.get("relayd"), lf.get("socat")),
                                     ratio(a01.get("relayd"), a01.get("socat")),
                                     ratio(lf.get("relayd"), lf.get("kernel")),
                                     ratio(a01.get("relayd"), a01.get("kernel")),
                                     "".join("; relayd / relayd %s 0: %s loss-free" % (
                                         flag, ratio(lf.get("relayd"), lf.get(v)))
                                         for v, flag in VARIANTS.items() if v in names) +
                                     ("; relayd / relayd-old: %s loss-free, %s at 0.1 %%" % (
                                         ratio(lf.get("relayd"), lf.get("relayd-old")),
                                         ratio(a01.get("relayd"), a01.get("relayd-old")))
                                      if "relayd-old" in names else "")), ""]
    if soaks:
        out += ["### %g s at 80 %% of relayd's loss-free maximum" % SOAK_S, "",
                "| relay | size | rate | sent | lost | loss | drops (relay input / sink / "
                "softnet) |", "|---|---:|---:|---:|---:|---:|---|"]
        for (n, size), t in sorted(soaks.items()):
            out.append("| %s | %d | %d | %d | %d | %.4f %% | %d / %d / %d |" % (
                n, size, t.rate, t.sent, t.lost, 100 * t.loss, t.in_drops, t.sink_drops,
                t.softnet))
        out.append("")
    out += ["### Every trial", "", "```"]
    for (n, size), s in sorted(results.items()):
        for t in s.trials and [s.probe] + s.trials or []:
            out.append("%-10s %5d B  %s" % (n, size, t.line()))
    out += ["```", "", "Whole bench: %.0f s." % (time.monotonic() - started)]
    return "\n".join(out) + "\n"


def main():
    args = sys.argv[1:]
    sizes = [64, 1400]
    if args[:1] == ["-s"] and len(args) > 1:
        try:
            sizes = [int(x) for x in args[1].split(",")]
        except ValueError:
            sys.exit(USAGE)
        args = args[2:]
    names = args or [n for n in CONTENDERS if n not in VARIANTS or has_flag(VARIANTS[n])]
    if not set(names) <= set(CONTENDERS) or not all(64 <= s <= 65507 for s in sizes):
        sys.exit(USAGE)
    if os.geteuid() != 0:
        sys.exit("relay.py: needs root (network namespaces)")
    missing = [p for p, ok in ((relayd_exe(), "relayd" in " ".join(names)),
                               (OLD or "", "relayd-old" in names),
                               (smcrouted_exe(), "kernel" in names),
                               (tern_out("tests", "udpgen"), True),
                               (tern_out("tests", "udpsink"), True)) if ok and
               not os.access(p, os.X_OK)]
    if missing:
        sys.exit("relay.py: not built: %s (make bench-relay builds them)" % ", ".join(missing))
    started, load0 = time.monotonic(), os.getloadavg()
    results, soaks = {}, {}
    tmp = tempfile.mkdtemp(prefix="tern-relay-bench-")
    with Net() as net:
        topo = Topology(net)
        try:
            apply_host(topo)
            text = run_all(topo, names, sizes, results, soaks, tmp, started, load0)
        finally:
            restore_host(topo)
    print()
    print(text)
    os.makedirs(tern_out("bench"), exist_ok=True)
    with open(tern_out("bench", "relay.md"), "w") as f:
        f.write(text)
    print("written to %s" % tern_out("bench", "relay.md"))


def run_all(topo, names, sizes, results, soaks, tmp, started, load0):
    """Every contender at every size, then relayd's soak: the report's text."""
    print("relay bench: %s; sizes %s; load average %.1f" % (
        ", ".join(names), ", ".join(map(str, sizes)), load0[0]), flush=True)
    for n in names:
        c = Contender(n, topo, tmp)
        try:
            c.start()
            warm = trial(topo, c, 256, 2000, 0.5)
            if warm.distinct == 0:
                raise NetError("relayed nothing at 2000 pps")
            for size in sizes:
                results[(n, size)] = search(topo, c, size)
            if n == "relayd":
                for size in sizes:
                    lf = results[(n, size)].lossfree
                    if lf:
                        soaks[(n, size)] = trial(topo, c, size, int(lf.offered * 0.8), SOAK_S)
        except NetError as e:
            print("relay bench: %s: %s" % (n, e), file=sys.stderr, flush=True)
            for size in sizes:
                if (n, size) not in results:
                    results[(n, size)] = Search(n, size)
                    results[(n, size)].error = str(e).splitlines()[0]
                    results[(n, size)].probe = None
        finally:
            c.stop()
    return report(results, soaks, topo, started, load0, names)


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    main()
