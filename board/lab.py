#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""lab.py -- `make lab`: the PXE lab in one command (docs/pxe-lab.md).

Boots the image as the lab's appliance (pxed in server mode on its lab
port, 192.0.2.1/24) and, beside it on a private layer-2 segment (a bridge
with a tap a guest, in a network namespace of its own), the clients named
by LAB_CLIENTS (default "bios uefi": SeaBIOS with QEMU's iPXE ROM, and
OVMF with EDK2's own PXE), each netbooting from the appliance.  It prints
a line each time a client moves on (dhcp, loader, script, kernel, initrd,
ready), from what the appliance logs and the client's console; consoles go
to out/lab/*.log.  It stops by itself: exit 0 when every client reached
its ready line within LAB_TIMEOUT seconds (default 400), 1 otherwise.
LAB_EFI=FILE hands x86-64 UEFI clients FILE (such as ipxe.efi) instead of
the image's default (snponly.efi).

LAB_IF=IFACE puts the appliance's lab port on a host interface instead,
through a bridge and a tap set up here and torn down at the end, so that
machines on that interface's segment boot from the appliance.  IFACE must
exist and carry no address (it is given to the lab whole), and must not be
the default route's.  Then LAB_CLIENTS defaults to none and the appliance
serves until LAB_SECONDS (default: until Ctrl-C), reporting every client
it sees.
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
TOP = os.environ["TERN_TOP"]
sys.path.insert(0, os.path.join(TOP, "tests/qemu/lib"))
from guest import READY, Guest, GuestError, Lab, client_argv, site_initrd  # noqa: E402

OUT = os.environ["TERN_OUT"]
APPLIANCE = "192.0.2.1"
APPLIANCE_MAC = "52:54:00:00:0a:01"
CLIENT_MACS = {"bios": "52:54:00:00:0a:64", "uefi": "52:54:00:00:0a:65"}
STAGES = ("dhcp", "loader", "script", "kernel", "initrd", "ready")
BRIDGE, TAP = "tern-lab-br", "tern-lab-tap"


def say(text):
    print("lab: " + text, flush=True)


def fail(text):
    print("lab: " + text, file=sys.stderr, flush=True)
    sys.exit(2)


# -- the host interface (LAB_IF) -------------------------------------------
def ip_json(*args):
    import json
    r = subprocess.run(["ip", "-j"] + list(args), capture_output=True, text=True)
    return json.loads(r.stdout or "[]") if r.returncode == 0 else []


def check_if(iface):
    """Why iface cannot be the lab's segment, or None."""
    if not os.path.isdir("/sys/class/net/" + iface):
        return "LAB_IF=%s: no such interface" % iface
    if iface == "lo" or os.path.exists("/sys/class/net/%s/bridge" % iface):
        return "LAB_IF=%s: not an Ethernet port (loopback or a bridge)" % iface
    for fam in ("-4", "-6"):
        for r in ip_json(fam, "route", "show", "default"):
            if r.get("dev") == iface:
                return "LAB_IF=%s: it carries the default route; the lab takes the whole " \
                       "interface, give it one that is not this machine's way out" % iface
    for a in (ip_json("addr", "show", "dev", iface) or [{}])[0].get("addr_info", []):
        if a.get("family") == "inet" or a.get("scope") == "global":
            return "LAB_IF=%s: it has the address %s; the lab takes the whole interface " \
                   "(flush its addresses first: ip addr flush dev %s)" % (iface, a["local"], iface)
    if os.path.exists("/sys/class/net/%s/master" % iface):
        return "LAB_IF=%s: it is already in a bridge or bond" % iface
    return None


class HostPort:
    """IFACE and the appliance's tap in a bridge of the host's; undone by
    close()."""

    def __init__(self, iface):
        self.iface = iface
        self.was_up = "UP" in (ip_json("link", "show", "dev", iface) or [{}])[0].get("flags", [])
        self.made, self.taps = [], []
        for cmd in (["link", "add", BRIDGE, "type", "bridge", "stp_state", "0",
                     "forward_delay", "0"],
                    ["tuntap", "add", TAP, "mode", "tap"],
                    ["link", "set", TAP, "master", BRIDGE, "up"],
                    ["link", "set", iface, "master", BRIDGE, "up"],
                    ["link", "set", BRIDGE, "up"]):
            r = subprocess.run(["ip"] + cmd, capture_output=True, text=True)
            if r.returncode != 0:
                self.close()
                fail("LAB_IF=%s: ip %s: %s" % (iface, " ".join(cmd), r.stderr.strip()))
            self.made.append(cmd)
        subprocess.run(["sysctl", "-qw", "net.ipv6.conf.%s.disable_ipv6=1" % BRIDGE])

    def netdev(self):
        return ["-netdev", "tap,id=lab,ifname=%s,script=no,downscript=no" % TAP]

    def tap(self, name):
        """Another guest's tap in the bridge (a QEMU client beside the
        machines on IFACE)."""
        for cmd in (["tuntap", "add", name, "mode", "tap"],
                    ["link", "set", name, "master", BRIDGE, "up"]):
            subprocess.run(["ip"] + cmd, check=True)
        self.taps.append(name)
        return ["-netdev", "tap,id=lab,ifname=%s,script=no,downscript=no" % name]

    def close(self):
        subprocess.run(["ip", "link", "set", self.iface, "nomaster"], stderr=subprocess.DEVNULL)
        if not self.was_up:
            subprocess.run(["ip", "link", "set", self.iface, "down"], stderr=subprocess.DEVNULL)
        for dev in self.taps + [TAP, BRIDGE]:
            subprocess.run(["ip", "link", "del", dev], stderr=subprocess.DEVNULL)


# -- following the clients ---------------------------------------------------
class Client:
    def __init__(self, name, mac, guest=None):
        self.name, self.mac, self.guest = name, mac.lower(), guest
        self.ip = None
        self.stage = None
        self.started = time.monotonic()

    def reach(self, stage, detail=""):
        if self.stage and STAGES.index(stage) <= STAGES.index(self.stage):
            return
        self.stage = stage
        say("%-5s %s  %-6s %5.1f s%s" % (self.name, self.mac, stage,
                                         time.monotonic() - self.started,
                                         "  " + detail if detail else ""))


FILES = {"undionly.kpxe": "loader", "snponly.efi": "loader", "ipxe.efi": "loader",
         "boot.ipxe": "script", "bzImage": "kernel", "rootfs.cpio.gz": "initrd"}
PXED = re.compile(r"pxed: (?:DISCOVER|REQUEST) from ([0-9a-f:]{17}) on \S+ \([^)]*\): "
                  r"(?:offer|ack) (\d+\.\d+\.\d+\.\d+)")
TFTPD = re.compile(r"tftpd: RRQ (\S+) octet from (\d+\.\d+\.\d+\.\d+):\d+: (\d+) bytes in")
HTTPD = re.compile(r'httpd: (\d+\.\d+\.\d+\.\d+):\d+ "GET /(\S+)" 200 (\d+) bytes')


def follow(text, clients, by_ip):
    """One line of the appliance's console: move its client on."""
    m = PXED.search(text)
    if m:
        mac, ip = m.group(1), m.group(2)
        c = clients.get(mac)
        if not c:
            c = clients[mac] = Client("mac", mac)
        c.ip = ip
        by_ip[ip] = c
        c.reach("dhcp", ip)
        return
    for rx, how in ((TFTPD, "tftp"), (HTTPD, "http")):
        m = rx.search(text)
        if not m:
            continue
        a, b = (m.group(2), m.group(1)) if rx is TFTPD else (m.group(1), m.group(2))
        c, stage = by_ip.get(a), FILES.get(os.path.basename(b))
        if c and stage:
            c.reach(stage, "%s %s bytes by %s" % (os.path.basename(b), m.group(3), how))


def appliance_conf():
    """The image's pxed.conf in server mode, with a pool if it has none
    (and LAB_EFI's file for x86-64 UEFI clients, if set)."""
    efi = os.environ.get("LAB_EFI", "")
    with open(os.path.join(OUT, "target/etc/tern/pxed.conf")) as f:
        lines = [line for line in f.read().splitlines()
                 if not re.match(r"\s*(mode|pool|netmask|lease)\b", line)
                 and not (efi and re.match(r"\s*arch 7,9\b", line))]
    return "\n".join(lines + ["mode server", "pool 192.0.2.100 192.0.2.199",
                              "netmask 255.255.255.0", "lease 600"]
                     + ["arch 7,9 file " + efi] * bool(efi)) + "\n"


def main():
    iface = os.environ.get("LAB_IF", "")
    names = os.environ.get("LAB_CLIENTS", "" if iface else "bios uefi").split()
    timeout = float(os.environ.get("LAB_TIMEOUT") or 400)
    seconds = float(os.environ.get("LAB_SECONDS") or 0)
    for n in names:
        if n not in CLIENT_MACS:
            fail("LAB_CLIENTS: %s is not a client kind (bios, uefi)" % n)
    if os.geteuid() != 0:
        fail("needs root (network namespaces, taps, a bridge)")
    if os.environ.get("TERN_BOARD") != "qemu_x86_64":
        fail("the lab boots the qemu_x86_64 board's image (this is %s)"
             % os.environ.get("TERN_BOARD"))
    if iface:
        why = check_if(iface)
        if why:
            fail(why)
    logdir = os.path.join(OUT, "lab")
    os.makedirs(logdir, exist_ok=True)
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    guests, clients, by_ip = {}, {}, {}
    with tempfile.TemporaryDirectory() as tmp, Lab() as lab:
        port = HostPort(iface) if iface else None
        try:
            netdev = port.netdev() if port else lab.tap("tapapp")
            initrd = site_initrd(tmp, [], [("/etc/tern/pxed.conf", appliance_conf())])
            os.environ["TERN_INITRD"] = initrd
            app = guests["appliance"] = Guest(
                cmdline="tern.hostname=lab tern.iface=eth0 tern.ip=%s/24" % APPLIANCE,
                qemu_args=netdev + ["-device", "virtio-net-pci,netdev=lab,mac=" + APPLIANCE_MAC],
                netns=None if port else lab.ns, debug_shell=False)
            say("appliance booting (%s on %s; consoles in %s)"
                % (APPLIANCE, "LAB_IF=" + iface if iface else "a private segment", logdir))
            try:
                took = app.wait_ready(timeout=180)
            except GuestError as e:
                say("the appliance did not boot: %s" % str(e).splitlines()[0])
                return 1
            say("appliance ready in %.1f s, pxed in server mode" % took)
            for n in names:
                mac = CLIENT_MACS[n]
                tap = port.tap("tern-lab-" + n) if port else lab.tap("tap" + n)
                g = guests[n] = Guest(argv=client_argv(n.upper(), mac, tap, tmp),
                                      netns=None if port else lab.ns, debug_shell=False)
                clients[mac] = Client(n, mac, g)
            seen = 0
            # With clients: until each is ready, at most LAB_TIMEOUT; with
            # none: LAB_SECONDS, or until Ctrl-C on LAB_IF.
            limit = timeout if names else seconds or (float("inf") if iface else 0)
            deadline = time.monotonic() + limit
            while not stop and time.monotonic() < deadline:
                for g in guests.values():
                    try:
                        g._read(time.monotonic() + 0.05)
                    except GuestError:
                        pass
                text = app.log[seen:].decode("utf-8", "replace")
                end = text.rfind("\n") + 1
                for line in text[:end].splitlines():
                    follow(line, clients, by_ip)
                seen += len(text[:end].encode("utf-8", "replace"))
                for c in clients.values():
                    if c.guest and READY.search(c.guest.log):
                        c.reach("ready", "(%s)" % READY.search(c.guest.log).group(0).decode())
                if names and all(c.stage == "ready" for c in clients.values() if c.guest):
                    break
            ok = all(c.stage == "ready" for c in clients.values() if c.guest)
            for c in clients.values():
                if c.guest and c.stage != "ready":
                    say("%-5s %s  stopped at %s" % (c.name, c.mac, c.stage or "start"))
            return 0 if ok else 1
        finally:
            for name, g in guests.items():
                g.kill()
                with open(os.path.join(logdir, name + ".log"), "wb") as f:
                    f.write(g.log)
            if port:
                port.close()


if __name__ == "__main__":
    if not shutil.which("qemu-system-x86_64"):
        fail("qemu-system-x86_64 not found (make host-deps)")
    sys.exit(main())
