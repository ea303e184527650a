# SPDX-License-Identifier: MIT
r"""httpd.py -- the HTTP server tests/net/httpd_*.t talk to.

    require_httpd()                 # skip unless root and httpd can be had
    with Net() as net:
        srv, cli = net.ns("srv"), net.ns("cli")
        net.veth(srv, cli)          # srv 192.0.2.1, cli 192.0.2.2
        h = Httpd(srv, root, "-H", "2")
        h.start()                   # listening, or NetError
        s = h.connect(cli)          # a TCP socket from cli, connected
        h.counters()                # SIGUSR1's line as a dict
        h.stop()                    # SIGTERM: its exit status

The binary is $TERN_APPS/httpd once the image build makes one; until then
(and on a tree whose build does not list httpd yet) the host's gcc builds
it from app/httpd/*.c and app/lib/*.c (and out/host's mbedtls, for HTTPS)
into $TERN_OUT/tests/httpd-host/, with ASan and UBSan, again whenever a
source is newer.
"""
import glob
import os
import re
import signal
import socket
import subprocess
import time

from netns import Net, NetError, Tap, require_root, skip_all, tern_out  # noqa: F401

PORT = 8080
TOP = os.environ.get("TERN_TOP") or os.path.abspath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))


def host_build():
    """Build httpd for the host if it is missing or older than a source;
    its path, or None with the reason on stderr."""
    exe = tern_out("tests", "httpd-host", "httpd")
    srcs = sorted(glob.glob(os.path.join(TOP, "app", "httpd", "*.[ch]")) +
                  glob.glob(os.path.join(TOP, "app", "lib", "*.[ch]")))
    if os.access(exe, os.X_OK) and all(os.path.getmtime(s) <= os.path.getmtime(exe)
                                       for s in srcs):
        return exe
    os.makedirs(os.path.dirname(exe), exist_ok=True)
    cmd = ["gcc", "-std=c11", "-D_GNU_SOURCE", "-Wall", "-Wextra", "-Werror", "-g", "-O1",
           "-fsanitize=address,undefined", "-fno-omit-frame-pointer",
           "-I" + os.path.join(TOP, "app", "lib"), "-I" + os.path.join(TOP, "app", "httpd"),
           "-I" + tern_out(), "-I" + tern_out("host", "include"), "-o", exe + ".tmp"] + \
        [s for s in srcs if s.endswith(".c")] + ["-luring", "-L" + tern_out("host", "lib"),
                                                 "-lmbedtls", "-lmbedx509", "-lmbedcrypto"]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        print("# host build of httpd failed:\n# " + r.stderr.replace("\n", "\n# "))
        return None
    os.rename(exe + ".tmp", exe)
    return exe


def httpd_binary():
    apps = os.environ.get("TERN_APPS")
    if apps and os.access(os.path.join(apps, "httpd"), os.X_OK):
        return os.path.join(apps, "httpd")
    return host_build()


def listening(pid, port):
    """Whether something in pid's network namespace listens on TCP port."""
    for f in ("tcp", "tcp6"):
        try:
            with open("/proc/%d/net/%s" % (pid, f)) as fh:
                for line in fh.readlines()[1:]:
                    fields = line.split()
                    if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                        return True
        except OSError:
            pass
    return False


def require_httpd():
    require_root()
    if not httpd_binary():
        skip_all("httpd could not be built")


class Httpd:
    """httpd in namespace ns serving root on its first address, PORT."""

    def __init__(self, ns, root, *flags, addr=None, bind=True):
        self.ns = ns
        self.root = root
        self.addr = addr or ns.addr(4)
        self.bind = bind  # False: no -a, the dual-stack default
        self.flags = list(flags)
        self.d = None

    def start(self, timeout=5):
        argv = [httpd_binary(), "-f", "-u", "root", "-r", self.root, "-p", str(PORT)] + \
            (["-a", self.addr] if self.bind else []) + self.flags
        env = dict(os.environ, ASAN_OPTIONS="detect_leaks=1",
                   UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1")
        self.d = self.ns.daemon(argv, name="httpd", env=env)
        self.d.expect(r"serving .* port %d" % PORT, timeout)
        deadline = time.monotonic() + timeout
        while not self.listening():
            if time.monotonic() > deadline or not self.d.running():
                raise NetError("httpd is not listening on port %d%s" % (PORT, self.d.tail()))
            time.sleep(0.01)
        return self

    def listening(self):
        return listening(self.d.pid, PORT)

    def url(self, path, addr=None):
        addr = addr or self.addr
        host = addr if ":" not in addr else "[%s]" % addr
        return "http://%s:%d%s" % (host, PORT, path)

    def connect(self, ns, timeout=5):
        family = socket.AF_INET6 if ":" in self.addr else socket.AF_INET
        s = ns.socket(family, socket.SOCK_STREAM)
        s.settimeout(timeout)
        s.connect((self.addr, PORT))
        return s

    def counters(self, timeout=5):
        """SIGUSR1, then its counters line as {name: number}."""
        self.d.signal(signal.SIGUSR1)
        m = self.d.expect(r"counters: (.*)", timeout)
        out = {}
        for part in m.group(1).split(", "):
            n, name = part.split(" ", 1)
            out[name] = int(n)
        return out

    def log_lines(self, pattern, count=1, timeout=5):
        """httpd's lines matching pattern, once count of them are read (see
        Daemon.seen: a line written is not yet a line read)."""
        return self.d.seen(pattern, timeout, count)

    def stop(self):
        return self.d.stop()


def raw_exchange(sock, data, timeout=5):
    """Send data, read until the server closes or timeout: (bytes, closed)."""
    sock.sendall(data)
    got, deadline = b"", time.monotonic() + timeout
    while time.monotonic() < deadline:
        sock.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            return got, False
        except ConnectionResetError:
            return got, True
        if not chunk:
            return got, True
        got += chunk
    return got, False


def status_of(response):
    m = re.match(rb"HTTP/1\.[01] (\d{3}) ", response)
    return int(m.group(1)) if m else None
