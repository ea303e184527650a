# SPDX-License-Identifier: MIT
r"""netns.py -- network namespaces, links and daemons for tests/net/*.t and
tests/bench/tftp.py.

A test makes a Net, and in it named network namespaces (`ip netns add`,
named tern-<test pid>-<name>, so two tests never share one), links
between them, and the processes it runs there:

    with Net() as net:
        srv, cli = net.ns("srv"), net.ns("cli")
        net.veth(srv, cli)           # srv 192.0.2.1/24 2001:db8::1/64
                                     # cli 192.0.2.2/24 2001:db8::2/64
        d = srv.daemon(["tftpd", "-r", root, "-a", "192.0.2.1"], name="tftpd")
        d.wait_udp(69)               # its socket is bound
        r = cli.run(["curl", "-s", "-o", out, "tftp://192.0.2.1/f"], timeout=10)
        s = cli.socket(socket.AF_INET)   # a UDP socket inside cli
        d.expect(r"transfer .* done")    # a line of its stderr

Links: veth() makes a veth pair; wire() puts the user-space cable of
wire.c (built as $TERN_OUT/tests/wire) between two namespaces, with a
delay and a loss rate each way -- what `tc qdisc ... netem delay 1ms loss
0.5%` would do, which this machine's kernel lacks (CONFIG_NET_SCH_NETEM
is not set), so one way that works on every kernel with TUN.  Link n
(in the order made) uses 192.0.2.0/24 + 2001:db8::/64, 198.51.100.0/24 +
2001:db8:1::/64, then 203.0.113.0/24 + 2001:db8:2::/64, the first end .1
(::1), the second .2 (::2); alias() adds .3, .4, ... to an end.  Nothing
else is ever addressed, and the host's own interfaces are never touched:
every device is made inside a namespace of the test.

Every wait is bounded.  Whatever a Net started is killed and its
namespaces deleted when it closes, when the test exits (atexit), and on
SIGTERM, SIGINT and SIGHUP; namespaces left by a test that was killed
with SIGKILL are deleted by the next Net made (their pid is gone).

Tap and skip_all are tests/host/lib/initns.py's (one TAP producer).
require_root() skips the whole test (`1..0 # SKIP ...`) unless it is root
with `ip`.
"""
import atexit
import ctypes
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "host", "lib"))
from initns import Tap, skip_all  # noqa: E402,F401  (re-exported)

PREFIX = "tern-"
NETNS_DIR = "/run/netns"
CLONE_NEWNET = 0x40000000
SUBNETS = [("192.0.2.", "2001:db8::"), ("198.51.100.", "2001:db8:1::"),
           ("203.0.113.", "2001:db8:2::")]
_libc = ctypes.CDLL(None, use_errno=True)


class NetError(Exception):
    pass


def require_root():
    if os.geteuid() != 0:
        skip_all("needs root (network namespaces)")
    if subprocess.call(["sh", "-c", "command -v ip"], stdout=subprocess.DEVNULL) != 0:
        skip_all("ip (iproute2) is not installed")


def tern_out(*parts):
    top = os.environ.get("TERN_TOP") or os.path.abspath(
        os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
    return os.path.join(os.environ.get("TERN_OUT") or os.path.join(top, "out"), *parts)


def _check(argv, timeout=10):
    r = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                       timeout=timeout)
    if r.returncode != 0:
        raise NetError("%s: exit %d: %s" % (" ".join(argv), r.returncode, r.stderr.strip()))
    return r.stdout


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True


def sweep_stale():
    """Delete namespaces tern-<pid>-* whose test (pid) is gone."""
    try:
        names = os.listdir(NETNS_DIR)
    except FileNotFoundError:
        return
    for name in names:
        m = re.match(re.escape(PREFIX) + r"(\d+)-", name)
        if m and not _pid_alive(int(m.group(1))):
            subprocess.call(["ip", "netns", "del", name], stderr=subprocess.DEVNULL)


def kill_group(proc, grace=2.0):
    """SIGTERM proc's process group, SIGKILL it after grace seconds."""
    if proc.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(wait)
            return
        except subprocess.TimeoutExpired:
            pass


class Daemon:
    """A process started in a namespace with its stderr (and stdout, one
    pipe) read line by line in a thread; lines keep the time they came."""

    def __init__(self, ns, argv, name, env=None, cwd=None):
        self.ns = ns
        self.name = name or os.path.basename(argv[0])
        self.argv = argv
        self.lines = []   # (monotonic time, text)
        self.pos = 0      # first line expect() has not consumed
        self.started = time.monotonic()
        self._cond = threading.Condition()
        self._eof = False
        self.proc = subprocess.Popen(ns.argv(argv), stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     env=env, cwd=cwd, start_new_session=True)
        self.pid = self.proc.pid  # `ip netns exec` execs the command: same pid
        self._thread = threading.Thread(target=self._reader, daemon=True)
        self._thread.start()

    def _reader(self):
        for raw in self.proc.stdout:
            with self._cond:
                self.lines.append((time.monotonic(), raw.decode("utf-8", "replace").rstrip("\n")))
                self._cond.notify_all()
        with self._cond:
            self._eof = True
            self._cond.notify_all()

    def _wait(self, found, timeout):
        """found() under the lock each time a line arrives, until it returns
        something other than None (returned), timeout seconds pass or the
        daemon has ended and its output is all read (None)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                r = found()
                left = deadline - time.monotonic()
                if r is not None or left <= 0 or (self._eof and self.proc.poll() is not None):
                    return r
                self._cond.wait(min(left, 0.1))

    def _all(self, rx):
        return [m for _, text in self.lines for m in [rx.search(text)] if m]

    def expect(self, pattern, timeout=5):
        """Wait for a line matching pattern (regex search); returns the
        match and consumes the lines up to it.  NetError on timeout."""
        rx = re.compile(pattern)

        def first():
            for i in range(self.pos, len(self.lines)):
                m = rx.search(self.lines[i][1])
                if m:
                    self.pos = i + 1
                    return m
            return None
        m = self._wait(first, timeout)
        if m is None:
            raise NetError("%s: no line matching %r within %.1f s%s"
                           % (self.name, pattern, timeout, self.tail()))
        return m

    def matches(self, pattern):
        """Every line read so far matching pattern, at once: for checks that a
        line is NOT there.  A line the daemon has written may still be on its
        way through the pipe to the reader thread: to see one, use seen()."""
        rx = re.compile(pattern)
        with self._cond:
            return self._all(rx)

    def seen(self, pattern, timeout=5, count=1):
        """Every line matching pattern, once at least count of them have been
        read (or timeout seconds have passed: then what there is).  Consumes
        nothing."""
        rx = re.compile(pattern)

        def enough():
            got = self._all(rx)
            return got if len(got) >= count else None
        got = self._wait(enough, timeout)
        if got is None:
            with self._cond:
                got = self._all(rx)
        return got

    def tail(self, n=30):
        with self._cond:
            lines = self.lines[-n:]
        if not lines:
            return "\n(%s wrote nothing)" % self.name
        return "\n%s's output (s since start, line):\n" % self.name + "\n".join(
            "%7.3f %s" % (t - self.started, text) for t, text in lines)

    def running(self):
        return self.proc.poll() is None

    def udp_ports(self):
        """The local UDP ports bound in the daemon's namespace."""
        ports = set()
        for f in ("udp", "udp6"):
            try:
                with open("/proc/%d/net/%s" % (self.pid, f)) as fh:
                    next(fh)
                    for line in fh:
                        ports.add(int(line.split()[1].rsplit(":", 1)[1], 16))
            except (OSError, StopIteration, IndexError, ValueError):
                pass
        return ports

    def wait_udp(self, port, timeout=5):
        """Wait until something in the namespace has UDP port bound (the
        daemon's listening socket), or raise NetError."""
        deadline = time.monotonic() + timeout
        while port not in self.udp_ports():
            if not self.running():
                raise NetError("%s exited with status %s before binding UDP port %d%s"
                               % (self.name, self.proc.returncode, port, self.tail()))
            if time.monotonic() > deadline:
                raise NetError("%s did not bind UDP port %d within %.1f s%s"
                               % (self.name, port, timeout, self.tail()))
            time.sleep(0.01)
        return self

    def cpu_seconds(self):
        """CPU time of the daemon and every live descendant (user +
        system, with the children each has waited for): /proc stat."""
        tick = os.sysconf("SC_CLK_TCK")
        total, todo, seen = 0, [self.pid], set()
        while todo:
            pid = todo.pop()
            if pid in seen:
                continue
            seen.add(pid)
            try:
                with open("/proc/%d/stat" % pid) as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                total += sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
                with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
                    todo.extend(int(p) for p in f.read().split())
            except (OSError, IndexError, ValueError):
                pass
        return total / tick

    def children(self):
        try:
            with open("/proc/%d/task/%d/children" % (self.pid, self.pid)) as f:
                return [int(p) for p in f.read().split()]
        except OSError:
            return []

    def signal(self, sig):
        os.kill(self.pid, sig)

    def stop(self, timeout=5):
        """SIGTERM, then wait for it to exit: its status (None if it had
        to be killed)."""
        if self.proc.poll() is None:
            try:
                os.kill(self.pid, signal.SIGTERM)
                self.proc.wait(timeout)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                kill_group(self.proc, 0)
                self.proc.wait(5)
                return None
        return self.proc.returncode

    def close(self):
        kill_group(self.proc, 0.5)
        self._thread.join(1)  # its pipe is not closed under it
        for f in (self.proc.stdin, self.proc.stdout):
            try:
                f.close()
            except OSError:
                pass


class Ns:
    """One network namespace of a Net, loopback up."""

    def __init__(self, net, name):
        self.net = net
        self.short = name
        self.name = "%s%d-%s" % (PREFIX, os.getpid(), name)
        self.addrs = {4: [], 6: []}  # addresses of this end, in order made
        _check(["ip", "netns", "add", self.name])
        self.ip("link", "set", "lo", "up")

    def argv(self, argv):
        return ["ip", "netns", "exec", self.name] + list(argv)

    def ip(self, *args):
        return _check(["ip", "-n", self.name] + list(args))

    def run(self, argv, timeout=30, input=None, env=None, cwd=None):
        """Run argv here; a CompletedProcess with text stdout and stderr
        (returncode None and what was read so far if it timed out; it is
        killed)."""
        p = subprocess.Popen(self.argv(argv), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=env, cwd=cwd, start_new_session=True)
        try:
            out, err = p.communicate(input.encode() if isinstance(input, str) else input,
                                     timeout=timeout)
            code = p.returncode
        except subprocess.TimeoutExpired:
            kill_group(p, 0)
            out, err = p.communicate()
            code = None
            err += b"\n(killed after %.1f s)" % timeout
        return subprocess.CompletedProcess(argv, code, out.decode("utf-8", "replace"),
                                           err.decode("utf-8", "replace"))

    def daemon(self, argv, name=None, env=None, cwd=None):
        d = Daemon(self, argv, name, env, cwd)
        self.net.daemons.append(d)
        return d

    def socket(self, family=socket.AF_INET, type=socket.SOCK_DGRAM):
        """A socket made inside this namespace (setns(2) of this thread
        for the call, then back)."""
        own = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
        there = os.open(os.path.join(NETNS_DIR, self.name), os.O_RDONLY)
        try:
            if _libc.setns(there, CLONE_NEWNET) != 0:
                err = ctypes.get_errno()
                raise OSError(err, "setns(%s): %s" % (self.name, os.strerror(err)))
            try:
                return socket.socket(family, type)
            finally:
                if _libc.setns(own, CLONE_NEWNET) != 0:
                    err = ctypes.get_errno()
                    raise OSError(err, "setns back: " + os.strerror(err))
        finally:
            os.close(own)
            os.close(there)

    def addr(self, family=4, i=0):
        return self.addrs[family][i]


class Net:
    def __init__(self):
        sweep_stale()
        self.namespaces = []
        self.daemons = []
        self.dirs = []
        self.links = 0
        _live.append(self)

    def tmpdir(self, prefix):
        """A directory of the test's own (config files, sockets), removed
        with everything else when the Net closes."""
        d = tempfile.mkdtemp(prefix=prefix)
        os.chmod(d, 0o755)  # daemons read their files as the user they become
        self.dirs.append(d)
        return d

    def ns(self, name):
        n = Ns(self, name)
        self.namespaces.append(n)
        return n

    def _subnet(self):
        if self.links >= len(SUBNETS):
            raise NetError("no documentation subnet left for another link")
        self.links += 1
        return self.links - 1, SUBNETS[self.links - 1]

    def _address(self, a, b, dev_a, dev_b, k, mtu):
        v4, v6 = SUBNETS[k]
        for n, dev, host in ((a, dev_a, 1), (b, dev_b, 2)):
            if mtu:
                n.ip("link", "set", dev, "mtu", str(mtu))
            n.ip("addr", "add", "%s%d/24" % (v4, host), "dev", dev)
            n.ip("-6", "addr", "add", "%s%d/64" % (v6, host), "dev", dev, "nodad")
            n.ip("link", "set", dev, "up")
            n.addrs[4].append("%s%d" % (v4, host))
            n.addrs[6].append("%s%d" % (v6, host))
            n.dev = dev
            n.subnet = k

    def veth(self, a, b, mtu=None):
        """A veth pair between namespaces a and b, addressed; its devices
        are v<k>a in a and v<k>b in b."""
        k, _ = self._subnet()
        da, db = "v%da" % k, "v%db" % k
        _check(["ip", "link", "add", da, "netns", a.name, "type", "veth",
                "peer", "name", db, "netns", b.name])
        self._address(a, b, da, db, k, mtu)
        return k

    def wire(self, a, b, delay_us=0, loss_ppm=0, seed=1):
        """wire.c between a and b: each frame delay_us late, UDP frames
        lost with probability loss_ppm / 1e6, each direction.  Returns
        its Daemon (stop() it to read its counters line)."""
        exe = tern_out("tests", "wire")
        if not os.access(exe, os.X_OK):
            raise NetError("%s is not built (make %s)" % (exe, exe))
        k, _ = self._subnet()
        # wire makes both TAP devices inside a; one moves on to b.
        da, db = "w%da" % k, "w%db" % k
        d = Daemon(a, [exe, "-d", str(delay_us), "-l", str(loss_ppm), "-s", str(seed),
                       da, db], "wire")
        self.daemons.append(d)
        d.expect(r"^ready$", 5)
        a.ip("link", "set", db, "netns", b.name)
        self._address(a, b, da, db, k, None)
        return d

    def alias(self, n, host):
        """Add address .host (and ::host) on n's last link."""
        v4, v6 = SUBNETS[n.subnet]
        n.ip("addr", "add", "%s%d/24" % (v4, host), "dev", n.dev)
        n.ip("-6", "addr", "add", "%s%d/64" % (v6, host), "dev", n.dev, "nodad")
        n.addrs[4].append("%s%d" % (v4, host))
        n.addrs[6].append("%s%d" % (v6, host))
        return "%s%d" % (v4, host), "%s%d" % (v6, host)

    def close(self):
        for d in self.daemons:
            d.close()
        self.daemons = []
        for n in self.namespaces:
            subprocess.call(["ip", "netns", "del", n.name], stderr=subprocess.DEVNULL)
        self.namespaces = []
        for d in self.dirs:
            shutil.rmtree(d, ignore_errors=True)
        self.dirs = []
        if self in _live:
            _live.remove(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


_live = []


def _cleanup_all():
    for net in list(_live):
        net.close()


def _on_signal(signo, frame):
    sys.exit(128 + signo)  # runs atexit


atexit.register(_cleanup_all)
for _sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
    signal.signal(_sig, _on_signal)
