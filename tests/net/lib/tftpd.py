# SPDX-License-Identifier: MIT
r"""tftpd.py -- the TFTP server a test talks to, and the servers the bench
compares it with.

TFTPD_UNDER_TEST picks the server tests/net/tftpd_*.t start:

  tern (default)  $TERN_APPS/tftpd, ours.  Until it is built a test
                  prints `1..0 # SKIP tftpd not built yet`.
  hpa             Debian's tftpd-hpa (in.tftpd), unpacked by
                  tests/bench/peers.sh into $TERN_OUT/bench/peers/: a
                  server nobody here wrote, to prove the tests themselves.
                  What it does not have (windowsize, a separate upload
                  directory, upload size cap, no-overwrite, transfer
                  limits, a retry count) makes those tests skip, and where
                  it answers otherwise than RFC 2347-2349 ask (see
                  t_differs) the check is a TODO in that mode.

    require_server()                # skip unless root and the server exists
    srv = Server(ns, root, "192.0.2.1", upload=updir)
    srv.start()                     # bound and ready, or NetError
    ...
    srv.stop()                      # SIGTERM: its exit status

Every server runs in the foreground in a namespace of the test, logs to
its stderr (the Daemon keeps the lines) and, given an address, binds
only it.  Peers for the bench: peer_server("hpa" | "atftpd" | "dnsmasq").
"""
import hashlib
import os
import re
import signal
import shutil
import stat
import subprocess
import sys
import tempfile
import time

from netns import Net, NetError, Tap, require_root, skip_all, tern_out  # noqa: F401

KIND = os.environ.get("TFTPD_UNDER_TEST", "tern")

# What tftpd-hpa lacks, for the tests that need it.
HPA_LACKS = {"windowsize", "upload_dir", "max_upload", "no_overwrite", "max_transfers",
             "per_client", "retries"}


def tern_tftpd():
    return os.path.join(os.environ.get("TERN_APPS") or tern_out("build", "app"), "tftpd")


def peers_dir():
    return tern_out("bench", "peers")


def peer_binary(name):
    """A peer's binary from tests/bench/peers.sh's tree (run now if
    it is not there), or from PATH for dnsmasq; None if it cannot be had."""
    if name == "dnsmasq":
        return shutil.which("dnsmasq") or (os.access("/usr/sbin/dnsmasq", os.X_OK)
                                           and "/usr/sbin/dnsmasq") or None
    pkg = {"in.tftpd": "tftpd-hpa", "atftpd": "atftpd"}[name]
    exe = os.path.join(peers_dir(), pkg, "usr", "sbin", name)
    if not os.access(exe, os.X_OK):
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench",
                              "peers.sh")
        subprocess.call(["sh", script, peers_dir()], stdout=sys.stderr)
    return exe if os.access(exe, os.X_OK) else None


def peer_env():
    lib = os.path.join(peers_dir(), "libwrap0", "usr", "lib", "x86_64-linux-gnu")
    return dict(os.environ, LD_LIBRARY_PATH=lib)


def require_server():
    """Skip the whole test unless it can run: root, and the server."""
    require_root()
    if KIND == "tern":
        if not os.access(tern_tftpd(), os.X_OK):
            skip_all("tftpd not built yet")
    elif KIND == "hpa":
        if not peer_binary("in.tftpd"):
            skip_all("in.tftpd could not be had (tests/bench/peers.sh)")
    else:
        print("Bail out! TFTPD_UNDER_TEST=%s: tern or hpa" % KIND, flush=True)
        sys.exit(1)


def supports(feature):
    return not (KIND == "hpa" and feature in HPA_LACKS)


def require(*features):
    missing = [f for f in features if not supports(f)]
    if missing:
        skip_all("tftpd-hpa has no %s (TFTPD_UNDER_TEST=hpa)" % ", ".join(missing))


def differs(why):
    """The TODO reason for a check the server under test is known to fail
    (tftpd-hpa's own behaviour), else None."""
    return ("tftpd-hpa " + why) if KIND == "hpa" else None


def tree(root, files):
    """Make root (0755) with files {relative path: bytes}, each 0644, so
    a server that drops privileges can still read them."""
    os.makedirs(root, exist_ok=True)
    os.chmod(root, 0o755)
    for rel, content in files.items():
        p = os.path.join(root, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(content)
        os.chmod(p, 0o644)
    return root


def pattern(size, seed=0):
    """size bytes no two 4 KiB pieces of which are alike (a block sent for
    another would show), fast to make."""
    piece = bytes((i * 131 + seed * 7 + (i >> 8)) & 0xff for i in range(4093))
    out = bytearray()
    n = 0
    while len(out) < size:
        out += n.to_bytes(8, "big") + piece
        n += 1
    return bytes(out[:size])


def sha256_file(path):
    """The sha256 of a file's bytes (hex), or None if it cannot be read."""
    try:
        with open(path, "rb") as f:
            return hashlib.sha256(f.read()).hexdigest()
    except OSError:
        return None


class Server:
    """The server under test, configured by what a test needs; the flags
    are ours (tftpd -h), translated for tftpd-hpa in hpa mode."""

    def __init__(self, ns, root, addr=None, port=69, upload=None, overwrite=False,
                 max_upload=None, max_transfers=None, per_client=None, max_blksize=None,
                 max_window=None, timeout=None, retries=None, remap=None, extra=()):
        self.ns, self.root, self.addr, self.port = ns, root, addr, port
        self.upload = upload
        self.daemon = None
        if KIND == "tern":
            argv = [tern_tftpd(), "-f", "-v", "-r", root, "-p", str(port)]
            for flag, v in (("-a", addr), ("-W", upload), ("-s", max_upload),
                            ("-c", max_transfers), ("-C", per_client), ("-b", max_blksize),
                            ("-w", max_window), ("-t", timeout), ("-R", retries),
                            ("-m", remap)):
                if v is not None:
                    argv += [flag, str(v)]
            if overwrite:
                argv.append("-o")
            self.argv, self.env = argv + list(extra), None
        else:
            bind = addr if addr is not None else "::"
            bind = "[%s]" % bind if ":" in bind else bind
            argv = [peer_binary("in.tftpd"), "-L", "-v", "-v", "-u", "root", "-s",
                    "-a", "%s:%d" % (bind, port)]
            if upload is not None:
                argv.append("-c")  # into the root: tftpd-hpa has no other place
            for flag, v in (("-B", max_blksize), ("-m", remap),
                            ("-T", timeout and timeout * 1000000)):
                if v is not None:
                    argv += [flag, str(v)]
            self.argv, self.env = argv + list(extra) + [root], peer_env()

    def start(self, timeout=5):
        self.daemon = self.ns.daemon(self.argv, name="tftpd", env=self.env)
        self.daemon.wait_udp(self.port, timeout)
        return self

    def tail(self):
        return self.daemon.tail() if self.daemon else "\n(server not started)"

    def running(self):
        return self.daemon is not None and self.daemon.running()

    def stop(self):
        return self.daemon.stop() if self.daemon else None

    def counter(self, pattern, timeout=3):
        """SIGUSR1 (ours: log the counters), then the number in the first
        line after it that matches pattern, a regex with one group of
        digits (None: no such line within timeout)."""
        d = self.daemon
        n = len(d.lines)
        d.signal(signal.SIGUSR1)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for _, line in d.lines[n:]:
                m = re.search(pattern, line)
                if m:
                    return int(m.group(1))
            time.sleep(0.05)
        return None


def upload_dir(path):
    """An upload directory any server user can write to."""
    os.makedirs(path, exist_ok=True)
    os.chmod(path, 0o777 | stat.S_ISVTX)
    return path


def peer_server(kind, ns, root, addr, max_transfers=2000):
    """A peer for the bench, on port 69 at addr (IPv4), in foreground:
    a Daemon-ready argv and env: (argv, env).  None if not available."""
    if kind == "hpa":
        exe = peer_binary("in.tftpd")
        return exe and ([exe, "-L", "-u", "root", "-s", "-a", addr + ":69", root], peer_env())
    if kind == "atftpd":
        exe = peer_binary("atftpd")
        return exe and ([exe, "--daemon", "--no-fork", "--user", "root", "--group", "root",
                         "--port", "69", "--bind-address", addr, "--maxthread",
                         str(max_transfers), "--logfile", "-", "--verbose=1", root], peer_env())
    if kind == "dnsmasq":
        exe = peer_binary("dnsmasq")
        return exe and ([exe, "-k", "-C", "/dev/null", "--port=0", "--pid-file=",
                         "--user=root", "--log-facility=-", "--bind-interfaces",
                         "--listen-address=" + addr, "--enable-tftp", "--tftp-root=" + root,
                         "--tftp-max=%d" % max_transfers, "--quiet-tftp"], None)
    raise ValueError(kind)


def start_peer(kind, ns, root, addr, max_transfers=2000):
    spec = peer_server(kind, ns, root, addr, max_transfers)
    if not spec:
        return None
    d = ns.daemon(spec[0], name=kind, env=spec[1])
    d.wait_udp(69)
    return d



class Lab:
    """A test's world: a temporary folder (tmp) holding the server's root
    (root, with files {name: bytes}) and the clients' files; namespaces
    srv and cli joined by a veth (srv 192.0.2.1, cli 192.0.2.2, and ::1,
    ::2 in 2001:db8::/64); the server (server) started at srv_addr, with
    server_args.  Everything goes when the with-block ends.

        with Lab(t, {"f": b"..."}, timeout=1) as lab:
            r = lab.cli.run(["curl", ...])
    """

    def __init__(self, t, files, srv_addr="192.0.2.1", mtu=None, start=True, wire=None,
                 **server_args):
        """wire: (delay_us, loss_ppm) for wire.c's link instead of a veth."""
        self.t = t
        self.tmp = tempfile.mkdtemp(prefix="tern-net-")
        os.chmod(self.tmp, 0o755)
        self.root = tree(os.path.join(self.tmp, "root"), files)
        self.net = Net()
        self.srv, self.cli = self.net.ns("srv"), self.net.ns("cli")
        self.wire = None
        if wire:
            self.wire = self.net.wire(self.srv, self.cli, *wire)
        else:
            self.net.veth(self.srv, self.cli, mtu=mtu)
        self.server = Server(self.srv, self.root, srv_addr, **server_args)
        if start:
            self.start()

    def start(self):
        try:
            self.server.start()
        except NetError as e:
            self.t.abort("the server starts: %s" % e)
        return self

    def path(self, *rel):
        return os.path.join(self.tmp, *rel)

    def load(self, clients, name="f", blksize=1468, deadline=60):
        """tests/bench/tftpload from cli: clients transfers of root/name at
        once, timeout 1, each checked byte by byte: (its key=value fields,
        the run)."""
        load = tern_out("tests", "tftpload")
        if not os.access(load, os.X_OK):
            self.t.abort("%s is not built (make %s)" % (load, load))
        r = self.cli.run([load, "-n", str(clients), "-b", str(blksize), "-t", "1", "-k",
                          os.path.join(self.root, name), "-d", str(deadline), "192.0.2.1", "69",
                          name], timeout=deadline + 30)
        return dict(re.findall(r"(\w+)=(\S+)", r.stdout)), r

    def close(self):
        self.net.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
