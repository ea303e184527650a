# SPDX-License-Identifier: MIT
r"""udpstream.py -- tests/bench/udpgen and udpsink in network namespaces,
for tests/net/udpgen.t and tests/bench/relay.py.

    with Net() as net:
        a, b = net.ns("a"), net.ns("b")
        net.veth(a, b)                                   # 192.0.2.1 | 192.0.2.2
        s = sink(b, "239.1.1.1", 5000, "-I", "v0b", "-n", "1000")
        g = gen(a, "239.1.1.1", 5000, "-I", "v0a", "-T", "8", "-n", "1000", "-r", "10000")
        got = s.result()          # udpsink's JSON as a dict, once it has ended
        udp_counters(b)           # the namespace's own counters, /proc/net/snmp{,6}

The datagram format (stream, sequence number, CRC-32 of the filler) is
relay_ns.py's: make a datagram with payload(), read one with parse().
"""
import json
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from netns import NetError, tern_out  # noqa: E402
from relay_ns import parse, payload  # noqa: E402,F401  (re-exported)


def tool(name):
    exe = tern_out("tests", name)
    if not os.access(exe, os.X_OK):
        raise NetError("%s is not built (make %s)" % (exe, exe))
    return exe


def json_line(text, what):
    for line in text.splitlines():
        if line.startswith("{"):
            return json.loads(line)
    raise NetError("%s printed no JSON:\n%s" % (what, text))


def placed(argv, cpu, nice):
    """argv pinned to cpu (taskset -c) and at a nice level, where given."""
    if nice is not None:
        argv = ["nice", "-n", str(nice)] + argv
    if cpu is not None:
        argv = ["taskset", "-c", str(cpu)] + argv
    return argv


def gen(ns, dest, port, *args, cpu=None, nice=None, timeout=None):
    """Run udpgen in ns to completion: its JSON (a dict).  cpu, nice:
    see placed().  It is bounded by its own -t (10 s by default)."""
    argv = placed([tool("udpgen")] + [str(a) for a in args] + [dest, str(port)], cpu, nice)
    r = ns.run(argv, timeout=timeout or 3700)
    if r.returncode != 0:
        raise NetError("udpgen exit %r: %s" % (r.returncode, r.stderr.strip()))
    return json_line(r.stdout, "udpgen")


class Sink:
    """udpsink running in ns; result() waits for its JSON."""

    def __init__(self, ns, addr, port, args, cpu=None, nice=None):
        argv = placed([tool("udpsink")] + [str(a) for a in args] + [addr, str(port)], cpu, nice)
        self.d = ns.daemon(argv, name="udpsink")
        self.d.expect(r"^udpsink: listening on ", 5)

    def result(self, timeout=3700):
        try:
            self.d.proc.wait(timeout)
        except Exception:
            self.d.close()
            raise NetError("udpsink did not end within %s s%s" % (timeout, self.d.tail()))
        self.d.close()
        with self.d._cond:
            text = "\n".join(t for _, t in self.d.lines)
        if self.d.proc.returncode != 0:
            raise NetError("udpsink exit %r%s" % (self.d.proc.returncode, self.d.tail()))
        return json_line(text, "udpsink")


def sink(ns, addr, port, *args, cpu=None, nice=None):
    return Sink(ns, addr, port, args, cpu, nice)


def udp_counters(ns):
    """{'Udp': {...}, 'Udp6': {...}} of ns's own stack: InDatagrams,
    RcvbufErrors, OutDatagrams, ... (both snmp files are per namespace)."""
    out = {"Udp": {}, "Udp6": {}}
    r = ns.run(["cat", "/proc/net/snmp", "/proc/net/snmp6"], timeout=5)
    names = None
    for line in r.stdout.splitlines():
        if line.startswith("Udp:"):
            if names is None:
                names = line.split()[1:]
            else:
                out["Udp"] = dict(zip(names, map(int, line.split()[1:])))
        elif line.startswith("Udp6"):
            k, v = line.split()
            out["Udp6"][k[4:]] = int(v)
    return out


def netns_sysctls(ns, settings):
    """Write each sysctl of settings ({'net.core.rmem_max': '16777216'})
    inside ns where the kernel keeps it per network namespace; returns
    the names it could not set there (host-wide ones: absent from a child
    namespace's /proc/sys, or shown there read-only as Linux 6.x shows
    net.core.rmem_max; left alone: the host is not ours)."""
    host_wide = []
    for name, value in settings.items():
        path = "/proc/sys/" + name.replace(".", "/")
        r = ns.run(["sh", "-c", 'test -e "$1" && echo "$2" >"$1"', "sh", path, str(value)],
                   timeout=5)
        if r.returncode != 0:
            host_wide.append(name)
    return host_wide
