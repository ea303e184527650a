#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# The PXE lab, end to end, with the image as built: a Tern appliance guest
# serves its own boot files (iPXE's loaders, boot.ipxe, its kernel and
# initramfs; rootfs/Kconfig PXE_SERVE_TERN) to diskless QEMU clients that
# have no kernel, and each client boots Tern and prints its ready line:
#
#   BIOS: SeaBIOS with QEMU's own iPXE NIC ROM (Debian's ipxe-qemu);
#   UEFI: OVMF with the NIC's option ROM off, so EDK2's own PXE fetches
#         iPXE, which fetches boot.ipxe and starts the EFI-stub kernel:
#         the image's default snponly.efi in proxy mode, ipxe.efi (named
#         in the server round's pxed.conf) in server mode.
#
# First in proxy mode (pxed's default) beside an independent DHCP server
# (dnsmasq, DHCP only, which names itself as next-server), then, after
# pxed.conf is rewritten on the appliance and pxed reloaded with SIGHUP, in
# server mode (pxed leases the addresses); one appliance boot for all.
# The UEFI client of the proxy round starts once the BIOS client has
# booted and while it runs: a netbooted Tern (tern.role=client, from the
# served boot.ipxe) must start neither pxed nor tftpd, so the second client
# still boots from the appliance.
#
# The appliance's status page (httpd -w, app/httpd/README.md) is read all
# along from the lab's namespace: /status.json while the first BIOS client
# boots (its MAC, an earlier stage, then "booted" with its files), /status
# with curl and rendered by headless Chromium (the screenshot is kept as
# out/tests/status.png), and a BIOS client pointed at a missing file
# (a host line in server mode) shown stalled with the cause.
#
# All guests are on a bridge with a tap each, in a network namespace of the
# test (guest.py Lab): -netdev socket holds back OVMF's windowed TFTP.
# Nothing else is on the segment (no -netdev user: QEMU's slirp BOOTP/TFTP
# cannot answer).  Each client's time from starting its QEMU to its ready
# line is printed.  In proxy mode iPXE (Debian 12's 1.0.0+git-20190125)
# waits about 16 s for an IPv6 router the lab does not have; in server
# mode pxed answers its router solicitations (app/pxed/ra.h) and it does
# not wait.
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from guest import OVMF_CODE, Guest, GuestError, Lab, Tap, accel, auto_mk, client_argv  # noqa: E402

OUT = os.environ["TERN_OUT"]
KERNEL = os.environ["TERN_KERNEL"]
SERVED_INITRD = os.path.join(OUT, "build/rootfs-target.cpio.gz")  # images/images.mk
IPXE = [os.path.join(OUT, "build", d) for d in os.listdir(os.path.join(OUT, "build"))
        if d.startswith("ipxe-")]
IPXE_FILES = {"undionly.kpxe": "usr/lib/ipxe/undionly.kpxe",  # in Debian's package
              "snponly.efi": "usr/lib/ipxe/snponly.efi", "ipxe.efi": "boot/ipxe.efi"}
APPLIANCE_MAC = "52:54:00:00:02:01"
CLIENT_TIMEOUT = 240
MISSING_MAC = "52:54:00:00:02:68"
# Debian's iPXE for UEFI PXE clients: the image's default (pxed's
# PXED_FILE_EFI64), and the other one, which the server round names.
EFI_LOADER = {"proxy": "snponly.efi", "server": "ipxe.efi"}
SERVER_CONF = ("mode server", "pool 192.0.2.100 192.0.2.109", "netmask 255.255.255.0",
               "lease 600", "router 192.0.2.1", "arch 0 file undionly.kpxe",
               "arch 7,9 file ipxe.efi", "ipxe file boot.ipxe",
               "host %s ipxe missing.ipxe" % MISSING_MAC)
STATUS_URL = "http://192.0.2.1:%s" % auto_mk().get("CONFIG_HTTPD_STATUS_PORT", "9180")
SCREENSHOT = os.path.join(OUT, "tests", "status.png")

if os.geteuid() != 0 or not shutil.which("dnsmasq") or not os.path.exists(OVMF_CODE):
    print("1..0 # SKIP needs root, dnsmasq and OVMF (toolchain/host-packages)")
    sys.exit(0)

t = Tap(31)

# The image as built: pxed and tftpd marked as serving others, pxed's
# generated configuration accepted by pxed.
with open(os.path.join(OUT, "target/etc/tern/services")) as f:
    services = f.read()
r = subprocess.run([os.path.join(os.environ["TERN_APPS"], "pxed"), "-t", "-c",
                    os.path.join(OUT, "target/etc/tern/pxed.conf")],
                   capture_output=True, text=True)
t.ok(re.search(r"(?m)^pxed respawn role=server /usr/sbin/pxed -c /etc/tern/pxed\.conf ", services)
     and re.search(r"(?m)^tftpd respawn role=server /usr/sbin/tftpd ", services)
     and r.returncode == 0, "the image starts pxed and tftpd as role=server services, and "
     "its generated pxed.conf passes pxed -t", services + r.stdout + r.stderr)


def boot_client(lab, app, kind, mode, mac, tap, tmp):
    """Start a client, wait for its ready line; returns (guest, offset of
    the appliance's console when it started).  The guest is running."""
    mark = len(app.log)
    cli = Guest(argv=client_argv(kind, mac, lab.tap(tap), tmp), netns=lab.ns)
    try:
        cli.wait_ready(timeout=CLIENT_TIMEOUT)
        took = time.monotonic() - cli.started
        t.ok(True, "%s mode: a %s client boots Tern from the appliance, ready %.1f s after "
             "its QEMU started" % (mode, kind, took))
        print("# pxe_lab: %s mode, %s client: QEMU start to ready line %.1f s (%s)"
              % (mode, kind, took, accel()), flush=True)
    except GuestError as e:
        t.ok(False, "%s mode: a %s client boots Tern from the appliance" % (mode, kind),
             "%s\nappliance console tail:\n%s" % (e, app.tail(3000)))
    return cli, mark


def check_served(app, cli, kind, mode, mac, mark, leased_from):
    """What the appliance logged for this client, and what the client says."""
    m = re.escape(mac).encode()
    why = ""
    efi = EFI_LOADER[mode]
    loader = re.escape(efi).encode()
    try:
        if kind == "UEFI":
            # EDK2's PXE (arch 7): the loader; then the iPXE it loaded.
            app.wait_log(rb"pxed: \w+ from %s on eth0 \(arch 7\): [a-z ]+ \S+, file %s"
                         % (m, loader), mark)
        # boot.ipxe over HTTP when the image has httpd (pxed's http-server
        # line, its default), else over TFTP.
        got = app.wait_log(rb"pxed: \w+ from %s on eth0 \(arch \d+, iPXE\): [a-z ]+ "
                           rb"(\S+), file (http://\S+/)?boot\.ipxe" % m, mark)
    except GuestError as e:
        got = None
        why = str(e)
    t.ok(got, "%s mode, %s client: pxed hands %sthe script boot.ipxe to its iPXE"
         % (mode, kind, "EDK2's PXE %s, then " % efi if kind == "UEFI" else ""), why)
    # Its address: from pxed's lease in server mode, the same for iPXE and
    # the netbooted Tern (by MAC); in proxy mode from dnsmasq, which may
    # tell EDK2, iPXE and udhcpc apart by their client identifiers.
    try:
        lease = cli.wait_log(rb"dhcp-eth0: udhcpc: lease of (192\.0\.2\.\d+) obtained",
                             timeout=60)
    except GuestError:
        lease = None
    if mode == "server":
        addr = re.escape(lease.group(1)) if lease else b"none"
    else:
        addr = rb"192\.0\.2\.(?:5\d|[6-9]\d)"
    names = [("boot.ipxe", None), ("bzImage", KERNEL), ("rootfs.cpio.gz", SERVED_INITRD)]
    http = bool(got and got.group(2))
    why = ""
    loaders = [(efi, os.path.join(IPXE[0], IPXE_FILES[efi]))] * (kind == "UEFI")
    for i, (name, path) in enumerate(loaders + names):
        size = (b"%d" % os.path.getsize(path)) if path else rb"\d+"
        # The loader always comes by TFTP; iPXE fetches the rest from where
        # its script came from.
        if http and (kind != "UEFI" or i > 0):
            rx = rb'httpd: %s:\d+ "GET /%s" 200 %s bytes ' % (addr, re.escape(name).encode(), size)
        else:
            rx = rb"tftpd: RRQ %s octet from %s:\d+: %s bytes in " % (re.escape(name).encode(), addr, size)
        try:
            app.wait_log(rx, mark, timeout=30)
        except GuestError as e:
            why += str(e).splitlines()[0] + "\n"
    t.ok(not why, "%s mode, %s client: %s sent %s whole to the client's address"
         % (mode, kind, "tftpd and httpd" if http else "tftpd",
            ", ".join(n for n, _ in loaders + names)), why)
    lo, hi = leased_from
    ok = lease and lo <= int(lease.group(1).split(b".")[3]) <= hi
    t.ok(ok, "%s mode, %s client: the netbooted Tern leases its address from %s"
         % (mode, kind, "dnsmasq" if mode == "proxy" else "pxed"),
         lease.group(0) if lease else cli.tail(2000))
    return lease


def check_client_serves_no_one(cli, kind):
    log = cli.log.decode("utf-8", "replace")
    left_out = all(re.search(r"init: /etc/tern/services:\d+: not starting %s: it is for role "
                             r"server, this box is client" % s, log) for s in ("pxed", "tftpd"))
    t.ok(left_out and not re.search(r"(?m)^\s*(pxed|tftpd): ", log)
         and "started pxed" not in log and "started tftpd" not in log,
         "the netbooted %s client (tern.role=client) started neither pxed nor tftpd" % kind,
         cli.tail(3000))


def status_get(lab, path):
    """The appliance's status page path, fetched from the lab's namespace; None if not."""
    r = subprocess.run(["ip", "netns", "exec", lab.ns, "curl", "-sS", "--max-time", "10",
                        STATUS_URL + path], capture_output=True, text=True, timeout=20)
    return r.stdout if r.returncode == 0 else None


def status_client(lab, mac):
    """The client mac of /status.json, or None."""
    try:
        doc = json.loads(status_get(lab, "/status.json") or "")
    except ValueError:
        return None
    return next((c for c in doc.get("clients") or [] if c["mac"] == mac), None)


class StatusWatch(threading.Thread):
    """The stages /status.json shows for a client, read every second while it boots."""

    def __init__(self, lab, mac):
        super().__init__(daemon=True)
        self.lab, self.mac, self.stages = lab, mac, []
        self.halt = threading.Event()
        self.start()

    def run(self):
        while not self.halt.wait(1.0):
            c = status_client(self.lab, self.mac)
            if c and (not self.stages or self.stages[-1] != c["stage"]):
                self.stages.append(c["stage"])

    def stop(self):
        self.halt.set()
        self.join(30)
        return self.stages


def chromium(lab, *args):
    r = subprocess.run(["ip", "netns", "exec", lab.ns, "chromium", "--headless", "--no-sandbox",
                        "--disable-gpu", "--window-size=1280,900"] + list(args) +
                       [STATUS_URL + "/status"], capture_output=True, text=True, timeout=120)
    return r.stdout, r.stderr


def check_status_page(lab, mac, stages):
    """What the page showed while the client booted, and shows now."""
    began = time.monotonic()
    booted = "booted" in stages
    t.ok(booted and stages.index("booted") > 0,
         "/status.json showed the BIOS client's MAC while it booted, stage by stage, "
         "then booted: %s" % " -> ".join(stages), str(stages))
    files = ("boot.ipxe", "bzImage", "rootfs.cpio.gz")  # the NIC ROM is iPXE: no loader
    page = status_get(lab, "/status") or ""
    row = next((r for r in page.split("<tr>") if mac in r), "")
    t.ok(">booted<" in row and all(f in row for f in files),
         "/status (curl): the client's row has its MAC, stage booted and its files", row or page[-3000:])
    for line in re.sub(r"<br>", ", ", re.sub(r"</t[dh]>", " | ", page)).splitlines():
        text = re.sub(r"<[^>]+>", "", line).strip()
        if text:
            print("# status: " + text)  # the page as text, for the README's example
    os.makedirs(os.path.dirname(SCREENSHOT), exist_ok=True)
    if os.path.exists(SCREENSHOT):
        os.unlink(SCREENSHOT)
    dom, err = chromium(lab, "--dump-dom", "--screenshot=" + SCREENSHOT)  # one start, both
    png = b""
    if os.path.exists(SCREENSHOT):
        with open(SCREENSHOT, "rb") as f:
            png = f.read(8)
    print("# pxe_lab: the status page checked and rendered in %.1f s" % (time.monotonic() - began),
          flush=True)
    t.ok(mac in dom and "booted" in dom and png == b"\x89PNG\r\n\x1a\n",
         "headless Chromium renders the page with the client's MAC and booted; screenshot "
         "kept in %s" % os.path.relpath(SCREENSHOT, os.environ["TERN_TOP"]), dom[-2000:] + err[-2000:])


def check_missing_file_client(lab, tmp):
    """A BIOS client (its NIC ROM is iPXE) whose script (pxed's host line)
    is missing: the page shows it stalled, and why."""
    cli = Guest(argv=client_argv("BIOS", MISSING_MAC, lab.tap("tapm"), tmp), netns=lab.ns)
    c, deadline = None, time.monotonic() + CLIENT_TIMEOUT
    with cli:
        while time.monotonic() < deadline:
            c = status_client(lab, MISSING_MAC)
            if c and c["stall"]:
                break
            time.sleep(1)
        page = status_get(lab, "/status") or ""
        print("# pxe_lab: the missing-file client shown stalled %.1f s after its QEMU started"
              % (time.monotonic() - cli.started), flush=True)
    row = next((r for r in page.split("<tr>") if MISSING_MAC in r), "")
    t.ok(c and c["stall"] == "file not found" and "missing.ipxe" in c["cause"]
         and "file not found: " in row and "missing.ipxe" in row,
         "a BIOS client pointed at a missing file: the page shows it stalled, file not found, "
         "missing.ipxe", "%s\n%s" % (c, row or page[-2000:]))


with tempfile.TemporaryDirectory() as tmp, Lab() as lab:
    lab.dhcp(tmp)
    app = Guest(cmdline="tern.hostname=appliance tern.iface=eth0 tern.ip=192.0.2.1/24",
                qemu_args=lab.tap("tapapp") + [
                    "-device", "virtio-net-pci,netdev=lab,mac=" + APPLIANCE_MAC],
                netns=lab.ns)
    with app:
        try:
            app.wait_log(rb"pxed: proxy mode on ports 67 and 4011", timeout=120)
            app.wait_ready(timeout=60)
            if not app.wait_shell():
                t.bail("the appliance's debug shell did not answer")
        except GuestError as e:
            t.bail(e)
        st, out = app.sh("cd /srv/tftp && ls -ln && cat boot.ipxe; cd /")
        sizes = {name: int(size) for size, name in re.findall(
            r"(?m)^-r\S\Sr\S\Sr\S\S\s+\d+\s+0\s+0\s+(\d+) .* (\S+)$", out)}
        want = {"bzImage": os.path.getsize(KERNEL),
                "rootfs.cpio.gz": os.path.getsize(SERVED_INITRD)}
        for d in IPXE:
            for name, path in IPXE_FILES.items():
                want[name] = os.path.getsize(os.path.join(d, path))
        t.ok(len(want) == 5 and all(sizes.get(k) == v for k, v in want.items())
             and "boot.ipxe" in sizes,
             "the image serves iPXE's loaders, boot.ipxe, its kernel and its first initramfs "
             "archive from /srv/tftp, root-owned, readable by all", out)
        t.ok(re.search(r"(?m)^kernel bzImage initrd=rootfs\.cpio\.gz .*tern\.role=client", out)
             and re.search(r"(?m)^initrd rootfs\.cpio\.gz$", out) and "next-server" not in out,
             "boot.ipxe: relative names, initrd= on the kernel line, tern.role=client", out)

        # -- proxy mode, beside dnsmasq ---------------------------------
        watch = StatusWatch(lab, "52:54:00:00:02:64")
        bios, mark = boot_client(lab, app, "BIOS", "proxy", "52:54:00:00:02:64", "tapb1", tmp)
        with bios:
            check_served(app, bios, "BIOS", "proxy", "52:54:00:00:02:64", mark, (50, 99))
            check_status_page(lab, "52:54:00:00:02:64", watch.stop())
            uefi, mark = boot_client(lab, app, "UEFI", "proxy", "52:54:00:00:02:65", "tapu1", tmp)
            with uefi:
                check_served(app, uefi, "UEFI", "proxy", "52:54:00:00:02:65", mark, (50, 99))
                # The BIOS client ran all along: it answered no one.
                check_client_serves_no_one(bios, "BIOS")
                check_client_serves_no_one(uefi, "UEFI")
                with open(lab.dnsmasq_log) as f:
                    dlog = f.read()
                t.ok(re.search(r"DHCPACK\(br0\) 192\.0\.2\.\d+ 52:54:00:00:02:65", dlog),
                     "dnsmasq, the site's DHCP server, gave the UEFI client its address", dlog)
        lab.stop_dhcp()

        # -- server mode: pxed.conf rewritten, SIGHUP -------------------
        mark = len(app.log)
        st, out = app.sh("printf '%%s\\n' %s >/etc/tern/pxed.conf && pxed -t && "
                         "kill -HUP $(pidof pxed)" % " ".join("'%s'" % l for l in SERVER_CONF))
        try:
            app.wait_log(rb"pxed: SIGHUP: /etc/tern/pxed\.conf reloaded \(server mode\)", mark)
            reloaded = True
        except GuestError as e:
            reloaded = False
            out += str(e)
        t.ok(st == 0 and reloaded, "the appliance's pxed switches to server mode on SIGHUP", out)
        for kind, mac, tap in (("BIOS", "52:54:00:00:02:66", "tapb2"),
                               ("UEFI", "52:54:00:00:02:67", "tapu2")):
            cli, mark = boot_client(lab, app, kind, "server", mac, tap, tmp)
            with cli:
                lease = check_served(app, cli, kind, "server", mac, mark, (100, 109))
                ack = None
                if lease:
                    try:
                        ack = app.wait_log(rb"pxed: REQUEST from %s on eth0 \(arch none \d+\): "
                                           rb"ack %s" % (re.escape(mac).encode(),
                                                         re.escape(lease.group(1))), mark)
                    except GuestError:
                        pass
                t.ok(ack, "server mode, %s client: pxed logs the netbooted Tern's own lease"
                     % kind, app.tail(2000))
        check_missing_file_client(lab, tmp)
        st, out = app.sh("cat /var/lib/pxed/leases")
        t.ok(len(re.findall(r"(?m)^192\.0\.2\.10\d 52:54:00:00:02:6[67] ", out)) == 2,
             "both server-mode clients' leases are in /var/lib/pxed/leases", out)
        app.send("poweroff\n")
        t.ok(app.wait_exit(timeout=30) == 0, "the appliance powers off")
t.done()
