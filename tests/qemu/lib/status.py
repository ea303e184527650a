# SPDX-License-Identifier: MIT
"""httpd's status pages of a booted guest, read from the host: the
listener takes connections on the guest's management interface only
(httpd -I eth0, app/httpd/README.md, Status pages), so a test gives the
guest a user-network NIC forwarding a host port to it (forward()) and
reads /status, /status.json and /metrics there (get())."""
import os
import shutil
import socket
import subprocess
import urllib.request


def forward(guest_port):
    """A free TCP port on the host's 127.0.0.1 and the hostfwd= option
    of a QEMU user network that sends it to guest_port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return port, "hostfwd=tcp:127.0.0.1:%d-:%s" % (port, guest_port)


def get(port, path, timeout=20):
    """The page path from the host port forward() gave; None if it could
    not be read."""
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path),
                                    timeout=timeout) as r:
            return r.read().decode("utf-8", "replace")
    except OSError:
        return None


def promtool(text):
    """(passed, what promtool said) for a /metrics text; None without
    promtool (Debian's prometheus, toolchain/host-packages)."""
    if not shutil.which("promtool"):
        return None
    r = subprocess.run(["promtool", "check", "metrics"], input=text or "", capture_output=True,
                       text=True, timeout=60, env=dict(os.environ, LC_ALL="C"))
    return r.returncode == 0, r.stdout + r.stderr
