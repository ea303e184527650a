#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""tftp.py [-r RUNS] [SCENARIO...] -- tftpd against tftpd-hpa, atftpd and dnsmasq: one run on this
machine, the same files, the same client (tests/bench/tftpload, built by
tests/tests.mk), each server alone in a network namespace on port 69 of
192.0.2.1, the client in another.  Run by `make bench` (as root; it
needs TERN_OUT, and the peers unpacked by tests/bench/peers.sh).

Scenarios (blksize 1468 unless said; every transfer asks tsize and
timeout 1, and is checked byte by byte against the file):
  1. one client, 64 MiB, blksize 512, 1468 and 8192 (veth, MTU 9000, so
     8192 fits a frame and no server needs IP fragments);
  2. 200 concurrent lockstep clients x 4 MiB, and 1,000 x 1 MiB (same
     link);
  3. windowsize 1, 8 and 64, 2 MiB, over wire.c's link with 1 ms delay
     each way (tc netem is not in this machine's kernel), without loss and
     with 0.5 % of UDP packets lost each way.
Two yardsticks (tests/bench/tftpfloor, built by tests/tests.mk), not
peers, not in the ratios against the best peer: `floor` runs (1), the
least a lockstep server can do for one client, sleeping for each answer
(tftpd's busy polling, -Q, does better); `floor-many` (tftpfloor -m) runs
(2), the least a server can do a block for many lockstep transfers (a
socket each, one io_uring batch a turn over all of them, the file in
memory, nothing else): the kernel's own cost a block on this machine.

For each: MiB/s (all bytes / the client's wall time from the first RRQ to
the last block) and the server's CPU seconds per GiB served: the CPU of
every process and thread of the server, from a cgroup it is started in
(cgroup2 cpu.stat usage_usec, else cgroup v1 cpuacct.usage), else the
sum over its process tree of /proc/PID/stat (utime + stime of every
thread, and what the dead children it waited for used).  The servers are
interleaved run by run: each round starts every server in turn (the
order rotates every round) and runs each of its measurements once, so a
noisy minute on a shared machine lands on every server alike.  -r RUNS
rounds (default 1); each figure is the median of its rounds, with the
spread (lowest-highest) beside it.  The machine (CPU model, cores,
kernel, load average before and after) heads the table.  A table goes to
stdout and to out/bench/tftp.md.

The boot journal's cost: tftpd-nojournal is tftpd -J 0 (no journal, no
event written), interleaved like the rest, with a column tftpd /
tftpd-nojournal.  Both share a run directory on tmpfs ($TERN_RUN_DIR,
with stats/ and journal/, as /run/tern in the image), so tftpd's ring
and counters are file mappings, as they are on the box.

SCENARIO: 1, 2 or 3 (default all three).
Bounded: every run has a deadline (tftpload -d), every server start and
stop a timeout; the whole bench ends by itself.  Until tftpd is built
the peers run alone and the table says ours is missing.  TFTP_BENCH_QUICK=1
shrinks every file 16 times (to try the bench itself);
TFTP_BENCH_SERVERS=tftpd,atftpd runs only the servers named,
TFTP_BENCH_ARGS="-L 0" gives our tftpd more flags.
TFTP_BENCH_VARIANTS="L0:2=-L 0;n2=-n 2" adds tftpd with other flags as
servers of their own (tftpd-L0 in scenario 2 only, tftpd-n2 in all),
interleaved like the rest: to choose a default by measurement.  TFTP_BENCH_OLD=PATH adds another tftpd
binary (say the last commit's) as tftpd-old, with a column tftpd /
tftpd-old.
"""
import datetime
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "net", "lib"))
from netns import Daemon, Net, NetError  # noqa: E402
from tftpd import peer_server, peers_dir, tern_out, tern_tftpd  # noqa: E402

MiB = 1 << 20
QUICK = 16 if os.environ.get("TFTP_BENCH_QUICK") else 1
LOAD = tern_out("tests", "tftpload")
FLOOR = tern_out("tests", "tftpfloor")
OLD = os.environ.get("TFTP_BENCH_OLD")
# TFTP_BENCH_VARIANTS="L0:2=-L 0;n2=-n 2": tftpd-L0 (in scenario 2 only),
# tftpd-n2 (in all)
VARIANTS, VARIANT_IN = {}, {}
for _v in os.environ.get("TFTP_BENCH_VARIANTS", "").split(";"):
    if "=" in _v:
        _name, _flags = _v.split("=", 1)
        _name, _, _in = _name.strip().partition(":")
        VARIANTS["tftpd-" + _name] = _flags.split()
        VARIANT_IN["tftpd-" + _name] = set(_in) if _in else {"1", "2", "3"}
# The journal's A/B (app/tftpd/record.c): every run.
VARIANTS["tftpd-nojournal"], VARIANT_IN["tftpd-nojournal"] = ["-J", "0"], {"1", "2", "3"}
OURS = ["tftpd"] + list(VARIANTS) + (["tftpd-old"] if OLD else [])
FLOORS = ["floor", "floor-many"]
SERVERS = OURS + ["tftpd-hpa", "atftpd", "dnsmasq"] + FLOORS
# TFTP_BENCH_SERVERS=tftpd,dnsmasq: only those (to try a change quickly),
# and the variants asked for.
if os.environ.get("TFTP_BENCH_SERVERS"):
    SERVERS = [s for s in SERVERS if s in os.environ["TFTP_BENCH_SERVERS"].split(",") or
               s in VARIANTS]
PEERS = [s for s in SERVERS if s not in OURS + FLOORS]
RUNS = 1

# The measurements: key -> (scenario, label, clients, file, blksize,
# windowsize, loss_ppm, deadline s).  Files: f64, f4, f2, f1 (MiB).
MEASURES = {}
for _b in (512, 1468, 8192):
    MEASURES[("1", _b)] = ("1", "(1) 1 client, %g MiB, blksize %d" % (64 / QUICK, _b),
                           1, "64", _b, None, 0, 180)
MEASURES[("2", 200)] = ("2", "(2) 200 clients x %g MiB, blksize 1468" % (4 / QUICK),
                        200, "4", 1468, None, 0, 240)
MEASURES[("2", 1000)] = ("2", "(2) 1,000 clients x %g MiB, blksize 1468" % (1 / QUICK),
                         1000, "1", 1468, None, 0, 240)
for _loss in (0, 5000):
    for _w in (1, 8, 64):
        MEASURES[("3", _loss, _w)] = (
            "3", "(3) windowsize %d, 1 ms each way%s, %g MiB" % (
                _w, ", 0.5 % loss" if _loss else "", 2 / QUICK), 1, "2", 1468, _w, _loss, 150)


def serves(name, key):
    """Whether server name takes part in measurement key: the floors
    only in their scenario."""
    if name == "floor":
        return key[0] == "1"
    if name == "floor-many":
        return key[0] == "2"
    return key[0] in VARIANT_IN.get(name, key[0])


def our_argv(root, exe=None, extra=()):
    # -C: 200 transfers come from one client address here; -u root: the
    # peers run as root too.  No -v: one log line per transfer only.
    # TFTP_BENCH_ARGS: more flags, for an A/B run (say "-L 0").
    return [exe or tern_tftpd(), "-r", root, "-a", "192.0.2.1", "-p", "69", "-C", "4000",
            "-c", "4000", "-u", "root"] + os.environ.get("TFTP_BENCH_ARGS", "").split() + \
        list(extra)


def our_env():
    """Our tftpd's environment: a run directory of its own on tmpfs, as
    /run/tern is in the image, so its counters and its journal are shared
    file mappings (without one they are private memory)."""
    global RUN_DIR
    if RUN_DIR is None:
        RUN_DIR = tempfile.mkdtemp(prefix="tern-bench-run-",
                                   dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
        for d in ("stats", "journal"):
            os.mkdir(os.path.join(RUN_DIR, d))
    return dict(os.environ, TERN_RUN_DIR=RUN_DIR)


RUN_DIR = None


def server_spec(name, root):
    if name in FLOORS:  # yardsticks: floor serves f64 whatever is asked
        if not os.access(FLOOR, os.X_OK):
            return None
        return ([FLOOR, "192.0.2.1", "69", os.path.join(root, "f64")], None) \
            if name == "floor" else ([FLOOR, "-m", "192.0.2.1", "69"] +
                                     [os.path.join(root, "f" + f) for f in ("4", "1")], None)
    if name == "tftpd":
        return (our_argv(root), our_env()) if os.access(tern_tftpd(), os.X_OK) else None
    if name in VARIANTS:
        return (our_argv(root, extra=VARIANTS[name]), our_env()) \
            if os.access(tern_tftpd(), os.X_OK) else None
    if name == "tftpd-old":
        return (our_argv(root, OLD), our_env()) if os.access(OLD, os.X_OK) else None
    kind = {"tftpd-hpa": "hpa", "atftpd": "atftpd", "dnsmasq": "dnsmasq"}[name]
    return peer_server(kind, None, root, "192.0.2.1", max_transfers=2000)


def versions():
    out = {"tftpd": "this tree (%s)" % git_head()}
    for v, flags in VARIANTS.items():
        out[v] = "tftpd " + " ".join(flags)
    out["floor"] = "(tftpfloor)"
    out["floor-many"] = "(tftpfloor -m)"
    if OLD:
        out["tftpd-old"] = OLD
    try:
        for line in open(os.path.join(peers_dir(), "versions")):
            pkg, ver = line.split()
            out[{"tftpd-hpa": "tftpd-hpa", "atftpd": "atftpd"}.get(pkg, pkg)] = ver
    except OSError:
        pass
    r = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "dnsmasq-base"],
                       capture_output=True, text=True)
    out["dnsmasq"] = r.stdout.strip() or "?"
    return out


def git_head():
    r = subprocess.run(["git", "-C", os.path.dirname(os.path.abspath(__file__)), "describe",
                        "--always", "--dirty"], capture_output=True, text=True)
    return r.stdout.strip() or "?"


def machine():
    """What the figures were measured on: CPU model, cores, kernel."""
    model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return "%s, %d cores, Linux %s" % (model, os.cpu_count(), platform.release())


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


class Result:
    """One tftpload run: its key=value fields, the server's CPU seconds;
    n transfers, windowsize asked."""

    def __init__(self, fields, cpu, n=1, windowsize=None, note="", error=""):
        self.f = fields
        self.cpu = cpu
        self.n = n
        self.note = note
        self.error = error
        # windowsize asked but not granted: the server ran lockstep
        self.lockstep = bool(windowsize and windowsize > 1 and
                             fields.get("windowsize") in ("0", "1"))

    @property
    def ok(self):
        return not self.error and self.f.get("failed") == "0"

    @property
    def mibps(self):
        return float(self.f.get("mibps", 0)) if self.ok else None

    @property
    def cpu_per_gib(self):
        b = int(self.f.get("bytes", 0))
        return self.cpu / (b / (1 << 30)) if self.ok and b and self.cpu is not None else None


def proc_tree_cpu(root_pid):
    """CPU seconds of root_pid and every live descendant, all their
    threads (/proc/PID/stat sums a process's threads), with the dead
    children each has waited for (cutime, cstime)."""
    tick = os.sysconf("SC_CLK_TCK")
    stats = {}
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % p) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            stats[int(p)] = (int(fields[1]), sum(int(x) for x in fields[11:15]))
        except (OSError, IndexError, ValueError):
            pass
    total, todo = 0, [root_pid]
    while todo:
        pid = todo.pop()
        total += stats.get(pid, (0, 0))[1]
        todo.extend(c for c, (ppid, _) in stats.items() if ppid == pid)
    return total / tick


class CpuMeter:
    """CPU time of a server and everything it forks or spawns: a cgroup of
    its own, made before the server starts and entered by the server's
    first process before it execs (so that a worker forked at once is in
    it too); a server that forks a child per transfer and ignores SIGCHLD
    (tftpd-hpa) leaves no trace in /proc/PID/stat's cutime.  Without a
    writable cgroup, proc_tree_cpu."""

    def __init__(self):
        self.dir = None
        self.pid = None
        for fstype, opt, read in (("cgroup2", None, self._v2), ("cgroup", "cpuacct", self._v1)):
            base = self._mount(fstype, opt)
            if not base:
                continue
            path = os.path.join(base, "tern-bench-%d-%d" % (os.getpid(), time.monotonic_ns()))
            try:
                os.mkdir(path)
                self.dir, self._read = path, read
                read()
                return
            except (OSError, KeyError, ValueError):
                self.close()
        self._read = None

    def start(self, ns, argv, name, env):
        """A Daemon of argv in namespace ns, its first process in the
        cgroup before it execs `ip netns exec` (which mounts a sysfs of
        its own, hiding the cgroup's)."""
        meter, proxy = self, self.InCgroup(ns, self.dir)
        d = Daemon(proxy if self.dir else ns, argv, name, env)
        ns.net.daemons.append(d)
        meter.pid = d.pid
        return d

    class InCgroup:
        """A namespace whose commands enter cgroup dir first."""

        def __init__(self, ns, dir):
            self._ns, self._dir = ns, dir

        def __getattr__(self, attr):
            return getattr(self._ns, attr)

        def argv(self, argv):
            return ["sh", "-c", 'echo $$ >"$0/cgroup.procs" && exec "$@"', self._dir] + \
                self._ns.argv(argv)

    def read(self):
        return self._read() if self._read else proc_tree_cpu(self.pid)

    @property
    def how(self):
        return {self._v2: "a cgroup2 (cpu.stat)", self._v1: "a cgroup (cpuacct)"}.get(
            self._read, "/proc (process tree)")

    @staticmethod
    def _mount(fstype, opt):
        with open("/proc/self/mounts") as f:
            for line in f:
                _, where, kind, opts = line.split()[:4]
                if kind == fstype and (opt is None or opt in opts.split(",")):
                    return where
        return None

    def _v2(self):
        with open(os.path.join(self.dir, "cpu.stat")) as f:
            return int(dict(line.split() for line in f)["usage_usec"]) / 1e6

    def _v1(self):
        with open(os.path.join(self.dir, "cpuacct.usage")) as f:
            return int(f.read()) / 1e9

    def close(self):
        """After the server is gone: remove the cgroup."""
        for _ in range(50):  # its last processes may take a moment to go
            if not self.dir:
                return
            try:
                os.rmdir(self.dir)
                self.dir = None
            except OSError:
                time.sleep(0.05)
        self.dir = None


def wait_children_gone(d, timeout=3):
    """tftpd-hpa forks a child per transfer: its CPU counts once reaped."""
    deadline = time.monotonic() + timeout
    while d.children() and time.monotonic() < deadline:
        time.sleep(0.02)


def run_once(cli, d, files, key):
    _, _, n, f, blksize, windowsize, _, deadline = MEASURES[key]
    argv = [LOAD, "-n", str(n), "-b", str(blksize), "-T", "-t", "1", "-k", files[f],
            "-d", str(deadline), "-R", "10"]
    if windowsize:
        argv += ["-w", str(windowsize)]
    cpu0 = d.meter.read()
    r = cli.run(argv + ["192.0.2.1", "69", "f" + f], timeout=deadline + 15)
    wait_children_gone(d)
    cpu = d.meter.read() - cpu0
    fields = dict(re.findall(r"(\w+)=(\S+)", r.stdout))
    err = "" if r.returncode == 0 else (r.stderr.strip().splitlines() or
                                        ["exit %r" % r.returncode])[0]
    return Result(fields, cpu, n, windowsize, error=err)


def with_server(srv, name, root, runs):
    """Start server name in srv (inside its cgroup), call runs(daemon),
    stop it.  None if the server is not there; {} if it did not start."""
    spec = server_spec(name, root)
    if not spec:
        return None
    meter = CpuMeter()
    d = meter.start(srv, spec[0], name, spec[1])
    d.meter = meter
    try:
        d.wait_udp(69, 10)
        return runs(d)
    except NetError as e:
        print("bench: %s did not start: %s" % (name, e), file=sys.stderr)
        return {}
    finally:
        d.stop(5)
        d.close()
        meter.close()


def one_round(tmp, files, keys, order, results):
    """Every server of order once, each on the link its measurements
    need; their Results appended to results[server][key]."""
    groups = {}
    for k in keys:  # one link per (kind, loss): (1)+(2) on veth, (3) per loss on wire.c
        groups.setdefault(("veth",) if k[0] in "12" else ("wire", MEASURES[k][6]), []).append(k)
    for group, gkeys in groups.items():
        with Net() as net:
            srv, cli = net.ns("srv"), net.ns("cli")
            if group[0] == "veth":
                net.veth(srv, cli, mtu=9000)
            else:
                net.wire(srv, cli, delay_us=1000, loss_ppm=group[1], seed=7)
            for name in order:
                mine = [k for k in gkeys if serves(name, k)]
                if not mine:
                    continue

                def runs(d):
                    out = {}
                    for k in mine:
                        w = MEASURES[k][5]
                        prev = out.get(k[:2] + (8,)) if k[0] == "3" and w == 64 else None
                        if prev and prev.ok and prev.lockstep:
                            out[k] = Result(prev.f, prev.cpu, 1, w,
                                            note="(as windowsize 8: not granted)")
                        else:
                            out[k] = run_once(cli, d, files, k)
                        report_one(name, MEASURES[k][1], out[k])
                    return out
                for k, r in (with_server(srv, name, tmp, runs) or {}).items():
                    results.setdefault(name, {}).setdefault(k, []).append(r)


class Summary:
    """The rounds of one (server, measurement): medians and spread of the
    rounds that succeeded, and how many failed."""

    def __init__(self, rs):
        self.rs = [r for r in rs if r.ok]
        self.failed = [r for r in rs if not r.ok]
        self.ok = bool(self.rs)
        self.lockstep = any(r.lockstep for r in self.rs)
        self.n = rs[0].n if rs else 0

    def values(self, metric):
        return [getattr(r, metric) for r in self.rs if getattr(r, metric) is not None]

    def median(self, metric):
        v = self.values(metric)
        return statistics.median(v) if v else None


def report_one(name, what, r):
    if r.ok:
        print("  %-14s %-48s %9.2f MiB/s %8.2f CPU s/GiB  (blksize %s, windowsize %s)%s"
              % (name, what, r.mibps, r.cpu_per_gib or 0, r.f.get("blksize"),
                 r.f.get("windowsize"), " " + r.note if r.note else ""), flush=True)
    else:
        print("  %-14s %-48s FAILED: %s %s" % (name, what, r.error,
                                               " ".join("%s=%s" % kv for kv in r.f.items())),
              flush=True)


def cell(s, metric):
    if s is None:
        return "n/a"
    if not s.ok:
        r = s.failed[0]
        return "failed (%s of %d ok)" % (r.f.get("ok", "0"), r.n)
    m = s.median(metric)
    if m is None:
        return "?"
    v = s.values(metric)
    text = "%.1f" % m if len(v) == 1 else "%.1f (%.1f–%.1f)" % (m, min(v), max(v))
    if s.failed:
        text += ", %d of %d rounds failed" % (len(s.failed), len(s.failed) + len(s.rs))
    return text + "*" if s.lockstep else text


def ratio_to(ours, others, metric):
    vals = [o.median(metric) for o in others if o is not None and o.ok]
    vals = [v for v in vals if v is not None]
    if ours is None or not ours.ok or not vals or ours.median(metric) is None:
        return "-"
    best = max(vals) if metric == "mibps" else min(vals)
    return "%.2f" % (ours.median(metric) / best) if best else "-"


def table(title, keys, summaries, metric):
    floors = [f for f in FLOORS if f in SERVERS]
    cols = ["tftpd / best peer"] + (["tftpd / floor"] if floors else []) + \
        (["tftpd / tftpd-old"] if OLD else []) + \
        (["tftpd / tftpd-nojournal"] if "tftpd-nojournal" in SERVERS else [])
    lines = ["### " + title, "",
             "| scenario | " + " | ".join(SERVERS) + " | " + " | ".join(cols) + " |",
             "|---|" + "---:|" * (len(SERVERS) + len(cols))]
    for key in keys:
        rows = {s: (summaries.get(s) or {}).get(key) for s in SERVERS}
        cells = [cell(rows[s], metric) if serves(s, key) else "" for s in SERVERS]
        ratios = [ratio_to(rows.get("tftpd"), [rows[p] for p in PEERS], metric)]
        if floors:
            fl = [rows[f] for f in floors if serves(f, key)]
            ratios.append(ratio_to(rows.get("tftpd"), fl, metric) if fl else "")
        if OLD:
            ratios.append(ratio_to(rows.get("tftpd"), [rows.get("tftpd-old")], metric))
        if "tftpd-nojournal" in SERVERS:
            ratios.append(ratio_to(rows.get("tftpd"), [rows.get("tftpd-nojournal")], metric))
        lines.append("| %s | %s | %s |" % (MEASURES[key][1], " | ".join(cells),
                                            " | ".join(ratios)))
    return lines


def main():
    global RUNS
    args = sys.argv[1:]
    if args[:1] == ["-r"] and len(args) > 1 and args[1].isdigit() and int(args[1]) > 0:
        RUNS, args = int(args[1]), args[2:]
    wanted = set(args) or {"1", "2", "3"}
    if not wanted <= {"1", "2", "3"}:
        sys.exit("usage: tftp.py [-r RUNS] [1] [2] [3]")
    if os.geteuid() != 0:
        sys.exit("tftp.py: needs root (network namespaces)")
    if not os.access(LOAD, os.X_OK):
        sys.exit("tftp.py: %s is not built (make %s)" % (LOAD, LOAD))
    # 1,000 transfers are 1,000 sockets: no server is to fail for want of
    # descriptors (dnsmasq does not raise its own limit)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 65536), hard))
    started = time.monotonic()
    load_before = loadavg()
    tmp = tempfile.mkdtemp(prefix="tern-bench-")
    os.chmod(tmp, 0o755)
    files = {}
    keys = [k for k in MEASURES if k[0] in wanted]
    results = {}
    try:
        for key, size in (("64", 64 * MiB // QUICK), ("4", 4 * MiB // QUICK),
                          ("2", 2 * MiB // QUICK), ("1", 1 * MiB // QUICK)):
            files[key] = os.path.join(tmp, "f" + key)
            with open(files[key], "wb") as f:
                f.write(os.urandom(size))
            os.chmod(files[key], 0o644)
        have = [s for s in SERVERS if server_spec(s, tmp)]
        probe = CpuMeter()
        probe.close()
        print("tftp bench: %s; servers %s%s; CPU from %s" % (
            machine(), ", ".join(have), "" if "tftpd" in have else
            " (tftpd is not built yet: peers only)", probe.how), flush=True)
        for i in range(RUNS):
            order = have[i % len(have):] + have[:i % len(have)] if have else []
            print("round %d of %d: %s" % (i + 1, RUNS, ", ".join(order)), flush=True)
            one_round(tmp, files, keys, order, results)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if RUN_DIR:
            shutil.rmtree(RUN_DIR, ignore_errors=True)

    summaries = {s: ({k: Summary(v) for k, v in results[s].items()}
                     if results.get(s) is not None else None) for s in SERVERS}
    vers = versions()
    out = ["## TFTP servers compared (`make bench`, tests/bench/tftp.py)", "",
           "%s; %s; load average %s before, %s after; %s" % (
               datetime.date.today().isoformat(), machine(), load_before, loadavg(),
               ", ".join("%s %s" % (s, vers.get(s, "?")) for s in SERVERS)),
           "", "Client: tests/bench/tftpload (tsize, timeout 1, byte-checked); server "
           "alone on 192.0.2.1:69 in a network namespace.  (1), (2): veth, MTU 9000.  "
           "(3): wire.c, blksize 1468.  * windowsize not granted: lockstep.  floor, "
           "floor-many: tests/bench/tftpfloor, the least a server can do for one "
           "lockstep client (sleeping for each answer) and for many (one io_uring "
           "batch a turn over every transfer's socket); not peers, not in the "
           "best-peer ratio.  Servers interleaved run by run; median of %d round%s "
           "(lowest–highest).  Flags: %s."
           % (RUNS, "" if RUNS == 1 else "s",
              " ".join(our_argv("ROOT")[1:]) or "none"), ""]
    if summaries.get("tftpd") is None:
        out += ["**tftpd is not built yet** (%s): the peers only." % tern_tftpd(), ""]
    out += table("Throughput, MiB/s (higher is better)", keys, summaries, "mibps")
    out += [""] + table("Server CPU, seconds per GiB served (lower is better)", keys,
                        summaries, "cpu_per_gib")
    out += ["", "Whole bench: %.0f s." % (time.monotonic() - started)]
    text = "\n".join(out) + "\n"
    print()
    print(text)
    os.makedirs(tern_out("bench"), exist_ok=True)
    with open(tern_out("bench", "tftp.md"), "w") as f:
        f.write(text)
    print("written to %s" % tern_out("bench", "tftp.md"))


main()
