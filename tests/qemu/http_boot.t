#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Network boot over HTTP, end to end: a Tern appliance guest (pxed in DHCP
# server mode with an http-server line, httpd and tftpd serving /srv/tftp)
# boots three diskless QEMU clients, one after the other, and each must
# reach its ready line:
#
#   1. iPXE (QEMU's own NIC ROM, Debian's ipxe-qemu, under SeaBIOS) is
#      handed http://192.0.2.1/boot.ipxe; the script names the kernel and
#      initramfs relative to its own URL, so they come over HTTP too
#      (httpd's log shows the three transfers, tftpd's none);
#   2. the same ROM, given the same script as tftp://192.0.2.1/boot.ipxe
#      by its host line: the same relative names come over TFTP (for the
#      figure: time to ready, and the transfers' time, HTTP against TFTP);
#   3. OVMF (Debian's ovmf, EDK2's own HttpBootDxe; the NIC's option ROM
#      off with romfile=, EDK2's PXE switched off through fw_cfg so that
#      it tries HTTP Boot first) sends option 60 "HTTPClient", arch 16, gets
#      http://192.0.2.1/tern.efi and boots it: the pc_x86_64 board's
#      slot.efi, a unified kernel image (kernel, initramfs, command line);
#   4. OVMF again, over HTTPS: pxed's line becomes `http-server https`
#      (SIGHUP), httpd serves certificates for 192.0.2.1 signed by the lab
#      CAs in keys/ (app/httpd/tls-lab.sh, as the build's: ECDSA and RSA),
#      and the client trusts a CA through QEMU's fw_cfg
#      (etc/edk2/https/cacerts, an EFI_SIGNATURE_LIST, read by OVMF's
#      TlsAuthConfigLib into the TlsCaCertificate variable HttpDxe reads).
#      Debian's OVMF 2022.11 has TLS (TlsDxe) in its HTTP Boot, but its
#      EDK2 OpenSSL offers RSA and DHE-RSA suites only, no ECDHE and no
#      ECDSA signature: httpd shows it its RSA certificate (DHE-RSA with
#      AES-GCM).  First trusting only the ECDSA lab CA (the wrong one): OVMF
#      takes the https:// URL, refuses httpd's chain by resetting the
#      connection (httpd logs a failed handshake, completes none) and boots
#      nothing; then trusting the RSA lab CA: it boots slot.efi over HTTPS
#      and reaches its ready line.
#
# The link: each client's QEMU connects a `-netdev socket` to its own
# listening port on the appliance's QEMU, where a QEMU hub joins them to
# the appliance's NIC: one L2 segment, no -netdev user (so QEMU's slirp
# cannot answer), documentation addresses.  The socket link batches small
# windows (DESIGN.md), which matters for windowed TFTP, not for these
# lockstep and TCP transfers; the figures printed are for comparison on
# this link, not a benchmark.  The appliance boots once for all three.
import os
import re
import shutil
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from guest import Guest, GuestError, Tap, accel, site_initrd  # noqa: E402

OUT = os.environ["TERN_OUT"]
KERNEL = os.environ["TERN_KERNEL"]
INITRD = os.environ["TERN_INITRD"]
SLOT = os.path.join(os.environ.get("TERN_DISK_OUT", ""), "images", "slot.efi")
OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd"
OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd"
APPLIANCE_MAC = "52:54:00:00:03:01"
HTTP_MAC = "52:54:00:00:03:64"
TFTP_MAC = "52:54:00:00:03:65"
UEFI_MAC = "52:54:00:00:03:66"
HTTPS_MAC = "52:54:00:00:03:67"
KEYS = os.path.join(os.environ["TERN_TOP"], "keys")
LAB_CA = os.path.join(KEYS, "httpd-lab-ca.pem")
LAB_RSA_CA = os.path.join(KEYS, "httpd-lab-rsa-ca.pem")
CONF = """# http_boot.t: the appliance as the DHCP server of an isolated lab
mode server
pool 192.0.2.100 192.0.2.109
netmask 255.255.255.0
lease 600
router 192.0.2.1
arch 0 file undionly.kpxe
arch 16 file tern.efi
ipxe file boot.ipxe
http-server http
host %s ipxe tftp://192.0.2.1/boot.ipxe
""" % TFTP_MAC
# Relative names: resolved against the script's own URL (http:// or tftp://).
SCRIPT = """#!ipxe
kernel bzImage console=ttyS0 quiet panic=-1 no_timer_check tern.hostname=netclient
initrd rootfs.cpio.gz
boot
"""
CLIENT_TIMEOUT = 240
FILES = (("boot.ipxe", len(SCRIPT)), ("bzImage", os.path.getsize(KERNEL)),
         ("rootfs.cpio.gz", os.path.getsize(INITRD)))


def free_tcp_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bios_client(mac, port):
    return ["qemu-system-x86_64", "-machine", "q35,accel=" + accel(), "-cpu", "max",
            "-m", os.environ.get("TERN_MEMORY", "256"), "-nographic", "-no-reboot",
            "-nic", "none", "-boot", "n",
            "-netdev", "socket,id=lab,connect=127.0.0.1:%d" % port,
            "-device", "virtio-net-pci,netdev=lab,mac=" + mac]


def uefi_client(mac, port, vars_path, cacerts=None):
    return ["qemu-system-x86_64", "-machine", "q35,accel=" + accel("x86_64-uefi"),
            "-cpu", "max", "-m", "512", "-nographic", "-no-reboot",
            "-drive", "if=pflash,format=raw,unit=0,readonly=on,file=" + OVMF_CODE,
            "-drive", "if=pflash,format=raw,unit=1,file=" + vars_path,
            "-fw_cfg", "name=opt/org.tianocore/IPv4PXESupport,string=n",
            "-fw_cfg", "name=opt/org.tianocore/IPv6PXESupport,string=n",
            "-fw_cfg", "name=opt/org.tianocore/IPv6Support,string=n"] + \
        (["-fw_cfg", "name=etc/edk2/https/cacerts,file=" + cacerts] if cacerts else []) + [
            "-nic", "none",
            "-netdev", "socket,id=lab,connect=127.0.0.1:%d" % port,
            "-device", "virtio-net-pci,netdev=lab,romfile=,bootindex=1,mac=" + mac]


def signature_list(pems):
    """The X.509 certificates pems as EDK2 reads its trusted CAs
    (NetworkPkg/HttpDxe/HttpsSupport.c, TlsConfigCertificate): one
    EFI_SIGNATURE_LIST a certificate, each its SignatureType
    EFI_CERT_X509_GUID, its SignatureListSize, SignatureHeaderSize 0 and
    SignatureSize, then one EFI_SIGNATURE_DATA: an owner GUID (HttpDxe
    ignores it: zero here) and the certificate's DER.  GUIDs little-endian
    in their first three fields, as EFI_GUID is laid out."""
    x509 = uuid.UUID("a5c059a1-94e4-4aa7-87b5-ab155c2bf072").bytes_le
    out = b""
    for pem in pems:
        der = ssl.PEM_cert_to_DER_cert(pem)
        size = 16 + len(der)
        out += x509 + struct.pack("<III", 28 + size, 0, size) + bytes(16) + der
    return out


def lab_certificates(tmp):
    """The server certificates for 192.0.2.1 and their keys, signed by the
    lab CAs in keys/ (the build's), made by the build's own tls-lab.sh on a
    copy of the CAs (tls-lab.sh keeps what it makes beside the CAs): the
    directory holding cert.pem, key.pem, rsa-cert.pem and rsa-key.pem."""
    ca = os.path.join(tmp, "ca")
    os.mkdir(ca)
    for name in ("httpd-lab-ca", "httpd-lab-rsa-ca"):
        for ext in (".pem", ".key"):
            shutil.copy(os.path.join(KEYS, name + ext), ca)
    subprocess.run(["sh", os.path.join(os.environ["TERN_TOP"], "app", "httpd", "tls-lab.sh"),
                    ca, ca, "192.0.2.1"], check=True, stderr=subprocess.DEVNULL)
    return ca


def boot_client(t, app, argv, what):
    """Start a client; return (guest, seconds from its QEMU's start to its
    ready line, the appliance's log offset at its start)."""
    mark = len(app.log)
    cli = Guest(argv=argv)
    try:
        cli.wait_ready(timeout=CLIENT_TIMEOUT)
        took = time.monotonic() - cli.started
        t.ok(True, "%s: ready %.1f s after its QEMU started" % (what, took))
        return cli, took, mark
    except GuestError as e:
        t.ok(False, "%s reaches its ready line" % what,
             "%s\nappliance console tail:\n%s" % (e, app.tail(3000)))
        cli.kill()
        t.bail("no client boot: " + what)


def leased(app, mac, mark, what):
    try:
        m = app.wait_log(rb"pxed: REQUEST from %s on eth0 \(arch \d+, %s\): ack (192\.0\.2\.10\d)"
                         % (re.escape(mac).encode(), what), mark)
        return m.group(1).decode()
    except GuestError:
        return None


def offered(app, mac, scheme, mark):
    """pxed's offer to the HTTP Boot client mac (arch 16) after mark, with
    SCHEME://192.0.2.1/tern.efi, or None."""
    try:
        return app.wait_log(rb"pxed: DISCOVER from %s on eth0 \(arch 16, HTTP\): offer \S+, "
                            rb"file %s://192\.0\.2\.1/tern\.efi"
                            % (re.escape(mac).encode(), scheme), mark)
    except GuestError:
        return None


def seconds_logged(app, pattern, mark):
    """The seconds (group 1) of the appliance's log line matching pattern
    after mark, or None."""
    try:
        return float(app.wait_log(pattern, mark).group(1))
    except GuestError:
        return None


def http_log(app, ip, name, size, mark):
    """httpd's line for a whole 200 of name to ip: its seconds, or None."""
    return seconds_logged(app, rb'httpd: %s:\d+ "GET /%s" 200 %d bytes ([0-9.]+) s\r?\n'
                          % (re.escape(ip).encode(), re.escape(name).encode(), size), mark)


def tftp_log(app, ip, name, size, mark):
    """tftpd's line for name sent whole to ip: its seconds, or None."""
    return seconds_logged(app, rb"tftpd: RRQ %s octet from %s:\d+: %d bytes in ([0-9.]+) s"
                          % (re.escape(name).encode(), re.escape(ip).encode(), size), mark)


t = Tap(16)

# The image as built: with httpd on, pxed.conf hands out http:// URLs.
with open(os.path.join(OUT, "target/etc/tern/pxed.conf")) as f:
    generated = f.read()
t.ok(re.search(r"(?m)^http-server http$", generated) and re.search(r"(?m)^arch 16 file \S+$", generated),
     "the image's pxed.conf (httpd on) has an http-server line and an x64 HTTP Boot file",
     generated)
for path, what in ((SLOT, "the pc_x86_64 board's slot.efi (make BOARD=pc_x86_64)"),
                   (OVMF_CODE, "OVMF (apt-get install ovmf)"),
                   (LAB_CA, "the lab CA httpd's certificate is signed by (make: "
                    "app/httpd/tls-lab.sh)"),
                   (LAB_RSA_CA, "the lab CA httpd's RSA certificate is signed by (make: "
                    "app/httpd/tls-lab.sh)")):
    if not os.path.exists(path):
        t.bail("%s is missing: %s" % (what, path))

with tempfile.TemporaryDirectory() as tmp:
    certs = lab_certificates(tmp)
    appliance_initrd = site_initrd(tmp, [
        "dir /srv 0755 0 0",
        "dir /srv/tftp 0755 0 0",
        "file /srv/tftp/bzImage %s 0644 0 0" % KERNEL,
        "file /srv/tftp/rootfs.cpio.gz %s 0644 0 0" % INITRD,
        "file /srv/tftp/tern.efi %s 0644 0 0" % SLOT,
        "dir /etc 0755 0 0",
        "dir /etc/tern 0755 0 0",
        "dir /etc/tern/httpd 0755 0 0",
    ] + ["file /etc/tern/httpd/%s %s 0%s 0 0" % (name, os.path.join(certs, name), mode)
         for name, mode in (("cert.pem", 644), ("key.pem", 600), ("rsa-cert.pem", 644),
                            ("rsa-key.pem", 600))],
        [("/srv/tftp/boot.ipxe", SCRIPT), ("/etc/tern/pxed.conf", CONF)])
    os.environ["TERN_INITRD"] = appliance_initrd   # for the appliance's Guest only

    ports = [free_tcp_port() for _ in range(3)]
    lab = ["-netdev", "hubport,id=lan,hubid=0",
           "-device", "virtio-net-pci,netdev=lan,mac=" + APPLIANCE_MAC]
    for i, port in enumerate(ports):
        lab += ["-netdev", "socket,id=s%d,listen=127.0.0.1:%d" % (i, port),
                "-netdev", "hubport,id=h%d,hubid=0,netdev=s%d" % (i, i)]
    with Guest(cmdline="tern.hostname=appliance tern.iface=eth0 tern.ip=192.0.2.1/24",
               qemu_args=lab) as app:
        try:
            app.wait_log(rb"pxed: server mode on ports 67 and 4011", timeout=120)
            app.wait_ready(timeout=60)
            if not app.wait_shell():
                t.bail("the appliance's debug shell did not answer")
            st, out = app.sh("ip -4 addr show eth0; ls /srv/tftp")
            running, pids = app.sh("pidof httpd && pidof pxed && pidof tftpd")
            t.ok("inet 192.0.2.1/24" in out and running == 0 and "tern.efi" in out,
                 "the appliance: eth0 192.0.2.1/24, httpd, pxed and tftpd running, the "
                 "lab's files in /srv/tftp", out + pids)
        except GuestError as e:
            t.bail(e)

        # 1. iPXE over HTTP.
        cli, http_took, mark = boot_client(t, app, bios_client(HTTP_MAC, ports[0]),
                                           "iPXE (BIOS) over HTTP")
        ip = leased(app, HTTP_MAC, mark, b"iPXE")
        offer = app.wait_log(rb"pxed: DISCOVER from %s on eth0 \(arch 0, iPXE\): offer \S+, "
                             rb"file http://192\.0\.2\.1/boot\.ipxe" % re.escape(HTTP_MAC).encode(),
                             mark) if ip else None
        t.ok(ip and offer, "pxed: iPXE's lease, and its script as http://192.0.2.1/boot.ipxe",
             app.tail(3000))
        http_secs = [http_log(app, ip or "none", n, s, mark) for n, s in FILES]
        t.ok(None not in http_secs, "httpd: boot.ipxe, bzImage and rootfs.cpio.gz sent whole "
             "(200, every byte) to the client's leased address", app.tail(3000))
        t.ok(not re.search(rb"tftpd: RRQ .* from %s:" % re.escape(ip or "none").encode(),
                           app.log[mark:]), "tftpd: nothing sent to it", app.tail(3000))
        cli.kill()

        # 2. The same script over TFTP.
        cli, tftp_took, mark = boot_client(t, app, bios_client(TFTP_MAC, ports[1]),
                                           "iPXE (BIOS) over TFTP")
        ip = leased(app, TFTP_MAC, mark, b"iPXE")
        tftp_secs = [tftp_log(app, ip or "none", n, s, mark) for n, s in FILES]
        t.ok(ip and None not in tftp_secs, "the same script from tftp://: its relative names "
             "come over TFTP (tftpd sent all three whole)", app.tail(3000))
        cli.kill()
        if None not in http_secs and None not in tftp_secs:
            print("# http_boot: iPXE client QEMU start to ready: HTTP %.1f s, TFTP %.1f s "
                  "(%s); kernel+initramfs transfers in the appliance's logs: HTTP %.3f s, "
                  "TFTP %.3f s" % (http_took, tftp_took, accel(), sum(http_secs[1:]),
                                   sum(tftp_secs[1:])), flush=True)

        # 3. OVMF's own UEFI HTTP Boot.
        vars_path = os.path.join(tmp, "vars.fd")
        with open(OVMF_VARS, "rb") as src, open(vars_path, "wb") as dst:
            dst.write(src.read())
        cli, uefi_took, mark = boot_client(t, app, uefi_client(UEFI_MAC, ports[2], vars_path),
                                           "OVMF UEFI HTTP Boot of slot.efi")
        print("# http_boot: OVMF HTTP Boot client QEMU start to ready: %.1f s (%s)"
              % (uefi_took, accel("x86_64-uefi")), flush=True)
        ip = leased(app, UEFI_MAC, mark, b"HTTP")
        offer = offered(app, UEFI_MAC, b"http", mark) if ip else None
        t.ok(ip and offer, "pxed: the HTTPClient's lease, with http://192.0.2.1/tern.efi",
             app.tail(3000))
        t.ok(re.search(rb"URI: http://192\.0\.2\.1/tern\.efi", cli.log),
             "OVMF's HTTP Boot took that URL (its console)", cli.tail(3000))
        t.ok(ip and http_log(app, ip, "tern.efi", os.path.getsize(SLOT), mark) is not None,
             "httpd: tern.efi sent whole to the client's leased address", app.tail(3000))
        cli.kill()

        # 4. OVMF over HTTPS: trusting the wrong CA, then the right one.
        mark = len(app.log)
        app.sh("sed -i 's/^http-server http$/http-server https/' /etc/tern/pxed.conf; "
               "kill -HUP $(pidof pxed)")
        app.wait_log(rb"pxed: SIGHUP: \S+ reloaded", mark)

        def https_client(ca_pem):
            cacerts = os.path.join(tmp, "cacerts.esl")
            with open(ca_pem) as f, open(cacerts, "wb") as out:
                out.write(signature_list([f.read()]))
            with open(OVMF_VARS, "rb") as src, open(vars_path, "wb") as dst:
                dst.write(src.read())
            return uefi_client(HTTPS_MAC, ports[2], vars_path, cacerts)

        cli = Guest(argv=https_client(LAB_CA))
        try:
            cli.wait_log(rb"URI: https://192\.0\.2\.1/tern\.efi", timeout=CLIENT_TIMEOUT)
            ip = leased(app, HTTPS_MAC, mark, b"HTTP")
            cli.wait_log(rb"Error: Could not retrieve NBP file size", timeout=120)
            refused = app.wait_log(rb"httpd: %s:\d+ TLS handshake failed: [^\r\n]*"
                                   % re.escape(ip or "none").encode(), mark)
            app.sh("kill -USR1 $(pidof httpd)")
            tls = app.wait_log(rb"httpd: tls: (\d+) handshakes, [^\r\n]*", mark)
            why = refused.group(0) + b"\n" + tls.group(0)
        except GuestError as e:
            ip, tls, why = None, None, "%s\nappliance:\n%s" % (e, app.tail(3000))
        t.ok(tls and tls.group(1) == b"0" and
             not re.search(rb'httpd: %s:\d+ "GET /tern\.efi"' % re.escape(ip or "none").encode(),
                           app.log[mark:]),
             "OVMF over HTTPS trusting only the ECDSA lab CA: it took https://192.0.2.1/tern.efi, "
             "reset the handshake on httpd's RSA chain (logged: handshake failed; 0 handshakes "
             "completed) and fetched nothing", why)
        print("# http_boot: OVMF HTTPS with the wrong CA ended %.1f s after its QEMU started"
              % (time.monotonic() - cli.started), flush=True)
        cli.kill()

        cli, https_took, mark = boot_client(t, app, https_client(LAB_RSA_CA),
                                            "OVMF UEFI HTTP Boot of slot.efi over HTTPS, "
                                            "trusting the RSA lab CA")
        print("# http_boot: OVMF HTTPS Boot client QEMU start to ready: %.1f s (%s)"
              % (https_took, accel("x86_64-uefi")), flush=True)
        ip = leased(app, HTTPS_MAC, mark, b"HTTP")
        offer = offered(app, HTTPS_MAC, b"https", mark) if ip else None
        t.ok(ip and offer and re.search(rb"URI: https://192\.0\.2\.1/tern\.efi", cli.log) and
             http_log(app, ip, "tern.efi", os.path.getsize(SLOT), mark) is not None,
             "pxed gave it https://192.0.2.1/tern.efi, OVMF took it, httpd sent tern.efi "
             "whole over TLS", app.tail(3000))
        cli.kill()

        app.send("poweroff\n")
        t.ok(app.wait_exit(timeout=30) == 0, "the appliance powers off")
t.done()
