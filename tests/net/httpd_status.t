#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# httpd's status pages (app/httpd/status.h) with the real daemons: pxed
# (server mode), tftpd and httpd in one namespace sharing a run directory,
# httpd's status listener bound to the server's interface (-w -I), BusyBox
# udhcpc, curl and a raw TFTP request as the clients.  /metrics passes
# promtool and its counters only rise while traffic runs (and the traffic
# shows); /status.json parses and agrees with /metrics; /status shows the
# clients, a booted one and one stalled on a missing file; a hostile
# vendor class and file name come out escaped on every page; the status
# port serves no file, the boot-file port no page, and the status port
# takes no connection from another interface.
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from dhcp_ns import MAC, PxedLab, require  # noqa: E402
from httpd import Httpd, require_httpd  # noqa: E402
from netns import Tap, skip_all  # noqa: E402
from tftpd import tern_tftpd  # noqa: E402
import tftpraw  # noqa: E402

require()
require_httpd()
if not os.access(tern_tftpd(), os.X_OK):
    skip_all("tftpd is not built (make apps)")
for tool, pkg in (("curl", "curl"), ("promtool", "prometheus")):
    if os.system("command -v %s >/dev/null 2>&1" % tool) != 0:
        skip_all("%s is not installed (%s, toolchain/host-packages)" % (tool, pkg))

CONF = """# httpd_status.t
mode server
pool 192.0.2.100 192.0.2.109
lease 600
arch 0 file undionly.kpxe
arch 7 file missing.efi
"""
STATUS = 9180
# What a client chooses: option 60 and a file name, with markup, quotes,
# an ampersand, a control byte and a byte that is no UTF-8.
VENDOR = b"PXEClient:Arch:00000:<b>'\"&\x01"
HOSTILE_FILE = b"<script>x'\"&\x01\xff.efi"
MAC2 = "52:54:00:12:34:57"

run = tempfile.mkdtemp(prefix="httpd-status-")
for d in ("stats", "journal"):
    os.mkdir(os.path.join(run, d))
os.environ["TERN_RUN_DIR"] = run  # every daemon started below inherits it
root = tempfile.mkdtemp(prefix="httpd-status-root-")
os.chmod(root, 0o755)
for name, size in (("undionly.kpxe", 70000), ("rootfs.cpio.gz", 300000), ("small", 1000)):
    with open(os.path.join(root, name), "wb") as f:
        f.write(os.urandom(size))


def fetch(cli, path, port=STATUS):
    """(status code, body text) of GET path from cli (the pages are UTF-8)."""
    r = cli.run(["curl", "-sS", "-o", "-", "-w", "\n%{http_code}", "--max-time", "10",
                 "http://192.0.2.1:%d%s" % (port, path)], timeout=15)
    body, _, code = r.stdout.rpartition("\n")
    return int(code or "0"), body


def samples(text):
    """{series: value} and {family: type} of an exposition text."""
    vals, types = {}, {}
    for line in text.splitlines():
        m = re.match(r"# TYPE (\S+) (\S+)$", line)
        if m:
            types[m.group(1)] = m.group(2)
        elif line and not line.startswith("#"):
            series, value = line.rsplit(" ", 1)
            vals[series] = float(value)
    return vals, types


def promtool(text):
    r = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True,
                       text=True, timeout=30)
    return r.returncode == 0, r.stdout + r.stderr


t = Tap(12)
with PxedLab(t, CONF) as lab:
    srv, cli = lab.srv, lab.cli
    tftpd = srv.daemon([tern_tftpd(), "-f", "-u", "root", "-r", root, "-a", "192.0.2.1"],
                       name="tftpd")
    tftpd.wait_udp(69)
    httpd = Httpd(srv, root, "-w", str(STATUS), "-I", srv.dev).start()
    # The status process and the first worker start at once: its line may
    # come before the "serving" line start() waited for, so look at all.
    listening = r"status pages on any address port %d of %s" % (STATUS, srv.dev)
    deadline = time.monotonic() + 5
    while not httpd.d.matches(listening) and time.monotonic() < deadline:
        time.sleep(0.05)
    if not httpd.d.matches(listening):
        t.abort("httpd's status process did not start" + httpd.d.tail())

    # A BIOS client with a hostile vendor class: DHCP, a hostile file
    # name refused, its boot file over TFTP, the initramfs over HTTP.
    r = lab.udhcpc("-V", VENDOR.decode(), "-x", "0x5d:0000")
    ip = r and r["ip"]
    peer = tftpraw.Peer(cli, "192.0.2.1")
    peer.send(tftpraw.request(tftpraw.RRQ, HOSTILE_FILE, "octet"))
    peer.recv(2.0)
    cli.run(["curl", "-sS", "-o", "/dev/null", "tftp://192.0.2.1/undionly.kpxe"])
    cli.run(["curl", "-sS", "-o", "/dev/null", "http://192.0.2.1:8080/rootfs.cpio.gz"])
    # A UEFI client pointed at a missing file.
    cli.ip("link", "set", cli.dev, "address", MAC2)
    r2 = lab.udhcpc("-V", "PXEClient:Arch:00007:UNDI:003016", "-x", "0x5d:0007")
    cli.run(["curl", "-sS", "-o", "/dev/null", "tftp://192.0.2.1/missing.efi"])

    code, body = fetch(cli, "/metrics")
    metrics = body
    ok, why = promtool(metrics)
    t.ok(code == 200 and ok, "/metrics passes promtool check metrics", "%d %s\n%s" % (code, why, metrics[:3000]))
    vals, types = samples(metrics)
    t.ok(vals.get("tern_tftpd_bytes_sent_total") == 70000
         and vals.get('tern_httpd_responses_total{code="2xx"}', 0) >= 1
         and vals.get('tern_daemon_up{daemon="pxed"}') == 1
         and vals.get('tern_journal_clients{stage="booted"}') == 1
         and vals.get('tern_journal_clients_stalled{cause="file not found"}') == 1
         and types.get("tern_tftpd_bytes_sent_total") == "counter"
         and not re.search(r"52:54:00|192\.0\.2\.10\d", metrics),
         "/metrics: tftpd's bytes, httpd's responses, the daemons up, clients by stage and "
         "stall cause; no client's MAC or address in any label", metrics[:4000])

    code, body = fetch(cli, "/status.json")
    try:
        doc = json.loads(body)
    except ValueError as e:
        doc = {}
        body += str(e)
    clients = {c["mac"]: c for c in doc.get("clients") or []}
    c1, c2 = clients.get(MAC), clients.get(MAC2)
    names = [f["name"] for f in c1["files"]] if c1 else []
    t.ok(code == 200 and c1 and c1["ip"] == ip and c1["stage"] == "booted" and c1["arch"] == 0
         and c1["vendor_class"] == "PXEClient:Arch:00000:<b>'\"&\\x01"
         and "<script>x'\"&\\x01\\xff.efi" in names and "undionly.kpxe" in names
         and "/rootfs.cpio.gz" in names,
         "/status.json parses: the booted client by MAC with its address, arch, vendor class "
         "and files, client-chosen bytes in their display form", body[:3000])
    t.ok(c2 and r2 and c2["ip"] == r2["ip"] and c2["stall"] == "file not found"
         and c2["cause"] == "missing.efi",
         "/status.json: the client pointed at a missing file, stalled: file not found, missing.efi",
         json.dumps(c2))
    tftp = [d for d in doc.get("daemons") or [] if d["name"] == "tftpd"]
    jbytes = [m["value"] for d in tftp for m in d["counters"]
              if m["name"] == "tern_tftpd_bytes_sent_total"]
    t.ok(jbytes == [vals.get("tern_tftpd_bytes_sent_total")] and tftp[0]["running"] == 1,
         "/status.json agrees with /metrics (tftpd's bytes sent, tftpd running)", json.dumps(tftp)[:2000])

    code, body = fetch(cli, "/status")
    page = body
    t.ok(code == 200 and '<meta http-equiv="refresh"' in page and "<script" not in page.lower()
         and MAC in page and MAC2 in page and ">booted<" in page
         and "file not found: missing.efi" in page and "undionly.kpxe" in page,
         "/status: no script, reloads itself, both clients, booted, the stall and its cause",
         page[-4000:])
    t.ok("PXEClient:Arch:00000:&lt;b&gt;&#39;&quot;&amp;\\x01" in page
         and "&lt;script&gt;x&#39;&quot;&amp;\\x01\\xff.efi" in page
         and "<b>'" not in page and "\x01" not in page,
         "/status: the hostile vendor class and file name escaped", page[-4000:])

    # Each side serves only its own: no file on the status port, no page
    # on the boot-file port; no status from another interface.
    c_file, _ = fetch(cli, "/undionly.kpxe")
    c_up, _ = fetch(cli, "/../undionly.kpxe")
    c_page, b_page = fetch(cli, "/status", port=8080)
    t.ok(c_file == 404 and c_up in (403, 404) and c_page == 404 and "Tern status" not in b_page,
         "the status port serves no file, the boot-file port no status page",
         "%d %d %d" % (c_file, c_up, c_page))
    lo = srv.run(["curl", "-sS", "-o", "/dev/null", "--max-time", "5",
                  "http://127.0.0.1:%d/metrics" % STATUS], timeout=10)
    t.ok(lo.returncode != 0, "-I: the status port takes no connection arriving on lo",
         "curl exit %d" % lo.returncode)

    # Two scrapes while clients fetch: every counter rises or stays, and
    # the traffic shows.
    stop = threading.Event()

    def traffic():
        while not stop.is_set():
            cli.run(["curl", "-sS", "-o", "/dev/null", "tftp://192.0.2.1/small",
                     "http://192.0.2.1:8080/small"], timeout=10)

    th = threading.Thread(target=traffic)
    th.start()
    try:
        time.sleep(0.5)
        first, _ = samples(fetch(cli, "/metrics")[1])
        time.sleep(1.0)
        second, types2 = samples(fetch(cli, "/metrics")[1])
    finally:
        stop.set()
        th.join()
    counters = [s for s in first if types2.get(re.sub(r"\{.*", "", s)) == "counter"]
    fell = [s for s in counters if second.get(s, -1) < first[s]]
    t.ok(len(counters) > 20 and not fell, "two scrapes during traffic: no counter fell (%d counters)"
         % len(counters), str(fell))
    t.ok(second.get("tern_tftpd_bytes_sent_total", 0) > first.get("tern_tftpd_bytes_sent_total", 0)
         and second.get("tern_httpd_requests_total", 0) > first.get("tern_httpd_requests_total", 0),
         "the traffic between them shows: tftpd's bytes and httpd's requests rose",
         "%s -> %s" % ({k: v for k, v in first.items() if "bytes_sent" in k or "requests" in k},
                       {k: v for k, v in second.items() if "bytes_sent" in k or "requests" in k}))
    httpd.stop()

    # A box whose management interface is not there still serves its
    # boot files: no status pages, said once, no exit (init would restart
    # httpd for ever, and its boot files with it).
    gone = Httpd(srv, root, "-w", str(STATUS), "-I", "tern-nosuch0").start()
    code, body = cli.run(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}",
                          "http://192.0.2.1:8080/small"], timeout=10).returncode, None
    t.ok(code == 0 and gone.d.running()
         and gone.d.seen(r"no status pages: interface tern-nosuch0 is not there"),
         "-I naming a missing interface: no status pages, said once; the files are served",
         gone.d.tail())
    gone.stop()
t.done()
