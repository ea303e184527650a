#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# tftpd in the booted image: init starts it from /etc/tern/services as user
# nobody; a client on the host fetches a file from the guest through QEMU's
# forwarded UDP port (curl, blksize 512 and 1468; the raw client of
# tests/net with windowsize 8, granted in the OACK), and BusyBox tftp in the
# guest fetches one over loopback; the bytes are the same.  tftpd killed
# with SIGKILL on the console is started again by init, and httpd's
# /metrics, read from the host through a forwarded port, counts that
# restart: tern_init_service_restarts_total{service="tftpd"} one more,
# the other services' counts as they were, and promtool passes.
import hashlib
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "net", "lib"))
from guest import Guest, GuestError, Tap, auto_mk  # noqa: E402
import status  # noqa: E402
import tftpraw  # noqa: E402


class Host:
    """The host's own network, where tftpraw wants a namespace."""

    @staticmethod
    def socket(family=socket.AF_INET, type=socket.SOCK_DGRAM):
        return socket.socket(family, type)


def free_udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


port = free_udp_port()
status_port, status_fwd = status.forward(auto_mk().get("CONFIG_HTTPD_STATUS_PORT", "9180"))
NET = ["-nic", "user,model=virtio-net-pci,hostfwd=udp:127.0.0.1:%d-:69,%s" % (port, status_fwd)]
RESTARTS = "tern_init_service_restarts_total"


def restarts(text):
    """Each service's restart count in a /metrics text."""
    return {m.group(1): float(m.group(2)) for m in re.finditer(
        r'(?m)^%s\{service="([^"]+)"\} (\S+)$' % RESTARTS, text or "")}


def check_restart_counted(g):
    """Kill tftpd; init restarts it; /metrics counts it, once."""
    began = time.monotonic()
    before = status.get(status_port, "/metrics")
    n0 = restarts(before)
    pid = int(re.findall(rb"init: started tftpd \(pid (\d+)\)", g.log)[-1])
    mark = len(g.log)
    g.sh("kill -9 %d" % pid)
    g.wait_log(rb"tftpd \(pid %d\) killed by signal 9" % pid, mark, timeout=10)
    g.wait_log(rb"init: started tftpd \(pid \d+\)", mark, timeout=30)
    # init counts the exit before it logs the restart (supervise.c): the
    # count is there by now; the wait only bounds a slow page
    deadline = time.monotonic() + 10
    while True:
        after = status.get(status_port, "/metrics")
        n1 = restarts(after)
        if n1.get("tftpd") != n0.get("tftpd") or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    print("# tftpd killed, restarted and its restart read on /metrics in %.1f s"
          % (time.monotonic() - began), flush=True)
    others = {k: v for k, v in n1.items() if k != "tftpd"}
    t.ok("tftpd" in n0 and n1.get("tftpd") == n0["tftpd"] + 1
         and others == {k: v for k, v in n0.items() if k != "tftpd"},
         "tftpd killed in the guest, restarted by init: httpd's /metrics (from the host) "
         "counts %s{service=\"tftpd\"} one more, the other services' as they were"
         % RESTARTS, "before %s\nafter %s" % (n0, n1))
    pt = status.promtool(after)
    if pt is None:
        t.ok(True, "/metrics passes promtool # SKIP no promtool (prometheus)")
    else:
        t.ok(pt[0] and "# TYPE %s counter" % RESTARTS in after,
             "that /metrics passes promtool check metrics", pt[1] + (after or "")[-3000:])


t = Tap(10)
with Guest(qemu_args=NET) as g, tempfile.TemporaryDirectory() as tmp:
    try:
        g.wait_ready(timeout=120)
        if not g.wait_shell():
            t.bail("debug shell did not answer")
        st, out = g.sh("ps | grep '[/]usr/sbin/tftpd'")
        # Service lines may come between the shell's on the console.
        t.ok(st == 0 and re.search(r"(?m)^\s*\d+ nobody .*/usr/sbin/tftpd -r /srv/tftp", out),
             "init started tftpd, and it runs as nobody", out)
        # The guest's DHCP lease (from QEMU) makes the forwarded port reach it.
        # A wait for it, bounded, not a time it must come within: TCG on a
        # loaded machine is slow.
        st, out = g.sh("for i in $(seq 300); do ip -4 addr show eth0 | grep -q inet && "
                       "break; sleep 0.1; done; ip -4 addr show eth0", timeout=45)
        t.ok("inet " in out, "eth0 has an address", out)

        st, out = g.sh("dd if=/dev/urandom of=/srv/tftp/blob bs=1024 count=3000 2>/dev/null"
                       " && chmod 644 /srv/tftp/blob && sha256sum /srv/tftp/blob")
        m = re.search(r"\b([0-9a-f]{64})  /srv/tftp/blob", out)
        want = m.group(1) if st == 0 and m else None
        t.ok(want is not None, "a 3000 KiB file in /srv/tftp", out)
        for bs in (512, 1468):
            dest = os.path.join(tmp, "blob%d" % bs)
            r = subprocess.run(["curl", "-sS", "--max-time", "60", "--tftp-blksize", str(bs),
                                "-o", dest, "tftp://127.0.0.1:%d/blob" % port],
                               capture_output=True, text=True)
            got = hashlib.sha256(open(dest, "rb").read()).hexdigest() \
                if r.returncode == 0 else r.stderr
            t.ok(got == want, "curl on the host fetches it through the forwarded "
                 "port, blksize %d" % bs, "got %s, want %s" % (got, want))
        x = tftpraw.get(Host(), "127.0.0.1", "blob", port=port, blksize=1468, windowsize=8,
                        limit=120)
        got = hashlib.sha256(x.data).hexdigest() if x.ok else repr(x)
        t.ok(x.oack is not None and x.oack.option("windowsize") == "8" and got == want,
             "the raw client fetches it with windowsize 8 (RFC 7440), granted in the OACK",
             "oack %r, got %s, want %s" % (x.oack, got, want))
        st, out = g.sh("cd /tmp && tftp -g -b 8192 -r blob -l blob 127.0.0.1 && "
                       "sha256sum blob", timeout=30)
        m = re.search(r"\b([0-9a-f]{64})  blob", out)
        t.ok(st == 0 and m and m.group(1) == want,
             "BusyBox tftp in the guest fetches it over loopback, blksize 8192", out)
        st, out = g.sh("cd /tmp && tftp -g -r ../etc/passwd -l x 127.0.0.1; echo rc=$?")
        t.ok("rc=1" in out and "x" not in g.sh("ls /tmp")[1].split(),
             "a name with .. is refused", out)
        check_restart_counted(g)
    except GuestError as e:
        t.bail(e)
    g.send("poweroff\n")
    g.wait_exit(timeout=30)
t.done()
