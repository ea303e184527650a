#!/usr/bin/python3
"""tftp.py [-r RUNS] [SCENARIO...] -- tftpd against tftpd-hpa, atftpd and dnsmasq: one run on this
machine, the same files, the same client (tests/bench/tftpload, built by
tests/tests.mk), each server alone in a network namespace on port 69 of
192.0.2.1, the client in another.  Run by `make bench` (as root; it
needs TERN_OUT, and the peers unpacked by tests/bench/peers.sh).

Scenarios (blksize 1468 unless said; every transfer asks tsize and
timeout 1, and is checked byte by byte against the file):
  1. one client, 64 MiB, blksize 512, 1468 and 8192 (veth, MTU 9000, so
     8192 fits a frame and no server needs IP fragments);
  2. 200 concurrent clients x 4 MiB (same link);
  3. windowsize 1, 8 and 64, 2 MiB, over wire.c's link with 1 ms delay
     each way (tc netem is not in this machine's kernel), without loss and
     with 0.5 % of UDP packets lost each way.
floor (tests/bench/tftpfloor, built by tests/tests.mk) runs (1) too: the
least a lockstep server can do, what a server that sleeps for each
answer gets (tftpd's busy polling, -Q, does better); a yardstick beside
the peers, not one of them.
For each: MiB/s (all bytes / the client's wall time from the first RRQ to
the last block), the server's CPU seconds per GiB served (utime + stime
of its whole process tree, /proc/PID/stat, before and after), and ours
against the best peer.  A table goes to stdout and to out/bench/tftp.md.

SCENARIO: 1, 2 or 3 (default all three).  -r RUNS: each measurement
RUNS times (default 1), the run of median MiB/s reported (single runs
of (3) with loss vary most: one lost last block of a window costs a
whole timeout).
Bounded: every run has a deadline (tftpload -d), every server start and
stop a timeout; the whole bench ends by itself.  Until tftpd is built
the peers run alone and the table says ours is missing.  TFTP_BENCH_QUICK=1
shrinks every file 16 times (to try the bench itself);
TFTP_BENCH_SERVERS=tftpd,atftpd runs only the servers named,
TFTP_BENCH_ARGS="-L 0" gives our tftpd more flags.  TFTP_BENCH_OLD=PATH
adds another tftpd binary (say the last commit's) as tftpd-old, run with
the same flags right after tftpd: an A/B run of two builds in one bench,
with a column tftpd / tftpd-old; with -r RUNS the scenario runs RUNS
rounds, the two taking turns, each figure the median of its rounds.
"""
import datetime
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "net", "lib"))
from netns import Net, NetError  # noqa: E402
from tftpd import peer_server, peers_dir, tern_out, tern_tftpd  # noqa: E402

MiB = 1 << 20
QUICK = 16 if os.environ.get("TFTP_BENCH_QUICK") else 1
LOAD = tern_out("tests", "tftpload")
FLOOR = tern_out("tests", "tftpfloor")
OLD = os.environ.get("TFTP_BENCH_OLD")
SERVERS = ["tftpd"] + (["tftpd-old"] if OLD else []) + ["tftpd-hpa", "atftpd", "dnsmasq", "floor"]
# TFTP_BENCH_SERVERS=tftpd,dnsmasq: only those (to try a change quickly).
if os.environ.get("TFTP_BENCH_SERVERS"):
    SERVERS = [s for s in SERVERS if s in os.environ["TFTP_BENCH_SERVERS"].split(",")]
PEERS = [s for s in SERVERS if s not in ("tftpd", "tftpd-old", "floor")]
RUNS = 1


def our_argv(root, exe=None):
    # -C: 200 transfers come from one client address here; -u root: the
    # peers run as root too.  No -v: one log line per transfer only.
    # TFTP_BENCH_ARGS: more flags, for an A/B run (say "-L 0").
    return [exe or tern_tftpd(), "-r", root, "-a", "192.0.2.1", "-p", "69", "-C", "4000",
            "-c", "4000", "-u", "root"] + os.environ.get("TFTP_BENCH_ARGS", "").split()


def server_spec(name, root):
    if name == "floor":  # a yardstick, scenario 1 only: it serves f64 whatever is asked
        return ([FLOOR, "192.0.2.1", "69", os.path.join(root, "f64")], None) \
            if os.access(FLOOR, os.X_OK) else None
    if name == "tftpd":
        return (our_argv(root), None) if os.access(tern_tftpd(), os.X_OK) else None
    if name == "tftpd-old":
        return (our_argv(root, OLD), None) if os.access(OLD, os.X_OK) else None
    kind = {"tftpd-hpa": "hpa", "atftpd": "atftpd", "dnsmasq": "dnsmasq"}[name]
    return peer_server(kind, None, root, "192.0.2.1", max_transfers=2000)


def versions():
    out = {"tftpd": "this tree (%s)" % git_head()}
    out["floor"] = "(tests/bench/tftpfloor.c)"
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


class CpuMeter:
    """CPU time of a server and everything it forks, from a cgroup of its
    own (cgroup2 cpu.stat usage_usec, else cgroup v1 cpuacct.usage): a
    server that forks a child per transfer and ignores SIGCHLD (tftpd-hpa)
    leaves no trace in /proc/PID/stat's cutime.  Without a writable
    cgroup, the /proc sums of the process tree (Daemon.cpu_seconds)."""

    def __init__(self, d):
        self.d = d
        self.dir = None
        for fstype, opt, read in (("cgroup2", None, self._v2), ("cgroup", "cpuacct", self._v1)):
            base = self._mount(fstype, opt)
            if not base:
                continue
            path = os.path.join(base, "tern-bench-%d-%d" % (os.getpid(), d.pid))
            try:
                os.mkdir(path)
                with open(os.path.join(path, "cgroup.procs"), "w") as f:
                    f.write(str(d.pid))
                self.dir, self.read = path, read
                read()
                return
            except OSError:
                self.close()
        self.read = d.cpu_seconds

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


def wait_children_gone(d, timeout=3):
    """tftpd-hpa forks a child per transfer: its CPU counts once reaped."""
    deadline = time.monotonic() + timeout
    while d.children() and time.monotonic() < deadline:
        time.sleep(0.02)


def median(results):
    """The Result of median MiB/s, or the first that failed."""
    failed = [r for r in results if not r.ok]
    if failed:
        return failed[0]
    return sorted(results, key=lambda r: r.mibps)[len(results) // 2]


def run_load(cli, d, ref, name, n, blksize, windowsize=None, deadline=120):
    """RUNS runs of run_once: their median."""
    return median([run_once(cli, d, ref, name, n, blksize, windowsize, deadline)
                   for _ in range(RUNS)])


def rounds(scenario, *args):
    """scenario(*args); with TFTP_BENCH_OLD, RUNS rounds of it instead, each
    server once a round, so that tftpd and tftpd-old take turns on the same
    machine (a busy machine drifts over a server's whole series): the
    median of each measurement."""
    global RUNS
    if not OLD or RUNS == 1:
        return scenario(*args)
    n, RUNS = RUNS, 1
    try:
        parts = [scenario(*args) for _ in range(n)]
    finally:
        RUNS = n
    out = {}
    for name in parts[0]:
        if any(p.get(name) is None for p in parts):
            out[name] = None
            continue
        out[name] = {k: median([p[name][k] for p in parts if k in p[name]])
                     for k in parts[0][name]}
    return out


def run_once(cli, d, ref, name, n, blksize, windowsize, deadline):
    argv = [LOAD, "-n", str(n), "-b", str(blksize), "-T", "-t", "1", "-k", ref,
            "-d", str(deadline), "-R", "10"]
    if windowsize:
        argv += ["-w", str(windowsize)]
    cpu0 = d.meter.read()
    r = cli.run(argv + ["192.0.2.1", "69", name], timeout=deadline + 15)
    wait_children_gone(d)
    cpu = d.meter.read() - cpu0
    f = dict(re.findall(r"(\w+)=(\S+)", r.stdout))
    err = "" if r.returncode == 0 else (r.stderr.strip().splitlines() or ["exit %r" % r.returncode])[0]
    return Result(f, cpu, n, windowsize, error=err)


def with_server(net, srv, name, root, runs):
    """Start server name in srv, call runs(daemon) -> {key: Result}, stop it."""
    spec = server_spec(name, root)
    if not spec:
        return None
    d = srv.daemon(spec[0], name=name, env=spec[1])
    d.meter = CpuMeter(d)
    try:
        d.wait_udp(69, 10)
        return runs(d)
    except NetError as e:
        print("bench: %s did not start: %s" % (name, e), file=sys.stderr)
        return {}
    finally:
        d.stop(5)
        d.close()
        d.meter.close()


def scenario_fast(tmp, files, wanted):
    """(1) and (2) on a veth link with MTU 9000."""
    results = {}
    with Net() as net:
        srv, cli = net.ns("srv"), net.ns("cli")
        net.veth(srv, cli, mtu=9000)
        for name in SERVERS:
            def runs(d):
                out = {}
                for b in (512, 1468, 8192) if "1" in wanted else ():
                    out[("1", b)] = run_load(cli, d, files["64"], "f64", 1, b, deadline=180)
                    report_one(name, "1: 1 client, %g MiB, blksize %d" % (64 / QUICK, b),
                               out[("1", b)])
                if "2" in wanted and name != "floor":
                    out[("2",)] = run_load(cli, d, files["4"], "f4", 200, 1468, deadline=240)
                    report_one(name, "2: 200 clients x %g MiB" % (4 / QUICK), out[("2",)])
                return out
            results[name] = with_server(net, srv, name, tmp, runs)
    return results


def scenario_window(tmp, files, loss_ppm):
    """(3) over wire.c: 1 ms each way, loss_ppm of UDP packets lost."""
    results = {}
    with Net() as net:
        srv, cli = net.ns("srv"), net.ns("cli")
        net.wire(srv, cli, delay_us=1000, loss_ppm=loss_ppm, seed=7)
        for name in [s for s in SERVERS if s != "floor"]:
            def runs(d):
                out = {}
                for w in (1, 8, 64):
                    prev = out.get(("3", loss_ppm, 8))
                    if w == 64 and prev and prev.ok and prev.lockstep:
                        out[("3", loss_ppm, w)] = Result(prev.f, prev.cpu, 1, w,
                                                         note="(as windowsize 8: not granted)")
                    else:
                        out[("3", loss_ppm, w)] = run_load(cli, d, files["2"], "f2", 1, 1468,
                                                           windowsize=w, deadline=150)
                    report_one(name, "3: windowsize %d, 1 ms%s" % (
                        w, ", 0.5 % loss" if loss_ppm else ""), out[("3", loss_ppm, w)])
                return out
            results[name] = with_server(net, srv, name, tmp, runs)
    return results


def report_one(name, what, r):
    if r.ok:
        print("  %-10s %-40s %9.2f MiB/s %8.2f CPU s/GiB  (blksize %s, windowsize %s)%s"
              % (name, what, r.mibps, r.cpu_per_gib or 0, r.f.get("blksize"),
                 r.f.get("windowsize"), " " + r.note if r.note else ""), flush=True)
    else:
        print("  %-10s %-40s FAILED: %s %s" % (name, what, r.error,
                                               " ".join("%s=%s" % kv for kv in r.f.items())),
              flush=True)


def cell(r, metric):
    if r is None:
        return "n/a"
    if not r.ok:
        return "failed (%s of %d ok)" % (r.f.get("ok", "0"), r.n)
    v = getattr(r, metric)
    s = "%.1f" % v if v is not None else "?"
    return s + "*" if r.lockstep else s


def ratio(rows, metric):
    ours = rows.get("tftpd")
    peers = [rows[p] for p in PEERS if rows.get(p) is not None and rows[p].ok]
    vals = [getattr(p, metric) for p in peers if getattr(p, metric) is not None]
    if ours is None or not ours.ok or not vals or getattr(ours, metric) is None:
        return "-"
    best = max(vals) if metric == "mibps" else min(vals)
    return "%.2f" % (getattr(ours, metric) / best) if best else "-"


def ratio_old(rows, metric):
    ours, old = rows.get("tftpd"), rows.get("tftpd-old")
    if not (ours and ours.ok and old and old.ok) or not getattr(old, metric):
        return "-"
    return "%.2f" % (getattr(ours, metric) / getattr(old, metric))


def table(title, keys, labels, all_results, metric):
    extra = " tftpd / tftpd-old |" if OLD else ""
    lines = ["### " + title, "",
             "| scenario | " + " | ".join(SERVERS) + " | tftpd / best peer |" + extra,
             "|---|" + "---:|" * (len(SERVERS) + 1 + bool(OLD))]
    for key, label in zip(keys, labels):
        rows = {s: (all_results.get(s) or {}).get(key) for s in SERVERS}
        lines.append("| %s | %s | %s |" % (label, " | ".join(cell(rows[s], metric)
                                                              for s in SERVERS),
                                           ratio(rows, metric)) +
                     (" %s |" % ratio_old(rows, metric) if OLD else ""))
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
    started = time.monotonic()
    tmp = tempfile.mkdtemp(prefix="tern-bench-")
    os.chmod(tmp, 0o755)
    files = {}
    try:
        for key, size in (("64", 64 * MiB // QUICK), ("4", 4 * MiB // QUICK),
                          ("2", 2 * MiB // QUICK)):
            files[key] = os.path.join(tmp, "f" + key)
            with open(files[key], "wb") as f:
                f.write(os.urandom(size))
            os.chmod(files[key], 0o644)
        have = [s for s in SERVERS if server_spec(s, tmp)]
        print("tftp bench: servers %s%s" % (", ".join(have), "" if "tftpd" in have else
                                             " (tftpd is not built yet: peers only)"),
              flush=True)
        all_results = {s: {} for s in SERVERS}
        parts = []
        if wanted & {"1", "2"}:
            parts.append(rounds(scenario_fast, tmp, files, wanted))
        if "3" in wanted:
            parts += [rounds(scenario_window, tmp, files, 0),
                      rounds(scenario_window, tmp, files, 5000)]
        for part in parts:
            for s, res in part.items():
                if res is not None:
                    all_results[s].update(res)
                else:
                    all_results[s] = None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    rows = [(("1", b), "(1) 1 client, %g MiB, blksize %d" % (64 / QUICK, b))
            for b in (512, 1468, 8192)] + \
        [(("2",), "(2) 200 clients x %g MiB, blksize 1468" % (4 / QUICK))] + \
        [(("3", loss, w), "(3) windowsize %d, 1 ms each way%s, %g MiB"
          % (w, ", 0.5 % loss" if loss else "", 2 / QUICK))
         for loss in (0, 5000) for w in (1, 8, 64)]
    rows = [(k, label) for k, label in rows if k[0] in wanted]
    keys, labels = [k for k, _ in rows], [label for _, label in rows]
    vers = versions()
    out = ["## TFTP servers compared (`make bench`, tests/bench/tftp.py)", "",
           "%s; %s, %d CPUs; %s" % (datetime.date.today().isoformat(), platform.release(),
                                    os.cpu_count(), ", ".join(
                                        "%s %s" % (s, vers.get(s, "?")) for s in SERVERS)),
           "", "Client: tests/bench/tftpload (tsize, timeout 1, byte-checked); server "
           "alone on 192.0.2.1:69 in a network namespace.  (1), (2): veth, MTU 9000.  "
           "(3): wire.c, blksize 1468.  * windowsize not granted: lockstep.  floor: "
           "tests/bench/tftpfloor, the least a lockstep server can do (one send and one "
           "blocking receive a block, the file in memory, one transfer at a time): what "
           "a server that sleeps for each answer gets in (1); not a peer, not in the "
           "ratios.  "
           "Median of %d run%s each." % (RUNS, "" if RUNS == 1 else "s"), ""]
    if all_results.get("tftpd") is None:
        out += ["**tftpd is not built yet** (%s): the peers only." % tern_tftpd(), ""]
    out += table("Throughput, MiB/s (higher is better)", keys, labels, all_results, "mibps")
    out += [""] + table("Server CPU, seconds per GiB served (lower is better)", keys, labels,
                        all_results, "cpu_per_gib")
    out += ["", "Whole bench: %.0f s." % (time.monotonic() - started)]
    text = "\n".join(out) + "\n"
    print()
    print(text)
    os.makedirs(tern_out("bench"), exist_ok=True)
    with open(tern_out("bench", "tftp.md"), "w") as f:
        f.write(text)
    print("written to %s" % tern_out("bench", "tftp.md"))


main()
