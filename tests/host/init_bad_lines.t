#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# A bad line in a sysctl.d file or in the services file is reported as
# file:line (the path init reads, the line's number, right after a line too
# long to keep too) and skipped: the good lines around it, and the files
# after it, still apply; a last line without its newline counts.  A
# services file of more than SERVICES_MAX (32) services: the first 32
# start, each line past them is reported as file:line and skipped.
import os
import re
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from initns import READY, Init, InitError, Tap, require_host, until  # noqa: E402

require_host()
MIXED = "/etc/sysctl.d/50-mixed.conf"
SYSCTL_LINES = [
    "# good and bad lines",
    "net.core.rmem_max = 16777216",
    "net.core.no_such_key = 1",               # 3: unknown key
    "this line has no equals sign",           # 4: malformed
    "-net.core.also_missing = 2",             # '-': a missing key is fine
    "net.ipv4.udp_mem = 65536 131072 262144",
    "net.core = 3",                           # 7: a directory, not a key
    "net.core.wmem_max =",                    # 8: empty value
    "; a comment",
    "net/core/somaxconn = 4096",
    "kernel.long = " + "x" * 2000,            # 11: too long
    "kernel.last = ok",
]
SYSCTL_BAD = {3: "net.core.no_such_key", 4: "", 7: "/proc/sys/net/core", 8: "",
              11: "too long"}
SYSCTL_GOOD = {"net.core.rmem_max": "16777216", "net.ipv4.udp_mem": "65536 131072 262144",
               "net.core.somaxconn": "4096", "kernel.last": "ok",
               "kernel.first": "1", "kernel.after": "9"}  # the other files
UNTOUCHED = ["net.core.wmem_max", "kernel.long"]

SERVICES = "/etc/tern/services"
# 3 bad name, 5 unknown policy, 6 relative command, 7 duplicate, 8 no command,
# 9 too long
SERVICE_BAD = [3, 5, 6, 7, 8, 9]
GOOD = ["good1", "good2", "good3", "good4"]


def problems(init, path):
    """{line number: message} of init's lines that name path:line."""
    rx = r"^init: (?:warning|error): %s:(\d+): (.*)$" % re.escape(path)
    return {int(m.group(1)): m.group(2) for m, _ in init.matches(rx)}


t = Tap(13)
with Init() as init:
    for key in list(SYSCTL_GOOD) + UNTOUCHED:
        init.proc_sys(key, "0\n")
    os.makedirs(init.path("/proc/sys/net/core"), exist_ok=True)
    init.sysctl_conf("10-first.conf", "kernel.first = 1")
    init.sysctl_conf("50-mixed.conf", *SYSCTL_LINES)
    init.write("/etc/sysctl.d/90-last.conf", "kernel.after = 9")  # no newline
    init.write("/etc/sysctl.d/README", "not a .conf file: never read\n")
    sh = {n: init.script(n, "echo %s >> @ROOT@/started\nexec sleep 1000" % n) for n in GOOD}
    init.services("# good and bad lines",
                  "good1 respawn " + sh["good1"],
                  "bad/name respawn /bin/true",
                  "good2 respawn " + sh["good2"],
                  "nopolicy sometimes /bin/true",
                  "relative respawn bin/true",
                  "good1 once " + sh["good1"],
                  "nocommand once",
                  "toolong once /bin/true " + "x " * 600,
                  "good3 respawn " + sh["good3"],
                  "good4 respawn " + sh["good4"])
    with open(init.path("/etc/tern/services"), "rb+") as f:  # the last line
        f.truncate(os.path.getsize(f.name) - 1)              # without newline
    try:
        init.start()
        init.expect(READY)
    except InitError as e:
        t.abort(e)
    until(lambda: len(init.words("/started")) == len(GOOD), 5)

    got = problems(init, MIXED)
    t.ok(sorted(got) == sorted(SYSCTL_BAD),
         "the bad sysctl lines are reported as %s:%s" % (MIXED, sorted(SYSCTL_BAD)),
         "got %s%s" % (got, init.tail()))
    t.ok(all(what in got.get(n, "") for n, what in SYSCTL_BAD.items()),
         "each message names what is wrong (the key, the path)", got)
    t.ok(not init.matches(r"/etc/sysctl\.d/(?!50-mixed\.conf:)"),
         "nothing else of sysctl.d is reported (a '-' key, comments, README)", init.tail())
    now = {k: (init.sysctl(k) or "").strip() for k in SYSCTL_GOOD}
    t.ok(now == SYSCTL_GOOD, "the good lines around them, and the other files, apply",
         "proc/sys now: %s" % now)
    t.ok(all(init.sysctl(k) == "0\n" for k in UNTOUCHED),
         "a bad line leaves its key alone", {k: init.sysctl(k) for k in UNTOUCHED})
    t.ok(not os.path.exists(init.path("/proc/sys/net/core/also_missing")) and
         not os.path.exists(init.path("/proc/sys/net/core/no_such_key")),
         "a missing key is not created")

    got = problems(init, SERVICES)
    t.ok(sorted(got) == SERVICE_BAD,
         "the bad service lines are reported as %s:%s" % (SERVICES, SERVICE_BAD),
         "got %s%s" % (got, init.tail()))
    t.ok("good1" in got.get(7, "") and "too long" in got.get(9, ""),
         "a second good1 is reported as a duplicate, a long line as too long", got)
    started = [m.group(1) for m, _ in init.matches(r"^init: started (\S+) ")]
    t.ok(started == GOOD, "the good services around them start (%s)" % ", ".join(GOOD),
         init.tail())
    t.ok(sorted(init.words("/started")) == GOOD, "and run", init.read("/started"))
    t.ok(init.running() and len(init.processes()) == 1 + len(GOOD),
         "init runs on with them and nothing else", init.processes())

CAP = 32  # SERVICES_MAX in app/init/supervise.h
with Init() as init:
    init.script("idle", "exec sleep 1000")
    init.services(*["s%d respawn %s" % (i, init.path("/bin/idle")) for i in range(1, CAP + 3)])
    try:
        init.start()
        init.expect(READY)
    except InitError as e:
        t.abort(e)
    got = problems(init, SERVICES)
    t.ok(got == {n: "more than %d services; ignoring s%d" % (CAP, n) for n in (CAP + 1, CAP + 2)},
         "%d services: lines %d and %d reported as more than %d and skipped"
         % (CAP + 2, CAP + 1, CAP + 2, CAP), "got %s%s" % (got, init.tail()))
    until(lambda: len(init.processes()) == 1 + CAP, 5)
    started = [m.group(1) for m, _ in init.matches(r"^init: started (\S+) ")]
    t.ok(started == ["s%d" % i for i in range(1, CAP + 1)] and
         len(init.processes()) == 1 + CAP,
         "the first %d start and run, in file order" % CAP,
         "%s %d processes" % (started, len(init.processes())))
t.done()
