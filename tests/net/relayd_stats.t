#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# relayd's counters shared with the status page (app/relayd/record.c,
# app/lib/stats.h): each rule is the values area of its own stats file,
# so the page reads the counts relayctl and SIGUSR1 show, per rule and
# per output, by name and label, and so does httpd's /metrics (passing
# promtool); a rule removed by a reload takes its file with it; one added
# gets one.
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from httpd import Httpd, httpd_binary  # noqa: E402
from netns import Net, Tap, require_root, skip_all, tern_out  # noqa: E402
from relay_ns import Sink, receiver, relayd, relayd_stats, rewrite, send, sender  # noqa: E402

require_root()
TOOL = tern_out("tests", "ternjournal")
if not os.access(TOOL, os.X_OK):
    skip_all("%s is not built (make %s)" % (TOOL, TOOL))
N = 300
ONE = "relay from v0b group 239.1.1.1 port 5000 to 239.2.2.1:6000 dev v1a, 239.2.2.9:6000 dev v1a"
TWO = "relay from v0b group 239.1.1.2 port 5000 to 239.2.2.2:6000 dev v1a"
RULE1 = 'rule="v0b 239.1.1.1:5000"'

# As init makes /run/tern: relayd, which drops root to its own user, makes
# its rules' files in a sticky stats/ that all may write.
run = tempfile.mkdtemp(prefix="relayd-stats-")
os.chmod(run, 0o755)
os.mkdir(os.path.join(run, "stats"))
os.chmod(os.path.join(run, "stats"), 0o1777)
os.environ["TERN_RUN_DIR"] = run


def stats():
    r = subprocess.run([TOOL, "-r", run, "-s"], capture_output=True, text=True, timeout=10)
    return [json.loads(line) for line in r.stdout.splitlines() if line.strip()]


def value(rows, name, labels):
    v = [r["value"] for r in rows if r["name"] == name and r["labels"] == labels]
    return v[0] if len(v) == 1 else None


t = Tap(6)
with Net() as net:
    gen, rel, snk = net.ns("gen"), net.ns("relay"), net.ns("sink")
    net.veth(gen, rel)
    net.veth(rel, snk)
    d = relayd(rel, ONE)
    sink = Sink([receiver(snk, "239.2.2.1", 6000, "198.51.100.2")])
    send(sender(gen, "192.0.2.1"), ("239.1.1.1", 5000), 1, N, 5000, size=100)
    sink.wait(N)
    lines = relayd_stats(d, until=lambda text: "%d packets" % N in text)
    rows = stats()
    files = sorted({r["file"] for r in rows})
    t.ok(files == ["relayd-rule.1"], "one stats file for the one rule", str(files))
    out1 = RULE1 + ',output="239.2.2.1:6000 dev v1a"'
    t.ok(value(rows, "tern_relayd_received_packets_total", RULE1) == N
         and value(rows, "tern_relayd_received_bytes_total", RULE1) == N * 100
         and value(rows, "tern_relayd_output_sent_packets_total", out1) == N
         and "%d packets" % N in " ".join(lines),
         "the rule's and its output's counts, labelled, as SIGUSR1 shows them",
         "%s\n%s" % (lines, [r for r in rows if r["value"]]))
    outs = sorted(r["labels"] for r in rows if r["name"] == "tern_relayd_output_sent_packets_total")
    t.ok(len(outs) == 2 and all(o.startswith(RULE1 + ',output="') for o in outs),
         "one set of output counters per output, labelled rule and output", str(outs))
    if not httpd_binary() or os.system("command -v promtool >/dev/null 2>&1"):
        t.ok(True, "/metrics # SKIP no httpd or no promtool (prometheus)")
    else:
        root = tempfile.mkdtemp(prefix="relayd-stats-root-")
        h = Httpd(rel, root, "-w", "9180").start()
        deadline = time.monotonic() + 5  # the status process says when it listens
        while not h.d.matches(r"status pages on") and time.monotonic() < deadline:
            time.sleep(0.05)
        text = rel.run(["curl", "-sS", "--max-time", "10", "http://127.0.0.1:9180/metrics"],
                       timeout=15).stdout
        h.stop()
        os.remove(os.path.join(run, "stats", "httpd.0"))  # its file outlives it (stats.h)
        pt = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True,
                            text=True, timeout=30)
        t.ok(pt.returncode == 0
             and "tern_relayd_received_packets_total{%s} %d\n" % (RULE1, N) in text
             and "tern_relayd_output_sent_packets_total{%s} %d\n" % (out1, N) in text,
             "httpd's /metrics: the rule's and its output's counts by rule and output, "
             "promtool passes", pt.stdout + pt.stderr + text[-3000:])

    rewrite(d, TWO)
    d.signal(signal.SIGHUP)
    d.expect(r"SIGHUP: .* reloaded", 5)
    deadline = time.monotonic() + 3  # the worker frees a rule once its last send is done
    while True:
        files = sorted({r["file"] for r in stats()})
        if files == ["relayd-rule.2"] or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    t.ok(files == ["relayd-rule.2"], "after a reload: the removed rule's file gone, the new one's there",
         str(files))
    t.ok(all(r["alive"] for r in stats()), "its process alive")
os.system("rm -rf '%s'" % run)
