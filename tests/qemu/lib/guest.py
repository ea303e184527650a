# SPDX-License-Identifier: MIT
"""guest.py -- boot the Tern image in QEMU and talk to its serial console.

Used by tests/qemu/*.t (run by `make test`, which exports TERN_* variables
naming the kernel, initramfs, board and command line).  A test boots a
Guest, waits for lines with expect(), runs shell commands with sh() (the
image's debug shell, switched on with tern.debug_shell=1), and checks how
QEMU ended with wait_exit().  Everything is bounded by timeouts; a guest
still running when the test ends is killed.
"""
import os
import re
import select
import shutil
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "host", "lib"))
from tapfail import failure_to_stderr  # noqa: E402

READY = re.compile(rb"tern: ready in ([0-9.]+) s")


class GuestError(Exception):
    pass


class Guest:
    def __init__(self, cmdline="", qemu_args=(), debug_shell=True, argv=None, netns=None):
        """Boot with the board's qemu.sh (and qemu_args), or with argv (a
        command that boots the image itself, such as `make run`); inside
        the network namespace netns if given (a Lab's, for its taps)."""
        top = os.environ["TERN_TOP"]
        board = os.environ["TERN_BOARD"]
        words = [os.environ.get("TERN_CMDLINE", ""), cmdline]
        if debug_shell:
            words.append("tern.debug_shell=1")
        env = dict(os.environ,
                   KERNEL=os.environ["TERN_KERNEL"],
                   INITRD=os.environ["TERN_INITRD"],
                   MEMORY=os.environ.get("TERN_MEMORY", "256"),
                   CMDLINE=" ".join(w for w in words if w))
        args = argv or [os.path.join(top, "board", board, "qemu.sh"),
                        "-nic", "none"] + list(qemu_args)
        if netns:
            args = ["ip", "netns", "exec", netns] + list(args)
        self.started = time.monotonic()
        self.proc = subprocess.Popen(args, env=env, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        self.buf = b""       # console output not yet consumed by expect()
        self.log = b""       # everything, for diagnostics
        self.serial = 0

    # -- reading --------------------------------------------------------
    def _read(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        r, _, _ = select.select([self.proc.stdout], [], [], left)
        if not r:
            return False
        data = os.read(self.proc.stdout.fileno(), 65536)
        if not data:
            raise GuestError("QEMU exited (status %s)" % self.proc.poll())
        self.buf += data
        self.log += data
        return True

    def expect(self, pattern, timeout=10):
        """Wait for pattern (bytes regex) on the console; return the match
        and consume the output up to its end."""
        rx = re.compile(pattern) if isinstance(pattern, bytes) else pattern
        deadline = time.monotonic() + timeout
        while True:
            m = rx.search(self.buf)
            if m:
                self.buf = self.buf[m.end():]
                return m
            try:
                if not self._read(deadline):
                    raise GuestError("timeout after %.1f s waiting for %r"
                                     % (timeout, rx.pattern))
            except GuestError as e:
                raise GuestError("%s; console tail:\n%s" % (e, self.tail()))

    def wait_log(self, pattern, since=0, timeout=10):
        """Wait for pattern (bytes regex) anywhere in the console output
        from offset since on, whether or not expect() or sh() consumed it;
        return the match (its offsets are into self.log)."""
        rx = re.compile(pattern) if isinstance(pattern, bytes) else pattern
        deadline = time.monotonic() + timeout
        while True:
            m = rx.search(self.log, since)
            if m:
                return m
            if not self._read(deadline):
                raise GuestError("timeout after %.1f s waiting for %r; "
                                 "console tail:\n%s" % (timeout, rx.pattern, self.tail()))

    def tail(self, n=2000):
        return self.log[-n:].decode("utf-8", "replace")

    def wait_ready(self, timeout=60):
        """Wait for init's ready line; return the seconds it reports."""
        m = self.expect(READY, timeout)
        return float(m.group(1))

    # -- the debug shell ------------------------------------------------
    def send(self, text):
        self.proc.stdin.write(text.encode())
        self.proc.stdin.flush()

    def sh(self, cmd, timeout=10):
        """Run cmd in the guest's shell (this shell: cd and variables
        stay); return (exit status, output)."""
        self.serial += 1
        tag = "T%d" % self.serial
        # The markers are split in the command line, so the console's echo
        # of what we type never matches them; only the shell's output does.
        # The console also carries what the daemons log, at any moment:
        # cmd's output goes to a file first and comes back with each line
        # marked, so that a daemon's line is never taken for cmd's.
        self.send("echo '@@'%s'B'; { %s ; } >/tmp/.guest-sh 2>&1; s=$?; "
                  "sed 's/^/@'%s'|/' /tmp/.guest-sh; echo '@@'%s'E'$s'@@'\n"
                  % (tag, cmd.rstrip().rstrip(";"), tag, tag))
        self.expect(re.escape(("@@%sB" % tag).encode()) + rb"\r?\n", timeout)
        m = self.expect(rb"(?s)(.*?)@@" + tag.encode() + rb"E(\d+)@@", timeout)
        text = m.group(1).decode("utf-8", "replace").replace("\r\n", "\n")
        mark = "@%s|" % tag
        out = "".join(line[len(mark):] for line in text.splitlines(True) if line.startswith(mark))
        return int(m.group(2)), out

    def wait_shell(self, timeout=30):
        status, _ = self.sh("true", timeout)
        return status == 0

    # -- the end --------------------------------------------------------
    def wait_exit(self, timeout=10):
        """Wait for QEMU to exit; return its status, or None on timeout."""
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < deadline:
            try:
                self._read(min(deadline, time.monotonic() + 0.2))
            except GuestError:
                break
        try:
            return self.proc.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            return None

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.kill()


def free_ports(n):
    """n UDP ports on 127.0.0.1 free a moment ago (for -netdev socket,udp=
    links and the like)."""
    socks = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def accel(kind="x86_64-linux"):
    """The accelerator for a guest of kind, from board/accel.sh, the one
    place that decides it (for QEMUs a test starts without a qemu.sh)."""
    script = os.path.join(os.environ["TERN_TOP"], "board", "accel.sh")
    return subprocess.run([script, kind], stdout=subprocess.PIPE, check=True,
                          text=True).stdout.strip()


class Tap:
    """Minimal TAP producer: plan, ok/not ok with diagnostics, done."""

    def __init__(self, plan):
        self.n = 0
        self.failed = 0
        print("1..%d" % plan, flush=True)

    def ok(self, cond, name, diag=""):
        self.n += 1
        if not cond:
            self.failed += 1
        print("%sok %d - %s" % ("" if cond else "not ", self.n, name))
        if not cond and diag:
            for line in str(diag).splitlines():
                print("# " + line)
        sys.stdout.flush()
        if not cond:
            failure_to_stderr(self.n, name, diag)
        return cond

    def bail(self, why):
        # The details first: prove reads nothing after "Bail out!".
        for line in str(why).splitlines()[1:]:
            print("# " + line)
        print("Bail out! " + str(why).splitlines()[0])
        sys.exit(1)

    def done(self):
        sys.exit(1 if self.failed else 0)


OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd"
OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd"


def client_argv(kind, mac, netdev, tmp):
    """A diskless x86 PXE client's QEMU command: kind "BIOS" (SeaBIOS with
    QEMU's own iPXE NIC ROM) or "UEFI" (OVMF, the NIC's option ROM off,
    so EDK2's own PXE; its variable store a copy in tmp), with one
    virtio NIC of MAC mac on netdev (id lab, as Lab.tap() gives)."""
    argv = ["qemu-system-x86_64", "-machine", "q35,accel=" + accel(), "-cpu", "max",
            "-m", os.environ.get("TERN_MEMORY", "256"), "-nographic", "-no-reboot",
            "-nic", "none"] + list(netdev)
    if kind == "BIOS":
        return argv + ["-boot", "n", "-device", "virtio-net-pci,netdev=lab,mac=" + mac]
    varstore = os.path.join(tmp, "vars-%s.fd" % mac.replace(":", ""))
    shutil.copyfile(OVMF_VARS, varstore)
    return argv + ["-drive", "if=pflash,format=raw,unit=0,readonly=on,file=" + OVMF_CODE,
                   "-drive", "if=pflash,format=raw,unit=1,file=" + varstore,
                   "-device", "virtio-net-pci,netdev=lab,mac=%s,romfile=,bootindex=0" % mac]


def site_initrd(tmp, entries, texts=()):
    """The image's initramfs followed by a gzipped cpio of a site's own
    files, the way README tells a site to add them (the kernel unpacks
    both, the second over the first).  entries are gen_init_cpio lines
    ("dir /etc 0755 0 0", "file /etc/tern/x.conf SOURCE 0644 0 0"); texts
    are (path, content) pairs, files of mode 0644 written in tmp first.
    Returns the combined archive's path, in the directory tmp."""
    out = os.environ["TERN_OUT"]
    entries = list(entries)
    for i, (path, text) in enumerate(texts):
        src = os.path.join(tmp, "site-%d-%s" % (i, os.path.basename(path)))
        with open(src, "w") as f:
            f.write(text)
        entries.append("file %s %s 0644 0 0" % (path, src))
    lst = os.path.join(tmp, "site.list")
    with open(lst, "w") as f:
        f.write("\n".join(entries) + "\n")
    path = os.path.join(tmp, "rootfs+site.cpio.gz")
    with open(path, "wb") as f:
        with open(os.environ["TERN_INITRD"], "rb") as base:
            f.write(base.read())
        f.flush()
        subprocess.run("%s %s | gzip -1" % (os.path.join(out, "host/bin/gen_init_cpio"), lst),
                       shell=True, stdout=f, check=True)
    return path


def auto_mk():
    """The build's generated out/auto.mk as a dict: CONFIG_FOO -> value."""
    conf = {}
    with open(os.path.join(os.environ["TERN_OUT"], "auto.mk")) as f:
        for line in f:
            if " := " in line:
                k, v = line.rstrip("\n").split(" := ", 1)
                conf[k] = v.replace("$$", "$").replace("\\#", "#")
    return conf


def use_build(out):
    """Point the TERN_* variables that Guest, site_initrd() and auto_mk()
    read at the board built in out (another board than the build's own,
    such as the arm64 one `make test` builds in TERN_ARM_OUT): its kernel,
    initramfs, command line and memory, from out/auto.mk.  Returns that
    auto.mk as a dict."""
    os.environ["TERN_OUT"] = out
    conf = auto_mk()
    images = os.path.join(out, "images")
    os.environ.update(TERN_BOARD=conf["CONFIG_BOARD_NAME"],
                      TERN_CMDLINE=conf["CONFIG_BOARD_CMDLINE"],
                      TERN_MEMORY=conf["CONFIG_QEMU_MEMORY"],
                      TERN_KERNEL=os.path.join(images, os.path.basename(conf["CONFIG_KERNEL_IMAGE"])),
                      TERN_INITRD=os.path.join(images, "rootfs.cpio.gz"))
    return conf



class Lab:
    """A layer-2 segment for guests: a bridge in a network namespace of its
    own (tern-<pid>-lab), with a tap per guest (tap(name); QEMU, run in
    the namespace with Guest(netns=lab.ns), opens it with
    -netdev tap,ifname=NAME,script=no,downscript=no).  Unlike -netdev
    socket it does not hold back small windows, so timings measure the
    guests.  dhcp() starts dnsmasq there as an independent DHCP server
    (DHCP only) at 192.0.2.2; close() kills it and deletes the namespace."""

    def __init__(self):
        self.ns = "tern-%d-lab" % os.getpid()
        self.dnsmasq = None
        subprocess.run(["ip", "netns", "del", self.ns], stderr=subprocess.DEVNULL)
        for cmd in (["ip", "netns", "add", self.ns],
                    ["ip", "-n", self.ns, "link", "set", "lo", "up"],
                    ["ip", "-n", self.ns, "link", "add", "br0", "type", "bridge",
                     "stp_state", "0", "forward_delay", "0"],
                    ["ip", "netns", "exec", self.ns, "sysctl", "-qw",
                     "net.ipv6.conf.br0.disable_ipv6=1"],
                    ["ip", "-n", self.ns, "link", "set", "br0", "up"]):
            subprocess.run(cmd, check=True)

    def tap(self, name):
        for cmd in (["ip", "-n", self.ns, "tuntap", "add", name, "mode", "tap"],
                    ["ip", "-n", self.ns, "link", "set", name, "master", "br0", "up"]):
            subprocess.run(cmd, check=True)
        return ["-netdev", "tap,id=lab,ifname=%s,script=no,downscript=no" % name]

    def dhcp(self, tmp, first="192.0.2.50", last="192.0.2.99", extra=()):
        """dnsmasq as the site's DHCP server on the bridge: addresses only,
        its own address as next-server (as dnsmasq does), no DNS, no TFTP,
        no PXE; extra: more of its flags.  Its log lines are in
        self.dnsmasq_log."""
        subprocess.run(["ip", "-n", self.ns, "addr", "add", "192.0.2.2/24", "dev", "br0"],
                       check=True)
        self.dnsmasq_log = os.path.join(tmp, "dnsmasq.log")
        self.dnsmasq = subprocess.Popen(
            ["ip", "netns", "exec", self.ns, "dnsmasq", "--keep-in-foreground",
             "--conf-file=/dev/null", "--port=0", "--interface=br0", "--bind-interfaces",
             "--user=root", "--group=root", "--log-dhcp", "--log-facility=-",
             "--pid-file=" + os.path.join(tmp, "dnsmasq.pid"),
             "--dhcp-leasefile=" + os.path.join(tmp, "dnsmasq.leases"),
             "--dhcp-range=%s,%s,255.255.255.0,10m" % (first, last)] + list(extra),
            stdout=open(self.dnsmasq_log, "w"), stderr=subprocess.STDOUT)
        # Listening before the first DISCOVER: its port 67 in the
        # namespace's socket table ("ip netns exec" execs dnsmasq, so the
        # pid is dnsmasq's and /proc/PID/net is the namespace's).
        deadline = time.monotonic() + 10
        while not self._dhcp_bound():
            if self.dnsmasq.poll() is not None or time.monotonic() > deadline:
                with open(self.dnsmasq_log, errors="replace") as f:
                    raise RuntimeError("dnsmasq is not listening on port 67:\n" + f.read()[-2000:])
            time.sleep(0.02)

    def _dhcp_bound(self):
        try:
            with open("/proc/%d/net/udp" % self.dnsmasq.pid) as f:
                return any(line.split()[1].endswith(":0043") for line in list(f)[1:])
        except OSError:
            return False

    def stop_dhcp(self):
        if self.dnsmasq and self.dnsmasq.poll() is None:
            self.dnsmasq.terminate()
            self.dnsmasq.wait(10)
        self.dnsmasq = None

    def close(self):
        self.stop_dhcp()
        subprocess.run(["ip", "netns", "del", self.ns], stderr=subprocess.DEVNULL)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
