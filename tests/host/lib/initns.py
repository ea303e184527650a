# SPDX-License-Identifier: MIT
r"""initns.py -- run Tern's init as PID 1 of a fresh PID + mount namespace.

Used by tests/host/init_*.t (run by `make test` as root, which exports
TERN_APPS, the folder of the built programs, and TERN_OUT).  A test makes
an Init: a temporary test root (etc/tern/services, etc/sysctl.d/,
proc/sys/..., proc/cmdline, dev/null) into which it writes the services
file, sysctl files and service scripts; start() runs

    unshare --pid --fork --mount --kill-child env TERN_INIT_ROOT=ROOT init

so init is PID 1 of its namespace and, in test mode, exits 0 where it would
call reboot(2).  init's stdout and stderr are one pipe (init writes each
line with one write(2), so lines keep their order and never mix).  The test
then waits for lines with expect() (each line carries the monotonic time it
was read), signals init, looks its processes up in /proc by their
namespace pids, and checks how it ended with wait_exit().  Every wait is
bounded; whatever is still running when the test ends, or dies, is killed
and the root removed.

    with Init() as init:
        sh = init.script("a", "echo a >> @ROOT@/started; exec sleep 1000")
        init.services("a respawn " + sh)
        init.start()
        m, t = init.expect(r"started a \(pid (\d+)\)")
        os.kill(init.host_pid(int(m.group(1))), signal.SIGKILL)
        init.services("b once " + init.script("b", "exit 0"))  # a reload
        init.signal(signal.SIGHUP)
        init.expect(r"started b ")

`@ROOT@` in a script stands for the test root.  Output is read for every
running Init whenever any of them waits (expect, sleep, until), so line
times stay accurate while a test drives several at once.
"""
import atexit
import fcntl
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from tapfail import failure_to_stderr

READY = r"tern: ready in [0-9.]+ s"


class InitError(Exception):
    pass


# -- TAP ---------------------------------------------------------------
class Tap:
    """Minimal TAP producer, as tests/qemu/lib/guest.py's: plan, ok/not ok
    with diagnostics (and TODO), diag, done."""

    def __init__(self, plan):
        self.n = 0
        self.plan = plan
        self.failed = 0
        print("1..%d" % plan, flush=True)

    def ok(self, cond, name, diag="", todo=None):
        self.n += 1
        if not cond and not todo:
            self.failed += 1
        print("%sok %d - %s%s" % ("" if cond else "not ", self.n, name,
                                  " # TODO " + todo if todo else ""))
        if not cond and diag:
            self.diag(diag)
        sys.stdout.flush()
        if not cond and not todo:
            failure_to_stderr(self.n, name, diag)
        return cond

    def diag(self, text):
        for line in str(text).splitlines():
            print("# " + line)
        sys.stdout.flush()

    def abort(self, why):
        """Something the test needed did not happen: one failure with the
        reason, and stop here (prove reports the tests not run)."""
        self.ok(False, "test stopped early", why)
        sys.exit(1)

    def done(self):
        sys.exit(1 if self.failed or self.n != self.plan else 0)


def skip_all(why):
    print("1..0 # SKIP " + why, flush=True)
    sys.exit(0)


def require_host():
    """Skip the whole test unless it can run here: root, unshare, and
    TERN_APPS (set by make test) naming a built init."""
    if os.geteuid() != 0:
        skip_all("needs root (PID and mount namespaces)")
    if not shutil.which("unshare"):
        skip_all("unshare (util-linux) is not installed")
    if not os.environ.get("TERN_APPS"):
        skip_all("TERN_APPS is not set: run under make test")
    if not os.access(init_path(), os.X_OK):
        print("Bail out! %s is not built (make apps)" % init_path(), flush=True)
        sys.exit(1)


def init_path():
    return os.path.join(os.environ["TERN_APPS"], "init")


def config_value(name, default=None):
    """CONFIG_<name> from the build's out/config.h (TERN_OUT), as a string
    without quotes, or default."""
    rx = re.compile(r"#define CONFIG_%s (.*)$" % re.escape(name))
    try:
        with open(os.path.join(os.environ["TERN_OUT"], "config.h")) as f:
            for line in f:
                m = rx.match(line.rstrip("\n"))
                if m:
                    return m.group(1).strip('"')
    except (KeyError, OSError):
        pass
    return default


def serial_available():
    """Whether Init(serial=True) works here (SCHED_FIFO is allowed)."""
    try:
        return subprocess.call(["chrt", "-f", "1", "true"],
                               stderr=subprocess.DEVNULL) == 0
    except OSError:  # no chrt
        return False


# -- /proc ---------------------------------------------------------------
class Proc:
    """One process as /proc shows it: host pid, pid in its own namespace,
    parent's host pid, state letter (R, S, Z, ...), command name."""

    def __init__(self, host, status):
        self.host = host
        self.ns = int(status["NSpid"].split()[-1])
        self.ppid = int(status["PPid"])
        self.state = status["State"].split()[0]
        self.name = status["Name"]

    def __repr__(self):
        return "<pid %d (ns %d) ppid %d %s %s>" % (self.host, self.ns, self.ppid,
                                                   self.state, self.name)


def proc_status(pid):
    """/proc/PID/status as a dict, or None if there is no such process."""
    try:
        with open("/proc/%d/status" % pid) as f:
            return dict(l.rstrip("\n").split(":\t", 1) for l in f if ":\t" in l)
    except OSError:  # gone, or going
        return None


def pid_ns(pid):
    try:
        return os.readlink("/proc/%d/ns/pid" % pid)
    except OSError:
        return None


def host_pids():
    return [int(d) for d in os.listdir("/proc") if d.isdigit()]


# -- reading every Init's output ----------------------------------------
_live = []  # started, not yet closed


def _pump(deadline):
    """Read what every live Init has written, waiting until deadline at
    most for something to arrive.  Returns True if anything was read."""
    fds = {}
    for init in _live:
        for fd in init._open_fds():
            fds[fd] = init
    left = deadline - time.monotonic()
    if not fds:
        if left > 0:
            time.sleep(min(left, 0.05))
        return False
    r, _, _ = select.select(list(fds), [], [], max(0.0, left))
    for fd in r:
        fds[fd]._read(fd)
    return bool(r)


def sleep(seconds):
    """time.sleep that keeps reading every Init's output meanwhile."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        _pump(deadline)


def until(cond, timeout, step=0.02):
    """Call cond() until it returns something true, reading output
    meanwhile; returns that value, or the last false one after timeout."""
    deadline = time.monotonic() + timeout
    while True:
        v = cond()
        if v or time.monotonic() >= deadline:
            return v
        _pump(min(deadline, time.monotonic() + step))


def _cleanup_all():
    for init in list(_live):
        init.close()


def _on_signal(signo, frame):
    sys.exit(128 + signo)  # runs atexit, so the namespaces are killed


atexit.register(_cleanup_all)
for _sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
    signal.signal(_sig, _on_signal)


# -- one init ------------------------------------------------------------
class Init:
    def __init__(self, cmdline="", serial=False, keep=False, net=True):
        """A fresh test root.  serial: init and everything it starts run
        SCHED_FIFO on one CPU, so processes that init makes runnable one
        after the other (by fork or by a signal) also run in that order and
        the order of their effects is the order of init's actions.  keep:
        leave the root behind (to debug a test).  net: init gets a network
        namespace of its own (unshare --net), so its network setup never
        touches the host's; False leaves init in the test's own namespace
        (which a network test has made for it)."""
        self.root = tempfile.mkdtemp(prefix="tern-init-")
        self.serial = serial
        self.net = net
        self.keep = keep
        self.proc = None
        self.started = time.monotonic()
        self.pid = None     # init's host pid
        self.ns = None      # its PID namespace, as /proc/PID/ns/pid reads
        self.exit_status = None
        self.out = []         # (time read, line), everything init wrote
        self.pos = 0          # the first line expect() has not consumed
        self.partial = None   # bytes of a line without its newline yet
        self.closed = None    # when the output closed: init and all of
                              # its namespace are gone
        for d in ("etc/tern", "etc/sysctl.d", "proc/sys/kernel", "dev", "bin"):
            os.makedirs(self.path(d))
        self.write("/proc/cmdline", cmdline + "\n")
        self.write("/proc/sys/kernel/hostname", "")
        self.write("/dev/null", "")

    # -- the test root ----------------------------------------------------
    def path(self, rel):
        """The host path of rel (absolute as init sees it, or relative)."""
        return os.path.join(self.root, rel.lstrip("/"))

    def write(self, rel, text, mode=0o644):
        p = self.path(rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p + ".new", "w") as f:
            f.write(text)
        os.chmod(p + ".new", mode)
        os.rename(p + ".new", p)  # a reader never sees half a file
        return p

    def read(self, rel, default=""):
        try:
            with open(self.path(rel)) as f:
                return f.read()
        except FileNotFoundError:
            return default

    def words(self, rel):
        """The whitespace-separated words of a file in the root."""
        return self.read(rel).split()

    def script(self, name, body, interp="/bin/sh"):
        """An executable bin/name in the root running body (with @ROOT@
        replaced by the root) under interp; returns its host path, which is
        what a service line names."""
        text = "#!%s\n%s\n" % (interp, body.replace("@ROOT@", self.root))
        return self.write("/bin/" + name, text, 0o755)

    def services(self, *lines):
        """Write etc/tern/services (the old one replaced at once, so init
        re-reading it after SIGHUP sees one or the other)."""
        self.write("/etc/tern/services", "".join(l + "\n" for l in lines))

    def sysctl_conf(self, name, *lines):
        self.write("/etc/sysctl.d/" + name, "".join(l + "\n" for l in lines))

    def proc_sys(self, key, value=""):
        """Create proc/sys/<key> (dots are slashes), for a sysctl to set."""
        self.write("/proc/sys/" + key.replace(".", "/"), value)

    def sysctl(self, key):
        return self.read("/proc/sys/" + key.replace(".", "/"), None)

    # -- running ----------------------------------------------------------
    def start(self, timeout=5):
        argv = ["unshare", "--pid", "--fork", "--mount", "--kill-child"] + \
            (["--net"] if self.net else []) + \
            ["env", "TERN_INIT_ROOT=" + self.root, init_path()]
        if self.serial:
            cpu = min(os.sched_getaffinity(0))
            argv = ["taskset", "-c", str(cpu), "chrt", "-f", "1"] + argv
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self.started = time.monotonic()
        self.partial = b""
        fd = self.proc.stdout.fileno()
        fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) | os.O_NONBLOCK)
        _live.append(self)
        self.pid = until(self._find_init, timeout)
        if not self.pid:
            raise InitError("init did not start within %.1f s%s"
                            % (timeout, self.tail()))
        return self

    def _find_init(self):
        """init's host pid: the child of unshare, once it runs init (not
        unshare or env any more) in a PID namespace other than ours."""
        for pid in self._children(self.proc.pid):
            try:
                exe = os.readlink("/proc/%d/exe" % pid)
            except OSError:
                continue
            ns = pid_ns(pid)
            if exe == os.path.realpath(init_path()) and ns and ns != pid_ns(os.getpid()):
                self.ns = ns
                return pid
        return None

    @staticmethod
    def _children(pid):
        try:
            with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
                return [int(p) for p in f.read().split()]
        except OSError:
            pass
        out = []
        for p in host_pids():
            st = proc_status(p)
            if st and int(st["PPid"]) == pid:
                out.append(p)
        return out

    def _open_fds(self):
        return [self.proc.stdout.fileno()] if self.partial is not None else []

    def _read(self, fd):
        try:
            data = os.read(fd, 65536)
        except BlockingIOError:
            return
        now = time.monotonic()
        if not data:  # end of file: the last line may have no newline
            if self.partial:
                self.out.append((now, self.partial.decode("utf-8", "replace")))
            self.partial = None
            self.closed = now
            return
        parts = (self.partial + data).split(b"\n")
        self.partial = parts.pop()
        self.out.extend((now, p.decode("utf-8", "replace")) for p in parts)

    def expect(self, pattern, timeout=5):
        """Wait for a line of init's output matching pattern (a regex,
        searched in each line).  Returns (match, time the line was read);
        the lines up to it are consumed.  InitError on timeout, with the
        output so far."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        seen = self.pos
        while True:
            for i in range(seen, len(self.out)):
                m = rx.search(self.out[i][1])
                if m:
                    self.pos = i + 1
                    return m, self.out[i][0]
            seen = len(self.out)
            if time.monotonic() >= deadline:
                raise InitError("no line matching %r within %.1f s%s"
                                % (pattern, timeout, self.tail()))
            _pump(deadline)

    def matches(self, pattern):
        """Every line read so far that matches, consumed or not:
        [(match, time read)], in order."""
        rx = re.compile(pattern)
        return [(m, t) for t, text in self.out for m in [rx.search(text)] if m]

    def tail(self, n=40):
        if not self.out:
            return "\n(no output)"
        return "\ninit's output (s since start, line):\n" + "\n".join(
            "%7.3f %s" % (t - self.started, text) for t, text in self.out[-n:])

    def signal(self, sig):
        """Send sig to init; returns the monotonic time just before."""
        t = time.monotonic()
        os.kill(self.pid, sig)
        return t

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def wait_exit(self, timeout=10):
        """Wait for init (and unshare, which exits with its status) to end
        and its output to close.  Returns the status, None on timeout."""
        deadline = time.monotonic() + timeout
        until(lambda: self.proc.poll() is not None, timeout)
        until(lambda: not self._open_fds(), max(0.0, deadline - time.monotonic()))
        self.exit_status = self.proc.poll()
        return self.exit_status

    # -- init's processes ------------------------------------------------
    def processes(self):
        """Every process of init's PID namespace, init included: [Proc]."""
        out = []
        for pid in host_pids():
            if pid_ns(pid) != self.ns:
                continue
            st = proc_status(pid)
            if st and "NSpid" in st:
                out.append(Proc(pid, st))
        return out

    def host_pid(self, ns_pid):
        """The host pid of the process that is ns_pid in init's namespace,
        or None if there is none (any more)."""
        for p in self.processes():
            if p.ns == ns_pid:
                return p.host
        return None

    # -- the end --------------------------------------------------------
    def close(self):
        """Kill init (the kernel then kills every process of its namespace)
        and unshare, and remove the root."""
        if self in _live:
            _live.remove(self)
        if self.proc:
            if self.proc.poll() is None:
                for pid in (self.pid, self.proc.pid):
                    try:
                        if pid:
                            os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                try:
                    self.proc.wait(5)
                except subprocess.TimeoutExpired:
                    pass
            if self.ns:  # no process may outlive the test
                for p in self.processes():
                    try:
                        os.kill(p.host, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
            self.proc.stdout.close()
            self.proc = None
        if not self.keep:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
