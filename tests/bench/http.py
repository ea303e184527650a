#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""http.py [-r RUNS] [SCENARIO...] -- httpd against nginx and lighttpd: one run on this machine,
the same files, the same client (tests/bench/httpload, built by tests/tests.mk), the three
servers started side by side (each on its own port) and measured in turn, run by run, on two
links: loopback inside one network namespace, and a veth pair between two namespaces
(192.0.2.1, the server; 192.0.2.2, the client).  Run by `make bench` (as root; it needs
TERN_OUT, and the peers unpacked by tests/bench/peers.sh).

Scenarios:
  1. one client, one 256 MiB file: MiB/s;
  2. 200 concurrent clients x 16 MiB (one request a connection): aggregate MiB/s, and the
     server's CPU seconds per GiB;
  3. a 1 KiB iPXE script, 64 keep-alive connections, 40,000 requests: requests/s, and the
     server's CPU microseconds a request.
Every response is checked (status 200, Content-Length, every byte counted); the files are
fetched once by each server before its first measured run (page cache, open-file caches).
RUNS rounds (default 3): in each, every server runs the scenario once, the order rotated from
round to round, so that a machine whose load drifts drifts under all of them alike; a figure
is the median of its rounds, with the lowest and highest beside it.

The servers' CPU: utime + stime of each server's whole process tree (master and every worker,
/proc/PID/stat), before and after a run.  The client's own CPU (httpload's getrusage) is kept
too: it must stay well below the servers'.  On loopback and veth the kernel does much of one
side's work in the other's time (a receiver's ACK frees the sender's buffers in the
receiver's system call; a sender's transmit runs the receiver's protocol processing), so the
table also gives server + client: the client being the same for all, that sum is each
server's whole cost.  And the machine's idle share while each run ran (idle + iowait in
/proc/stat: a CPU idle while a task waits in io_uring counts as iowait on newer kernels):
near 0, every core was busy, and MiB/s is then itself the whole machine's cost per byte,
softirq work that no process is charged for included (where the kernel samples CPU time at
ticks, without IRQ_TIME_ACCOUNTING, as on the reference machine, a process is also charged
for the softirq work its ticks land on: a server that never sleeps looks dearer than one
that does).  So the table also gives the machine's CPU seconds per GiB (or per request):
every core's busy ticks in /proc/stat while the run ran, whoever ran them (server, client,
ksoftirqd, softirq on an idle core): the box's whole cost of moving the bytes, which no split
between processes changes.  Every server has as many workers as the machine has cores; the flags of each
are in the table's notes (nginx.conf and lighttpd.conf are written by this file: the tuning
each one's documentation advises).

A table goes to stdout and to out/bench/http.md, with the machine beside it (cores, kernel,
load average before and after: the figures of a shared machine are only worth comparing
within one run).  Bounded: every run has a deadline (httpload -d), every server start a
timeout.

httpd-S0 is httpd -S 0: the send path chosen by load, a body of 64 KiB or more from the
file's mapping while the worker sends at most four such (a column of its own; the ratios are
httpd's, as built, against the peers).

HTTP_BENCH_QUICK=1 shrinks the files and counts 16 times (to try the bench itself);
HTTP_BENCH_SERVERS=httpd,nginx runs only those; HTTP_BENCH_LINKS=veth one link;
HTTP_BENCH_ARGS="..." gives httpd more flags.  HTTP_BENCH_OLD=PATH adds another httpd binary
(say the last commit's) as httpd-old, with the flags of HTTP_BENCH_OLD_ARGS (default httpd's),
and a column httpd / httpd-old: an interleaved A/B of two builds, or of two sets of flags.
"""
import datetime
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "net", "lib"))
from netns import Daemon, Net, NetError, tern_out  # noqa: E402
from httpd import listening  # noqa: E402

MiB = 1 << 20
QUICK = 16 if os.environ.get("HTTP_BENCH_QUICK") else 1
LOAD = tern_out("tests", "httpload")
CORES = os.cpu_count() or 1
OLD = os.environ.get("HTTP_BENCH_OLD")
SERVERS = ["httpd", "httpd-S0"] + (["httpd-old"] if OLD else []) + ["nginx", "lighttpd"]
if os.environ.get("HTTP_BENCH_SERVERS"):
    SERVERS = [s for s in SERVERS if s in os.environ["HTTP_BENCH_SERVERS"].split(",")]
PEERS = [s for s in SERVERS if s in ("nginx", "lighttpd")]
PORTS = {"httpd": 8080, "httpd-old": 8081, "nginx": 8082, "lighttpd": 8083, "httpd-S0": 8084}
LINKS = [x for x in ("loopback", "veth")
         if x in os.environ.get("HTTP_BENCH_LINKS", "loopback,veth").split(",")]
RUNS = 3

# scenario: (label, file, size, connections, requests, keep-alive, deadline s)
SCENARIOS = {
    "1": ("(1) 1 client, %g MiB" % (256 / QUICK), "f256", 256 * MiB // QUICK, 1, 1, False, 120),
    "2": ("(2) 200 clients x %g MiB" % (16 / QUICK), "f16", 16 * MiB // QUICK, 200, 200, False,
          240),
    "3": ("(3) 1 KiB, 64 keep-alive connections", "boot.ipxe", 1024, 64, 40000 // QUICK, True,
          120),
}


def tern_httpd():
    return os.path.join(os.environ.get("TERN_APPS") or tern_out("build", "app"), "httpd")


def peer(pkg, *path):
    return os.path.join(tern_out("bench", "peers"), pkg, *path)


NGINX_CONF = """\
# The tuning nginx's documentation advises for static files
# (nginx.org/en/docs/http/ngx_http_core_module.html, "Tuning NGINX for Performance").
daemon off;
master_process on;
worker_processes {cores};
worker_rlimit_nofile 65536;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx.log warn;
events {{ worker_connections 8192; use epoll; multi_accept on; }}
http {{
    sendfile on; tcp_nopush on; tcp_nodelay on;
    keepalive_timeout 65; keepalive_requests 1000000;
    open_file_cache max=1000 inactive=60s; open_file_cache_valid 60s;
    open_file_cache_min_uses 1; open_file_cache_errors on;
    access_log {tmp}/nginx-access.log combined buffer=64k flush=1s;
    client_body_temp_path {tmp}/nginx-body; proxy_temp_path {tmp}/nginx-proxy;
    fastcgi_temp_path {tmp}/nginx-fcgi; uwsgi_temp_path {tmp}/nginx-uwsgi;
    scgi_temp_path {tmp}/nginx-scgi;
    types {{ text/plain ipxe; }}
    default_type application/octet-stream;
    server {{ listen {addr}:{port} reuseport backlog=4096; root {root}; }}
}}
"""

LIGHTTPD_CONF = """\
# The tuning lighttpd's documentation advises (redmine.lighttpd.net/projects/lighttpd/wiki/
# Docs_Performance): the sendfile backend, workers for the cores, many connections.
server.document-root = "{root}"
server.bind = "{addr}"
server.port = {port}
server.errorlog = "{tmp}/lighttpd.log"
server.modules = ("mod_accesslog")
accesslog.filename = "{tmp}/lighttpd-access.log"
server.network-backend = "sendfile"
server.max-worker = {cores}
server.max-fds = 65536
server.max-connections = 8192
server.max-keep-alive-requests = 1000000
server.max-keep-alive-idle = 65
server.stat-cache-engine = "simple"
server.feature-flags = ("server.h2proto" => "disable")
mimetype.assign = (".ipxe" => "text/plain", "" => "application/octet-stream")
"""


def our_argv(exe, root, addr, port, extra):
    # -C: every client comes from one address here; -u root: the peers run as root too.
    return [exe, "-f", "-u", "root", "-r", root, "-a", addr, "-p", str(port), "-n", str(CORES),
            "-c", "8192", "-C", "8192"] + extra.split()


def server_argv(name, root, tmp, addr):
    """(argv, flags shown in the notes), or None if that server is not to be had."""
    port = PORTS[name]
    if name == "httpd":
        extra = os.environ.get("HTTP_BENCH_ARGS", "")
        argv = our_argv(tern_httpd(), root, addr, port, extra)
        return (argv, " ".join(argv[1:]).replace(tmp, "$TMP")) \
            if os.access(tern_httpd(), os.X_OK) else None
    if name == "httpd-S0":  # the send path by load (app/httpd/README.md)
        extra = os.environ.get("HTTP_BENCH_ARGS", "") + " -S 0"
        argv = our_argv(tern_httpd(), root, addr, port, extra)
        return (argv, " ".join(argv[1:]).replace(tmp, "$TMP")) \
            if os.access(tern_httpd(), os.X_OK) else None
    if name == "httpd-old":
        extra = os.environ.get("HTTP_BENCH_OLD_ARGS", os.environ.get("HTTP_BENCH_ARGS", ""))
        argv = our_argv(OLD, root, addr, port, extra)
        return (argv, " ".join(argv[1:]).replace(tmp, "$TMP")) if os.access(OLD, os.X_OK) \
            else None
    if name == "nginx":
        exe = peer("nginx", "usr", "sbin", "nginx")
        conf = NGINX_CONF.format(cores=CORES, tmp=tmp, addr=addr, port=port, root=root)
        argv = [exe, "-p", tmp, "-e", os.path.join(tmp, "nginx.log"), "-c",
                os.path.join(tmp, "nginx.conf")]
    else:
        exe = peer("lighttpd", "usr", "sbin", "lighttpd")
        conf = LIGHTTPD_CONF.format(cores=CORES, tmp=tmp, addr=addr, port=port, root=root)
        argv = [exe, "-D", "-m", peer("lighttpd", "usr", "lib", "lighttpd"), "-f",
                os.path.join(tmp, "lighttpd.conf")]
    if not os.access(exe, os.X_OK):
        return None
    with open(os.path.join(tmp, name + ".conf"), "w") as f:
        f.write(conf)
    sep = " " if name == "nginx" else "; "
    flags = sep.join(line.strip() for line in conf.splitlines()
                     if line.strip() and not line.startswith("#"))
    return argv, flags.replace(tmp, "$TMP")


def start(ns, name, argv, tmp):
    """The server in ns, its stderr to a file (a log line a request must not go through
    a pipe to this script); a Daemon, listening, or NetError."""
    log = os.path.join(tmp, name + ".stderr")
    d = Daemon(ns, ["sh", "-c", 'exec "$@" >>%s 2>&1' % log, "sh"] + argv, name)
    deadline = time.monotonic() + 10
    while not listening(d.pid, PORTS[name]):
        if not d.running() or time.monotonic() > deadline:
            d.close()
            with open(log, errors="replace") as f:
                tail = f.read()[-2000:]
            raise NetError("%s did not start listening on port %d:\n%s"
                           % (name, PORTS[name], tail))
        time.sleep(0.02)
    return d


class Run:
    """One httpload run: its key=value fields, the server's CPU seconds, the
    machine's idle share (0-1) and busy CPU seconds while it ran."""

    def __init__(self, fields, cpu, error="", idle=None, busy=None):
        self.f = fields
        self.cpu = cpu
        self.error = error
        self.idle = idle
        self.busy = busy

    @property
    def ok(self):
        return not self.error and self.f.get("failed") == "0"

    def value(self, metric):
        if not self.ok:
            return None
        b, n = int(self.f["bytes"]), int(self.f["ok"])
        return {"mibps": float(self.f["mibps"]), "rps": float(self.f["rps"]),
                "cpu_gib": self.cpu / (b / (1 << 30)) if b else None,
                "cpu_req": self.cpu / n * 1e6 if n else None,
                "client_gib": float(self.f["cpu"]) / (b / (1 << 30)) if b else None,
                "client_req": float(self.f["cpu"]) / n * 1e6 if n else None,
                "both_gib": (self.cpu + float(self.f["cpu"])) / (b / (1 << 30)) if b else None,
                "both_req": (self.cpu + float(self.f["cpu"])) / n * 1e6 if n else None,
                "machine_gib": self.busy / (b / (1 << 30)) if b and self.busy else None,
                "machine_req": self.busy / n * 1e6 if n and self.busy else None,
                "idle": self.idle * 100 if self.idle is not None else None}[metric]


def cpu_ticks():
    """(idle + iowait, all) ticks of the whole machine: /proc/stat."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:8]]
    return v[3] + v[4], sum(v)


def load(cli, d, addr, name, scen, reference=None):
    _, path, _, conns, n, keep, deadline = scen
    argv = [LOAD, "-c", str(conns), "-n", str(n), "-d", str(deadline)] + \
        (["-K"] if keep else []) + (["-k", reference] if reference else []) + \
        [addr, str(PORTS[name]), "/" + path]
    cpu0, ticks0 = d.cpu_seconds(), cpu_ticks()
    r = cli.run(argv, timeout=deadline + 15)
    cpu, ticks1 = d.cpu_seconds() - cpu0, cpu_ticks()
    f = dict(re.findall(r"(\w+)=(\S+)", r.stdout))
    err = "" if r.returncode == 0 else \
        (r.stderr.strip().splitlines() or ["exit %r" % r.returncode])[0]
    ticks, idle = ticks1[1] - ticks0[1], ticks1[0] - ticks0[0]
    return Run(f, cpu, err, idle / ticks if ticks else None,
               (ticks - idle) / os.sysconf("SC_CLK_TCK"))


def report_one(link, name, scen, r):
    if r.ok:
        print("  %-8s %-9s %-40s %9.1f MiB/s %9.0f req/s  server %6.3f s  client %s s  "
              "idle %s %%" % (link, name, scen[0], r.value("mibps"), r.value("rps"), r.cpu,
                             r.f.get("cpu"), "-" if r.idle is None else "%.0f" % r.value("idle")),
              flush=True)
    else:
        print("  %-8s %-9s %-40s FAILED: %s %s" % (link, name, scen[0], r.error,
                                                   " ".join("%s=%s" % kv for kv in r.f.items())),
              flush=True)


def bench_link(link, root, tmp, wanted, flags):
    """Every wanted scenario on link, RUNS rounds: {(scenario, server): [Run]}."""
    out = {}
    with Net() as net:
        if link == "loopback":
            srv = cli = net.ns("lo")
            addr = "127.0.0.1"
        else:
            srv, cli = net.ns("srv"), net.ns("cli")
            net.veth(srv, cli)
            addr = "192.0.2.1"
        daemons = {}
        try:
            for name in SERVERS:
                spec = server_argv(name, root, tmp, addr)
                if not spec:
                    print("bench: %s is not to be had: left out" % name, file=sys.stderr)
                    continue
                flags[name] = spec[1]
                try:
                    daemons[name] = start(srv, name, spec[0], tmp)
                except NetError as e:
                    print("bench: %s" % e, file=sys.stderr)
            # a first, checked fetch of each file from each server: caches warm, bytes right
            for name, d in daemons.items():
                for key in wanted:
                    scen = SCENARIOS[key]
                    r = load(cli, d, addr, name, scen[:3] + (1, 1, False, 60),
                             os.path.join(root, scen[1]))
                    if not r.ok:
                        print("bench: %s %s: the checked fetch failed: %s"
                              % (link, name, r.error), file=sys.stderr)
            names = list(daemons)
            for key in sorted(wanted):
                scen = SCENARIOS[key]
                for k in range(RUNS):
                    for name in names[k % len(names):] + names[:k % len(names)]:
                        r = load(cli, daemons[name], addr, name, scen)
                        report_one(link, name, scen, r)
                        out.setdefault((key, name), []).append(r)
        finally:
            for d in daemons.values():
                d.stop(5)
                d.close()
    return out


def summary(runs, metric):
    """'median [low-high]' of metric over runs, and the median (None if any failed)."""
    if not runs:
        return "n/a", None
    vals = [r.value(metric) for r in runs]
    if any(v is None for v in vals):
        return "failed (%d of %d)" % (sum(not r.ok for r in runs), len(runs)), None
    vals.sort()
    med = statistics.median(vals)
    fmt = "%.0f" if med >= 100 else "%.2f"
    if len(vals) == 1:
        return fmt % med, med
    return (fmt + " [" + fmt + "–" + fmt + "]") % (med, vals[0], vals[-1]), med


def ratio(meds, higher_better, against):
    ours = meds.get("httpd")
    vals = [meds[p] for p in against if meds.get(p) is not None]
    if ours is None or not vals:
        return "-"
    best = max(vals) if higher_better else min(vals)
    return "%.2f" % (ours / best) if best else "-"


def table(results, wanted):
    rows = []
    for key in sorted(wanted):
        label = SCENARIOS[key][0]
        metrics = [("mibps", "MiB/s", True)] if key != "3" else [("rps", "requests/s", True)]
        metrics += [("cpu_gib", "server CPU s/GiB", False)] if key != "3" else \
            [("cpu_req", "server CPU µs/request", False)]
        metrics += [("both_gib", "server + client CPU s/GiB", False)] if key != "3" else \
            [("both_req", "server + client CPU µs/request", False)]
        metrics += [("client_gib", "client CPU s/GiB", False)] if key != "3" else \
            [("client_req", "client CPU µs/request", False)]
        metrics += [("machine_gib", "machine CPU s/GiB", False)] if key != "3" else \
            [("machine_req", "machine CPU µs/request", False)]
        metrics += [("idle", "machine idle %", False)]
        for link in LINKS:
            for metric, unit, higher in metrics:
                cells, meds = [], {}
                for s in SERVERS:
                    text, meds[s] = summary(results.get((link, key, s), []), metric)
                    cells.append(text)
                client = metric.startswith("client") or metric == "idle"  # no ratio
                line = "| %s, %s: %s | %s | %s |" % (
                    label, link, unit, " | ".join(cells),
                    "" if client else ratio(meds, higher, PEERS))
                if OLD:
                    line += " %s |" % ("" if client else ratio(meds, higher, ["httpd-old"]))
                rows.append(line)
    head = "| scenario, link: figure | " + " | ".join(SERVERS) + " | httpd / best peer |" + \
        (" httpd / httpd-old |" if OLD else "")
    return [head, "|---|" + "---:|" * (len(SERVERS) + 1 + bool(OLD))] + rows


def versions():
    out = {}
    try:
        for line in open(tern_out("bench", "peers", "versions")):
            pkg, ver = line.split()
            out[pkg] = ver
    except OSError:
        pass
    r = subprocess.run(["git", "-C", os.path.dirname(os.path.abspath(__file__)), "describe",
                        "--always", "--dirty"], capture_output=True, text=True)
    out["httpd"] = "this tree (%s)" % (r.stdout.strip() or "?")
    if OLD:
        out["httpd-old"] = OLD
    return out


def machine():
    model = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return "%d CPUs (%s), Linux %s" % (CORES, model, platform.release())


def main():
    global RUNS
    args = sys.argv[1:]
    if args[:1] == ["-r"] and len(args) > 1 and args[1].isdigit() and int(args[1]) > 0:
        RUNS, args = int(args[1]), args[2:]
    wanted = set(args) or set(SCENARIOS)
    if not wanted <= set(SCENARIOS):
        sys.exit("usage: http.py [-r RUNS] [1] [2] [3]")
    if os.geteuid() != 0:
        sys.exit("http.py: needs root (network namespaces)")
    if not os.access(LOAD, os.X_OK):
        sys.exit("http.py: %s is not built (make %s)" % (LOAD, LOAD))
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    started = time.monotonic()
    load_before = os.getloadavg()
    tmp = tempfile.mkdtemp(prefix="tern-http-bench-")
    root = os.path.join(tmp, "root")
    os.mkdir(root)
    os.chmod(tmp, 0o755)
    results, flags = {}, {}
    try:
        for key in wanted:
            _, name, size = SCENARIOS[key][:3]
            with open(os.path.join(root, name), "wb") as f:
                f.write(os.urandom(size))
        for link in LINKS:
            for (key, name), runs in bench_link(link, root, tmp, wanted, flags).items():
                results[(link, key, name)] = runs
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    load_after = os.getloadavg()
    vers = versions()
    out = ["## HTTP servers compared (`make bench`, tests/bench/http.py)", "",
           "%s; %s; load average %.1f before, %.1f after; %s" % (
               datetime.date.today().isoformat(), machine(), load_before[0], load_after[0],
               ", ".join("%s %s" % (s, vers.get(s, "?")) for s in SERVERS)), "",
           "Client: tests/bench/httpload (one epoll loop, bodies discarded in the kernel, "
           "every response's status and length checked).  Loopback: client and server in "
           "one network namespace, 127.0.0.1; veth: 192.0.2.2 to 192.0.2.1.  Rounds: %d, "
           "servers interleaved; each cell the median [lowest–highest]." % RUNS, ""]
    out += table(results, wanted)
    out += ["", "Flags (" + tern_httpd() + " and the peers' configuration files):", ""]
    out += ["- %s: `%s`" % (s, flags.get(s, "not run")) for s in SERVERS]
    out += ["", "Whole bench: %.0f s." % (time.monotonic() - started)]
    text = "\n".join(out) + "\n"
    print()
    print(text)
    os.makedirs(tern_out("bench"), exist_ok=True)
    with open(tern_out("bench", "http.md"), "w") as f:
        f.write(text)
    print("written to %s" % tern_out("bench", "http.md"))


main()
