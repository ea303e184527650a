#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# EDK2's own UEFI HTTP Boot (Debian's OVMF) against pxed and httpd, in both
# of pxed's modes: a QEMU client with no disk, its NIC's option ROM off
# (romfile=) and EDK2's PXE switched off through fw_cfg, on a tap in a
# network namespace with pxed and httpd (a link that does not batch):
#
#   server mode: pxed leases it an address and hands it option 60
#     "HTTPClient" and http://192.0.2.1:8080/tern.efi;
#   proxy mode: dnsmasq (DHCP only) leases the address, pxed's offer
#     without an address carries the URL, and EDK2 pairs the two (what
#     HttpBootDxe's HttpBootDhcp4.c calls DhcpOnly + ProxyIpUri).
#
# tern.efi is the pc_x86_64 board's slot.efi (kernel, initramfs and command
# line in one EFI image); the client must print its ready line.
import os
import re
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from httpd import PORT, Httpd, httpd_binary  # noqa: E402
from netns import Net, NetError, Tap, require_root, skip_all, tern_out  # noqa: E402

TOP = os.environ.get("TERN_TOP") or os.path.abspath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
SLOT = os.path.join(os.environ.get("TERN_DISK_OUT") or tern_out("pc_x86_64"), "images",
                    "slot.efi")
OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd"
OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd"
MAC = "52:54:00:00:04:66"
URL = "http://192.0.2.1:%d/tern.efi" % PORT
BOOT_TIMEOUT = 240

require_root()
for path, why in ((OVMF_CODE, "OVMF (apt-get install ovmf)"),
                  (SLOT, "the pc_x86_64 board's slot.efi (make BOARD=pc_x86_64)"),
                  (tern_out("build", "app", "pxed"), "pxed (make apps)")):
    if not os.path.exists(path):
        skip_all("%s is missing: %s" % (why, path))
for tool in ("dnsmasq", "qemu-system-x86_64"):
    if subprocess.call(["sh", "-c", "command -v " + tool], stdout=subprocess.DEVNULL) != 0:
        skip_all(tool + " is not installed")
if not httpd_binary():
    skip_all("httpd could not be built")
ACCEL = subprocess.run([os.path.join(TOP, "board", "accel.sh"), "x86_64-uefi"],
                       capture_output=True, text=True, check=True).stdout.strip()
t = Tap(8)


def client(lab, tmp, name):
    """The OVMF client on tap0, its console a Daemon's lines."""
    vars_path = os.path.join(tmp, name + ".vars")
    with open(OVMF_VARS, "rb") as src, open(vars_path, "wb") as dst:
        dst.write(src.read())
    return lab.daemon(["qemu-system-x86_64", "-machine", "q35,accel=" + ACCEL, "-cpu", "max",
                       "-m", "512", "-nographic", "-no-reboot",
                       "-drive", "if=pflash,format=raw,unit=0,readonly=on,file=" + OVMF_CODE,
                       "-drive", "if=pflash,format=raw,unit=1,file=" + vars_path,
                       "-fw_cfg", "name=opt/org.tianocore/IPv4PXESupport,string=n",
                       "-fw_cfg", "name=opt/org.tianocore/IPv6PXESupport,string=n",
                       "-fw_cfg", "name=opt/org.tianocore/IPv6Support,string=n",
                       "-nic", "none", "-netdev", "tap,id=n,ifname=tap0,script=no,downscript=no",
                       "-device", "virtio-net-pci,netdev=n,romfile=,bootindex=1,mac=" + MAC],
                      name="ovmf-" + name)


def boot(lab, tmp, name, what):
    """Boot a client to its ready line; its Daemon and (station address, seconds)."""
    q = client(lab, tmp, name)
    try:
        station = q.expect(r"Station IP address is (192\.0\.2\.\d+)", BOOT_TIMEOUT).group(1)
        q.expect(r"URI: " + re.escape(URL) + r"\s*$", 30)
        q.expect(r"tern: ready in [0-9.]+ s", BOOT_TIMEOUT)
        took = time.monotonic() - q.started
    except NetError as e:
        t.ok(False, what + ": OVMF boots tern.efi from the URL pxed gave and is ready", str(e))
        t.bail("no UEFI HTTP Boot in %s mode" % name)
    t.ok(True, "%s: OVMF boots %s (from pxed) and is ready %.1f s after its QEMU started"
         % (what, URL, took))
    print("# pxed_http_uefi: %s mode, OVMF QEMU start to ready over HTTP on a tap: %.1f s (%s)"
          % (name, took, ACCEL), flush=True)
    q.stop()
    return station


with Net() as net, tempfile.TemporaryDirectory() as tmp:
    os.chmod(tmp, 0o755)
    root = os.path.join(tmp, "srv")
    os.mkdir(root)
    subprocess.run(["cp", SLOT, os.path.join(root, "tern.efi")], check=True)
    lab = net.ns("lab")
    lab.ip("tuntap", "add", "dev", "tap0", "mode", "tap")
    lab.ip("addr", "add", "192.0.2.1/24", "dev", "tap0")
    lab.ip("link", "set", "tap0", "up")
    h = Httpd(lab, root, addr="192.0.2.1").start()
    size = os.path.getsize(SLOT)

    def pxed(conf_text, name):
        conf = os.path.join(tmp, name + ".conf")
        with open(conf, "w") as f:
            f.write(conf_text)
        d = lab.daemon([tern_out("build", "app", "pxed"), "-c", conf, "-l",
                        os.path.join(tmp, name + ".state", "leases"), "-i", "tap0", "-v"], name="pxed")
        d.wait_udp(67)
        return d

    # Server mode.
    p = pxed("mode server\npool 192.0.2.100 192.0.2.109\nrouter 192.0.2.1\n"
             "arch 16 file tern.efi\nhttp-server http :%d\n" % PORT, "server")
    station = boot(lab, tmp, "server", "server mode")
    t.ok(p.seen(r"DISCOVER from %s on tap0 \(arch 16, HTTP\): offer %s, file %s$"
                   % (MAC, re.escape(station), re.escape(URL))),
         "server mode: pxed offered it its address with the URL", p.tail())
    t.ok(h.log_lines(r'%s:\d+ "GET /tern\.efi" 200 %d bytes' % (re.escape(station), size)),
         "server mode: httpd sent tern.efi whole to it", h.d.tail())
    p.stop()

    # Proxy mode, beside dnsmasq.
    dns = lab.daemon(["dnsmasq", "--no-daemon", "--port=0", "--interface=tap0",
                      "--bind-interfaces", "--dhcp-range=192.0.2.150,192.0.2.159,255.255.255.0,10m",
                      "--dhcp-leasefile=" + os.path.join(tmp, "dnsmasq.leases"), "--log-dhcp"],
                     name="dnsmasq")
    dns.wait_udp(67)
    p = pxed("arch 16 file tern.efi\nhttp-server http :%d\n" % PORT, "proxy")
    station = boot(lab, tmp, "proxy", "proxy mode beside dnsmasq")
    t.ok(station.startswith("192.0.2.15"), "proxy mode: its address is dnsmasq's", station)
    t.ok(p.seen(r"DISCOVER from %s on tap0 \(arch 16, HTTP\): proxy offer 0\.0\.0\.0, file %s$"
                   % (MAC, re.escape(URL))),
         "proxy mode: pxed's proxy offer, no address, the URL", p.tail())
    t.ok(h.log_lines(r'%s:\d+ "GET /tern\.efi" 200 %d bytes' % (re.escape(station), size)),
         "proxy mode: httpd sent tern.efi whole to dnsmasq's address", h.d.tail())
    t.ok(not p.matches(r"(ack|offer) 192\.0\.2\.1\d\d"), "proxy mode: pxed leased nothing",
         p.tail())
t.done()
