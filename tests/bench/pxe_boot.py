#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""pxe_boot.py [-r RUNS] [-s MIB] [CLIENT...] -- issue 16's scenario (5): the PXE lab's time
from a client's QEMU start to its ready line when its boot carries a MIB MiB payload (default
64), over TFTP lockstep, TFTP with a window and HTTP.  Run by `make bench` (as root: a bridge
and taps in a network namespace of its own, tests/qemu/lib/guest.py's Lab, so that the
timings measure the guests, not a socket link).

The appliance is the image (qemu_x86_64) with pxed in server mode, tftpd and httpd serving
/srv/tftp, and these clients, booted one at a time (CLIENT names a subset):

  ipxe-http   SeaBIOS with QEMU's iPXE ROM; its script from http://, so the kernel,
              rootfs.cpio.gz and pad.cpio (MIB MiB of random bytes in a cpio, a second
              initramfs the kernel unpacks) come over HTTP;
  ipxe-tftp   the same ROM and script from tftp:// (pxed's host line): the same files over
              TFTP; iPXE asks no windowsize (it has no RFC 7440), so this is lockstep;
  uefi-tftp   OVMF with EDK2's own PXE (NIC ROM off): its boot file tern-pad.efi, the pc
              board's slot.efi (a UKI: kernel, initramfs, command line) with MIB MiB of
              random bytes after it (outside its sections: loaded, never read), over TFTP
              with the windowsize EDK2 asks (tftpd's log line shows the options);
  uefi-http   OVMF's own UEFI HTTP Boot of the same tern-pad.efi, over HTTP.

Each figure: seconds from the client's QEMU start to its `tern: ready` line, and the
transfer part, the seconds tftpd or httpd log for the client's files (their sum).  RUNS
rounds (default 1), clients interleaved.  Under TCG (this machine has no KVM) firmware and
kernel boot dominate the whole; the transfer part is what the protocols change.  Ratios:
ipxe-http against ipxe-tftp (issue 16's target: HTTP >= 5x lockstep TFTP for the transfer
part), uefi-http against uefi-tftp.  A table to stdout and out/bench/pxe_boot.md.
"""
import argparse
import datetime
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
TOP = os.environ.get("TERN_TOP") or os.path.abspath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.path.insert(0, os.path.join(TOP, "tests", "qemu", "lib"))
from guest import Guest, GuestError, Lab, accel, client_argv, site_initrd  # noqa: E402

MiB = 1 << 20
APPLIANCE_MAC = "52:54:00:00:0b:01"
CLIENTS = {  # name: (kind, MAC)
    "ipxe-http": ("BIOS", "52:54:00:00:0b:64"),
    "ipxe-tftp": ("BIOS", "52:54:00:00:0b:65"),
    "uefi-tftp": ("UEFI", "52:54:00:00:0b:66"),
    "uefi-http": ("UEFI-HTTP", "52:54:00:00:0b:67"),
}
SCRIPT = """#!ipxe
kernel bzImage console=ttyS0 quiet panic=-1 no_timer_check tern.hostname=netclient tern.role=client
initrd rootfs.cpio.gz
initrd pad.cpio
boot
"""
TIMEOUT = 900


def conf():
    return """# pxe_boot.py: the appliance as the DHCP server of an isolated lab
mode server
pool 192.0.2.100 192.0.2.199
netmask 255.255.255.0
lease 600
router 192.0.2.1
arch 0 file undionly.kpxe
arch 7 file tern-pad.efi
arch 16 file tern-pad.efi
ipxe file boot.ipxe
http-server http
host %s ipxe tftp://192.0.2.1/boot.ipxe
""" % CLIENTS["ipxe-tftp"][1]


def slot_efi():
    """The pc_x86_64 board's UKI, which make test builds (TERN_DISK_OUT)."""
    return os.path.join(os.environ.get("TERN_DISK_OUT") or
                        os.path.join(os.environ["TERN_OUT"], "pc_x86_64"), "images", "slot.efi")


def payloads(tmp, size):
    """pad.cpio (a newc cpio of one file of size random bytes) and tern-pad.efi
    (slot.efi and size random bytes): their paths."""
    out = os.environ["TERN_OUT"]
    raw = os.path.join(tmp, "pad.bin")
    with open(raw, "wb") as f:
        for _ in range(size // MiB):
            f.write(os.urandom(MiB))
    lst = os.path.join(tmp, "pad.list")
    with open(lst, "w") as f:
        f.write("file /pad.bin %s 0644 0 0\n" % raw)
    cpio = os.path.join(tmp, "pad.cpio")
    with open(cpio, "wb") as f:
        subprocess.run([os.path.join(out, "host", "bin", "gen_init_cpio"), lst], stdout=f,
                       check=True)
    efi = os.path.join(tmp, "tern-pad.efi")
    with open(efi, "wb") as f:
        for path in (slot_efi(), raw) if os.path.exists(slot_efi()) else (raw,):
            with open(path, "rb") as src:
                shutil.copyfileobj(src, f)
    os.unlink(raw)
    return cpio, efi


def argv(name, tap, tmp):
    kind, mac = CLIENTS[name]
    if kind != "UEFI-HTTP":
        return client_argv(kind, mac, tap, tmp)
    # EDK2's PXE off through fw_cfg, so that it goes to HTTP Boot
    # (tests/qemu/http_boot.t does the same).
    return client_argv("UEFI", mac, tap, tmp) + [
        "-fw_cfg", "name=opt/org.tianocore/IPv4PXESupport,string=n",
        "-fw_cfg", "name=opt/org.tianocore/IPv6PXESupport,string=n",
        "-fw_cfg", "name=opt/org.tianocore/IPv6Support,string=n"]


def transfers(app, ip, mark, names):
    """{name: (seconds, bytes, options)} of the whole transfers to ip logged after mark."""
    got = {}
    text = app.log[mark:].decode("utf-8", "replace")
    for m in re.finditer(r"tftpd: RRQ (\S+) octet from %s:\d+: (\d+) bytes in ([0-9.]+) s([^\r\n]*)"
                         % re.escape(ip), text):
        got[m.group(1).lstrip("/")] = (float(m.group(3)), int(m.group(2)), m.group(4).strip())
    for m in re.finditer(r'httpd: %s:\d+ "GET /(\S+)" 200 (\d+) bytes ([0-9.]+) s\r?\n'
                         % re.escape(ip), text):
        got[m.group(1)] = (float(m.group(3)), int(m.group(2)), "http")
    return {n: got[n] for n in names if n in got}


def boot(lab, app, name, tmp, n):
    """One boot of client name: (seconds to ready, transfer seconds, options), or None."""
    mark = len(app.log)
    tap = lab.tap("tap%s%d" % (name.replace("-", "")[:6], n))
    files = ["tern-pad.efi"] if name.startswith("uefi") else \
        ["bzImage", "rootfs.cpio.gz", "pad.cpio"]
    cli = Guest(argv=argv(name, tap, tmp), netns=lab.ns, debug_shell=False)
    try:
        cli.wait_ready(timeout=TIMEOUT)
        took = time.monotonic() - cli.started
        m = app.wait_log(rb"pxed: REQUEST from %s on eth0 \([^)]*\): ack (\d+\.\d+\.\d+\.\d+)"
                         % CLIENTS[name][1].encode(), mark)
        ip = m.group(1).decode()
        deadline = time.monotonic() + 10
        while True:  # the appliance logs a turn's lines at its end
            got = transfers(app, ip, mark, files)
            if len(got) == len(files) or not app._read(deadline):
                break
        if len(got) != len(files):
            print("pxe_boot: %s: no log line for %s" % (name, set(files) - set(got)),
                  file=sys.stderr)
            return None
        opts = {m.group(0) for f in files
                for m in [re.search(r"blksize \d+ windowsize \d+", got[f][2])] if m}
        how = "tftp, " + ", ".join(sorted(opts)) if opts else "http"
        return took, sum(v[0] for v in got.values()), how
    except GuestError as e:
        print("pxe_boot: %s did not reach its ready line: %s\nits console:\n%s"
              % (name, str(e).splitlines()[0], cli.tail(1500)), file=sys.stderr)
        return None
    finally:
        cli.kill()
        with open(os.path.join(os.environ["TERN_OUT"], "bench", "pxe_boot-%s.log" % name),
                  "wb") as f:
            f.write(cli.log)


def med(vals):
    if not vals:
        return "failed", None
    vals = sorted(vals)
    m = statistics.median(vals)
    return ("%.1f" % m if len(vals) == 1 else "%.1f [%.1f-%.1f]" % (m, vals[0], vals[-1])), m


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-r", type=int, default=1, help="rounds")
    ap.add_argument("-s", type=int, default=64, help="payload in MiB")
    ap.add_argument("clients", nargs="*", default=list(CLIENTS))
    a = ap.parse_args()
    if set(a.clients) - set(CLIENTS):
        sys.exit("pxe_boot.py: clients are %s" % ", ".join(CLIENTS))
    if os.geteuid() != 0:
        sys.exit("pxe_boot.py: needs root (network namespaces, taps, a bridge)")
    if not os.path.exists(slot_efi()):
        print("pxe_boot.py: no %s (make BOARD=pc_x86_64): the UEFI clients are left out"
              % slot_efi(), file=sys.stderr)
        a.clients = [c for c in a.clients if not c.startswith("uefi")]
    started, load0 = time.monotonic(), os.getloadavg()[0]
    os.makedirs(os.path.join(os.environ["TERN_OUT"], "bench"), exist_ok=True)
    results = {c: [] for c in a.clients}
    with tempfile.TemporaryDirectory() as tmp, Lab() as lab:
        os.chmod(tmp, 0o755)
        cpio, efi = payloads(tmp, a.s * MiB)
        out = os.environ["TERN_OUT"]
        initrd = site_initrd(tmp, [
            "dir /srv 0755 0 0", "dir /srv/tftp 0755 0 0",
            "file /srv/tftp/bzImage %s 0644 0 0" % os.environ["TERN_KERNEL"],
            "file /srv/tftp/rootfs.cpio.gz %s 0644 0 0" % os.environ["TERN_INITRD"],
            "file /srv/tftp/pad.cpio %s 0644 0 0" % cpio,
            "file /srv/tftp/tern-pad.efi %s 0644 0 0" % efi,
            "dir /etc 0755 0 0", "dir /etc/tern 0755 0 0",
        ], [("/srv/tftp/boot.ipxe", SCRIPT), ("/etc/tern/pxed.conf", conf())])
        os.environ["TERN_INITRD"] = initrd
        # The appliance holds both payloads in its initramfs and in its tmpfs.
        os.environ["TERN_MEMORY"] = str(256 + 4 * a.s)
        app = Guest(cmdline="tern.hostname=appliance tern.iface=eth0 tern.ip=192.0.2.1/24",
                    qemu_args=lab.tap("tapapp") + [
                        "-device", "virtio-net-pci,netdev=lab,mac=" + APPLIANCE_MAC],
                    netns=lab.ns, debug_shell=False)
        os.environ["TERN_MEMORY"] = str(256 + 2 * a.s)  # the clients'
        try:
            app.wait_log(rb"pxed: server mode on ports 67 and 4011", timeout=300)
            app.wait_ready(timeout=120)
            n = 0
            for r in range(a.r):
                order = a.clients[r % len(a.clients):] + a.clients[:r % len(a.clients)]
                for name in order:
                    n += 1
                    got = boot(lab, app, name, tmp, n)
                    if got:
                        results[name].append(got)
                        print("  %-9s ready %6.1f s after QEMU start; transfers %7.2f s (%s)"
                              % (name, got[0], got[1], got[2]), flush=True)
        finally:
            app.kill()
            with open(os.path.join(out, "bench", "pxe_boot-appliance.log"), "wb") as f:
                f.write(app.log)
    rows = ["| client | QEMU start to ready, s | transfer part, s | how |", "|---|---:|---:|---|"]
    meds = {}
    for name in a.clients:
        runs = results[name]
        whole, _ = med([x[0] for x in runs])
        part, meds[name] = med([x[1] for x in runs])
        rows.append("| %s | %s | %s | %s |" % (name, whole, part, runs[0][2] if runs else "-"))
    ratios = []
    for fast, slow in (("ipxe-http", "ipxe-tftp"), ("uefi-http", "uefi-tftp")):
        if meds.get(fast) and meds.get(slow):
            ratios.append("%s's transfer part is %.1fx faster than %s's"
                          % (fast, meds[slow] / meds[fast], slow))
    text = "\n".join([
        "## PXE lab boot with a %d MiB payload (`make bench`, tests/bench/pxe_boot.py -r %d)"
        % (a.s, a.r), "",
        "%s; %d CPUs, Linux %s, QEMU %s; load average %.1f before, %.1f after; whole run %.0f s"
        % (datetime.date.today().isoformat(), os.cpu_count() or 1, platform.release(),
           accel(), load0, os.getloadavg()[0], time.monotonic() - started), ""] + rows +
        [""] + ["- " + r for r in ratios]) + "\n"
    print()
    print(text)
    with open(os.path.join(out, "bench", "pxe_boot.md"), "w") as f:
        f.write(text)
    return 0 if all(results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
