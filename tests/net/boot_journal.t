#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# The boot journal and the shared counters (app/lib/journal.h, stats.h)
# with the real daemons: pxed (server mode), tftpd and httpd in one
# namespace sharing a run directory ($TERN_RUN_DIR), BusyBox udhcpc and
# curl as the clients, read back with tests/net/lib/ternjournal.c (what
# the status page reads).  A client that gets its address and boot file
# and fetches the initramfs is "booted", its MAC joined to its TFTP and
# HTTP fetches; a client pointed at a missing file shows the stall and
# its cause; the counters are the ones SIGUSR1 logs; a restarted tftpd
# continues its ring; tftpd -J sizes its ring, and -J 0 writes none (the
# journal off, as `make bench` compares); and a flood of 10,000 random
# MACs leaves pxed's memory and the journal's files bounded.
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from dhcp_ns import MAC, PxedLab, options, packet, require  # noqa: E402
from httpd import Httpd, require_httpd  # noqa: E402
from netns import Tap, skip_all, tern_out  # noqa: E402
from tftpd import tern_tftpd  # noqa: E402

require()
require_httpd()
TOOL = tern_out("tests", "ternjournal")
if not os.access(TOOL, os.X_OK):
    skip_all("%s is not built (make %s)" % (TOOL, TOOL))
if not os.access(tern_tftpd(), os.X_OK):
    skip_all("tftpd is not built (make apps)")
for tool in ("curl",):
    if os.system("command -v %s >/dev/null 2>&1" % tool) != 0:
        skip_all("%s is not installed" % tool)

CONF = """# boot_journal.t
mode server
pool 192.0.2.100 192.0.2.109
lease 600
arch 0 file undionly.kpxe
arch 7 file missing.efi
"""
BIOS = ("-V", "PXEClient:Arch:00000:UNDI:002001", "-x", "0x5d:0000")
UEFI = ("-V", "PXEClient:Arch:00007:UNDI:003016", "-x", "0x5d:0007")
MAC2 = "52:54:00:12:34:57"
FLOOD = 10000
EVENTS = 1024  # CONFIG_JOURNAL_EVENTS's default
RING_BYTES = 4096 + EVENTS * 256

run = tempfile.mkdtemp(prefix="boot-journal-")
for d in ("stats", "journal"):
    os.mkdir(os.path.join(run, d))
os.environ["TERN_RUN_DIR"] = run  # every daemon started below inherits it
root = tempfile.mkdtemp(prefix="boot-journal-root-")
os.chmod(root, 0o755)
sizes = {"undionly.kpxe": 70000, "rootfs.cpio.gz": 300000}
for name, size in sizes.items():
    with open(os.path.join(root, name), "wb") as f:
        f.write(os.urandom(size))


def journal(*args):
    r = subprocess.run([TOOL, "-r", run] + list(args), capture_output=True, text=True, timeout=20)
    if r.returncode != 0:
        raise RuntimeError("ternjournal %s: %s" % (" ".join(args), r.stderr))
    return [json.loads(line) for line in r.stdout.splitlines() if line.strip()]


def client(rows, mac):
    return next((c for c in rows if c["mac"] == mac), None)


def counter(rows, name, labels=""):
    """The sum over live processes of a stats field (workers add up)."""
    vals = [r["value"] for r in rows if r["name"] == name and r["labels"] == labels and r["alive"]]
    return sum(vals) if vals else None


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        return int(re.search(r"VmRSS:\s+(\d+) kB", f.read()).group(1))


t = Tap(16)
with PxedLab(t, CONF) as lab:
    srv, cli = lab.srv, lab.cli
    tftpd = srv.daemon([tern_tftpd(), "-f", "-u", "root", "-r", root, "-a", "192.0.2.1"],
                       name="tftpd")
    tftpd.wait_udp(69)
    httpd = Httpd(srv, root).start()

    # A BIOS client: DHCP, its boot file over TFTP, the initramfs over HTTP.
    r = lab.udhcpc(*BIOS)
    ip = r and r["ip"]
    got = cli.run(["curl", "-sS", "-o", "/dev/null", "-w", "%{size_download}",
                   "tftp://192.0.2.1/undionly.kpxe"])
    mid = journal()
    c = client(mid, MAC)
    t.ok(c and c["ip"] == ip and c["arch"] == 0 and c["vendor"].startswith("PXEClient:Arch:00000")
         and c["stage"] == "fetched" and not c["stall"]
         and [(f["name"], f["proto"], f["end"], f["bytes"]) for f in c["files"]]
         == [("undionly.kpxe", "tftp", "done", 70000)],
         "after DHCP and a TFTP fetch: the client by its MAC, its address, arch, vendor "
         "class, the file done, stage fetched", "%s\n%s" % (mid, got.stdout))
    kinds = [(e["daemon"], e["kind"]) for e in journal("-e") if e["mac"] == MAC or e["ip"] == ip]
    t.ok(("pxed", "offer") in kinds and ("pxed", "ack") in kinds and ("tftpd", "start") in kinds
         and kinds.index(("pxed", "ack")) < kinds.index(("tftpd", "start")),
         "its events: pxed's offer and ack, then tftpd's start", str(kinds))
    cli.run(["curl", "-sS", "-o", "/dev/null", "http://192.0.2.1:8080/rootfs.cpio.gz"])
    rows = journal()
    c = client(rows, MAC)
    t.ok(c and c["stage"] == "booted" and not c["stall"] and len(c["files"]) == 2
         and c["files"][1]["name"] == "/rootfs.cpio.gz" and c["files"][1]["proto"] == "http"
         and c["files"][1]["bytes"] == 300000 and c["files"][1]["end"] == "done",
         "the initramfs over HTTP joined to the same MAC: stage booted", str(rows))

    # A UEFI client whose boot file is missing.
    cli.ip("link", "set", cli.dev, "address", MAC2)
    r2 = lab.udhcpc(*UEFI)
    miss = cli.run(["curl", "-sS", "-o", "/dev/null", "tftp://192.0.2.1/missing.efi"])
    rows = journal()
    c2 = client(rows, MAC2)
    t.ok(r2 and r2.get("boot_file") == "missing.efi" and c2 and c2["ip"] == r2["ip"]
         and c2["stall"] == "file not found" and c2["cause"] == "missing.efi"
         and c2["stage"] == "fetching" and c2["arch"] == 7,
         "a client pointed at a missing file: stalled, file not found, missing.efi",
         "%s\n%s %s" % (rows, r2, miss.stderr))
    # -S 0: a client quiet after its ACK is stalled at once
    lab.udhcpc(*BIOS)  # MAC2 again: a new ack, no fetch after it
    rows = journal("-S", "0")
    c2 = client(rows, MAC2)
    t.ok(c2 and c2["stage"] == "ack" and c2["stall"] == "no TFTP/HTTP request after the offer",
         "a client that asks nothing after its ACK: no TFTP/HTTP request after the offer",
         str(rows))

    # The counters the page reads are the ones the daemons count.
    st = journal("-s")
    n_tftp = counter(st, "tern_tftpd_not_found_total")
    done_tftp = counter(st, "tern_tftpd_transfers_completed_total")
    sig_nf = None
    n = len(tftpd.lines)
    tftpd.signal(signal.SIGUSR1)
    deadline = time.monotonic() + 3
    while sig_nf is None and time.monotonic() < deadline:
        for _, line in tftpd.lines[n:]:
            m = re.search(r"(\d+) not found", line)
            if m:
                sig_nf = int(m.group(1))
        time.sleep(0.02)
    t.ok(n_tftp == 1 and done_tftp == 1 and sig_nf == 1,
         "tftpd's shared counters: 1 completed, 1 not found, as SIGUSR1 logs",
         "%s %s %s" % (n_tftp, done_tftp, sig_nf))
    acks = counter(st, "tern_pxed_messages_total", 'outcome="ack"')
    t.ok(acks == 3 and counter(st, "tern_httpd_bytes_sent_total") == 300000
         and counter(st, "tern_httpd_responses_total", 'code="2xx"') == 1,
         "pxed's acks by outcome (3) and httpd's bytes and 2xx responses, by name and label",
         "%s %s" % (acks, [r for r in st if r["daemon"] == "httpd"]))

    # A restarted tftpd continues its ring.
    before = [e for e in journal("-e") if e["daemon"] == "tftpd"]
    tftpd.stop()
    tftpd = srv.daemon([tern_tftpd(), "-f", "-u", "root", "-r", root, "-a", "192.0.2.1"],
                       name="tftpd")
    tftpd.wait_udp(69)
    cli.run(["curl", "-sS", "-o", "/dev/null", "tftp://192.0.2.1/undionly.kpxe"])
    after = [e for e in journal("-e") if e["daemon"] == "tftpd"]
    t.ok(len(after) == len(before) + 2 and after[:len(before)] == before
         and after[-1]["seq"] == before[-1]["seq"] + 2,
         "tftpd restarted: its old events kept, new ones continue the sequence",
         "%d -> %d" % (len(before), len(after)))
    st = journal("-s")
    t.ok(counter(st, "tern_tftpd_transfers_completed_total") == 1
         and len([r for r in st if r["name"] == "tern_tftpd_requests_total"]) == 1,
         "its counters: a fresh file (counted from 0 again), one per process",
         str([r for r in st if r["name"] == "tern_tftpd_requests_total"]))

    # -J EVENTS: the ring's size; -J 0: no journal at all.
    def tftpd_with(*flags):
        tftpd.stop()
        d = srv.daemon([tern_tftpd(), "-f", "-u", "root", "-r", root, "-a", "192.0.2.1"] +
                       list(flags), name="tftpd")
        d.wait_udp(69)
        got = cli.run(["curl", "-sS", "-o", "/dev/null", "-w", "%{size_download}",
                       "tftp://192.0.2.1/undionly.kpxe"]).stdout
        return d, got, [e for e in journal("-e") if e["daemon"] == "tftpd"]

    ring = os.path.join(run, "journal", "tftpd.0")
    tftpd, got, small = tftpd_with("-J", "64")
    t.ok(got == "70000" and os.path.getsize(ring) == 4096 + 64 * 256
         and [e["kind"] for e in small] == ["start", "end"],
         "tftpd -J 64: a ring of 64 events (%d bytes), begun afresh" % (4096 + 64 * 256),
         "%s bytes served, ring %d bytes, %s" % (got, os.path.getsize(ring), small))
    tftpd, got, off = tftpd_with("-J", "0")
    t.ok(got == "70000" and off == small and os.path.getsize(ring) == 4096 + 64 * 256,
         "tftpd -J 0: the file served, no event written (the ring as the last tftpd left it)",
         "%s bytes served; %s -> %s" % (got, small, off))

    # A flood of random MACs: memory stays bounded.
    pid = lab.pxed.pid
    rss0 = rss_kib(pid)
    files0 = {n: os.path.getsize(os.path.join(run, "journal", n))
              for n in os.listdir(os.path.join(run, "journal"))}
    recv0 = counter(journal("-s"), "tern_pxed_packets_received_total")
    s = lab.raw_socket()
    rng = random.Random(18)
    start = time.monotonic()
    for i in range(FLOOD):
        mac = "52:54:%s" % ":".join("%02x" % rng.randrange(256) for _ in range(4))
        s.sendto(packet(options((53, b"\x01"), (60, b"PXEClient:Arch:00000:UNDI:002001"),
                                (93, b"\x00\x00")), xid=i, mac=mac),
                 ("255.255.255.255", 67))
        if i % 500 == 499:  # let pxed catch up (a loaded machine): memory is what is measured
            seen, now = -1, 0
            while now != seen:  # until its count stops rising
                seen = now
                time.sleep(0.05)
                now = counter(journal("-s"), "tern_pxed_packets_received_total")
    sent = time.monotonic() - start
    deadline = time.monotonic() + 30
    got, seen = 0, -1
    while time.monotonic() < deadline and got < FLOOD and got != seen:
        seen = got  # until it reaches FLOOD or stops rising (the rest was dropped)
        time.sleep(0.5)
        got = counter(journal("-s"), "tern_pxed_packets_received_total") - recv0
    took = time.monotonic() - start
    rss1 = rss_kib(pid)
    files1 = {n: os.path.getsize(os.path.join(run, "journal", n))
              for n in os.listdir(os.path.join(run, "journal"))}
    print("# flood: %d DISCOVERs of random MACs sent in %.1f s, %d received by pxed in %.1f s; "
          "pxed RSS %d -> %d KiB; journal files %s" % (FLOOD, sent, got, took, rss0, rss1,
                                                        files1), flush=True)
    # a burst overflows pxed's socket buffer (those drops are the kernel's):
    # what counts is that thousands of new MACs reached it, 5 times its
    # ring and 20 times the summary's table
    t.ok(got >= FLOOD // 2 and took < 60,
         "pxed handled at least %d of the %d DISCOVERs, of as many MACs" % (FLOOD // 2, FLOOD),
         "%d in %.1f s" % (got, took))
    t.ok(files1 == files0 and files1.get("pxed") == RING_BYTES,
         "the journal files kept their size (pxed's ring: %d bytes)" % RING_BYTES,
         "%s -> %s" % (files0, files1))
    # its ring (file-backed, touched whole by now) is at most all it may gain
    t.ok(rss1 - rss0 <= RING_BYTES // 1024 + 256,
         "pxed's RSS grew by at most its ring + 256 KiB (%d KiB)" % (rss1 - rss0))
    ev = [e for e in journal("-e") if e["daemon"] == "pxed"]
    rows = journal()
    # (the last MACs sent may be among those the socket dropped)
    newest = ev[-1]["mac"] if ev else None
    t.ok(len(ev) == EVENTS and len(rows) == 256 and newest in [r["mac"] for r in rows]
         and all(r["last_ms"] >= ev[-256]["time_ms"] for r in rows),
         "pxed's ring holds its last %d events; the summary its 256 latest clients" % EVENTS,
         "%d events, %d clients, newest %s: %s" % (len(ev), len(rows), newest, rows[-1:]))
    t.ok(lab.pxed.running() and tftpd.running() and httpd.d.running(),
         "every daemon still runs", lab.pxed.tail())
os.system("rm -rf '%s' '%s'" % (run, root))
