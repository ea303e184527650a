#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# fwupdate fetching its bundle from a TFTP server (tftp://HOST[:PORT]/PATH)
# with BusyBox's tftp applet -- the host's busybox standing in for the
# image's -- from our tftpd in a network namespace, onto a directory
# standing in for the ESP (tests/host/lib/fwbox.py): a good bundle over
# IPv4 is installed; over IPv6 with a port it checks good, and by a host
# name (resolved through /etc/hosts, the image's way); a bundle with a
# flipped byte, a file the server does not have, and a file larger than a
# slot (cut off while it streams) each change nothing on the ESP.
import os
import shutil
import sys
import tempfile

sys.dont_write_bytecode = True
here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "lib"))
sys.path.insert(0, os.path.join(here, "..", "host", "lib"))
from tftpd import Net, NetError, Server, Tap, require_server, skip_all, tree  # noqa: E402
from fwbox import FWUPDATE, Box, missing, payload_bytes, sign, slot_max_mib  # noqa: E402

require_server()
if missing():
    print("Bail out! %s is not built (make test builds it)" % missing(), flush=True)
    sys.exit(1)
busybox = shutil.which("busybox")
if not busybox:
    skip_all("busybox is not installed (toolchain/host-packages)")

t = Tap(7)
box = Box(version="1.2.0")
work = box.work
write = box.put
bindir = os.path.join(box.dir, "bin")
os.makedirs(bindir)
os.symlink(busybox, os.path.join(bindir, "tftp"))
env = dict(os.environ, PATH=bindir + ":" + os.environ.get("PATH", "/usr/bin:/bin"))


def fwupdate(ns, *args, timeout=60, hosts=None):
    """fwupdate in ns; hosts: a file bound over /etc/hosts for it (in a
    mount namespace of its own)."""
    argv = [FWUPDATE, "-E", box.esp, "-R", box.release, "-e", box.efivars] + list(args)
    if hosts:
        argv = ["unshare", "--mount", "--propagation", "private", "sh", "-c",
                'mount --bind "$0" /etc/hosts && exec "$@"', hosts] + argv
    r = ns.run(argv, timeout=timeout, env=env)
    return r, (r.stderr or "").strip().splitlines()


try:
    payload = payload_bytes(700000, 13)
    good = open(sign(write("p13", payload), os.path.join(work, "good.tfw"), "1.3.0"), "rb").read()
    bad = bytearray(good)
    bad[len(bad) // 2] ^= 0x40
    big = open(sign(write("pbig", payload_bytes(slot_max_mib() * 1048576 + 4096, 2)),
                    os.path.join(work, "big.tfw"), "1.3.0"), "rb").read()
    with Net() as net:
        srv, cli = net.ns("srv"), net.ns("cli")
        net.veth(srv, cli)
        root = tree(tempfile.mkdtemp(prefix="tern-fwtftp-", dir=box.dir),
                    {"tern-1.3.0-pc_x86_64.tfw": good, "fw/bad.tfw": bytes(bad),
                     "big.tfw": big})
        os.chmod(box.dir, 0o755)
        server = Server(srv, root).start()  # IPv4 and IPv6

        r, out = fwupdate(cli, "-n", "tftp://192.0.2.1/tern-1.3.0-pc_x86_64.tfw")
        b = box.slot_file("b")
        t.ok(r.returncode == 0 and b == "tern-2-b+3.efi" and box.read(b) == payload
             and any("fetching tern-1.3.0-pc_x86_64.tfw from 192.0.2.1 port 69" in x for x in out),
             "tftp://192.0.2.1/...: fetched, verified, installed in slot B",
             "exit %s %s\n%s%s" % (r.returncode, box.files(), "\n".join(out), server.tail()))

        before = box.snapshot()
        r, out = fwupdate(cli, "-c", "tftp://[2001:db8::1]:69/tern-1.3.0-pc_x86_64.tfw")
        t.ok(r.returncode == 0 and box.snapshot() == before
             and any("good: board pc_x86_64, version 1.3.0" in x for x in out),
             "tftp://[2001:db8::1]:69/...: fetched over IPv6 and checked good (-c)",
             "exit %s\n%s" % (r.returncode, "\n".join(out)))

        hosts = os.path.join(box.dir, "hosts")
        with open(hosts, "w") as f:
            f.write("192.0.2.1 bootserver.example\n")
        r, out = fwupdate(cli, "-c", "tftp://bootserver.example/tern-1.3.0-pc_x86_64.tfw",
                          hosts=hosts)
        t.ok(r.returncode == 0 and box.snapshot() == before
             and any("fetching tern-1.3.0-pc_x86_64.tfw from bootserver.example port 69" in x
                     for x in out)
             and any("good: board pc_x86_64, version 1.3.0" in x for x in out),
             "tftp://bootserver.example/...: a host name, resolved (/etc/hosts), fetched and "
             "checked good (-c)", "exit %s\n%s" % (r.returncode, "\n".join(out)))

        r, out = fwupdate(cli, "-n", "tftp://192.0.2.1/fw/bad.tfw")
        t.ok(r.returncode == 1 and box.snapshot() == before
             and any("refused: payload corrupted" in x for x in out),
             "a fetched bundle with a flipped byte is refused, ESP unchanged", "\n".join(out))

        r, out = fwupdate(cli, "-n", "tftp://192.0.2.1/no-such.tfw")
        t.ok(r.returncode == 111 and box.snapshot() == before
             and any("unable to fetch tftp://192.0.2.1/no-such.tfw" in x for x in out),
             "a file the server does not have: exit 111, ESP unchanged",
             "exit %s\n%s" % (r.returncode, "\n".join(out)))

        r, out = fwupdate(cli, "-n", "tftp://192.0.2.1/big.tfw", timeout=120)
        t.ok(r.returncode == 1 and box.snapshot() == before
             and any("refused: payload larger than a slot" in x for x in out),
             "a file larger than a slot is cut off while it streams and refused",
             "exit %s\n%s" % (r.returncode, "\n".join(out)))
        t.ok(server.running() and not [f for f in os.listdir(box.slots) if f.startswith(".")],
             "tftpd still serves; no temporary file left on the ESP", server.tail())
except NetError as e:
    t.abort(str(e))
finally:
    box.close()
t.done()
