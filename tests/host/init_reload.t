#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# SIGHUP makes init re-read etc/tern/services: a new service starts, a
# removed one is stopped (SIGTERM, then SIGKILL after STOP_TIMEOUT,
# measured), a changed one is stopped and started anew only once the old
# one is gone, an unchanged one keeps running untouched (same process, no
# signal), and a file with a bad line changes nothing at all.
import os
import signal
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from initns import Init, InitError, Tap, config_value, require_host, sleep, until  # noqa: E402

require_host()
STOP = int(config_value("CONFIG_INIT_STOP_TIMEOUT", "5"))

# Each service notes its start and any SIGTERM it gets in files of the root.
# The trap is set before the start is noted: once noted, SIGTERM is caught.
BODY = ("trap 'echo {n} >> @ROOT@/terms; exit 0' TERM\n"
        "echo {n} $$ >> @ROOT@/runs\n"
        "sleep 1000 & wait")

t = Tap(14)
with Init() as init:
    sh = {n: init.script(n, BODY.format(n=n)) for n in "abcd"}
    init.script("stubborn", "trap '' TERM\necho trapped >> @ROOT@/stubborn\n"
                "while :; do sleep 0.1; done")
    init.services("a respawn %s" % sh["a"], "b respawn %s" % sh["b"],
                  "c respawn %s one" % sh["c"],
                  "stubborn respawn %s" % init.path("/bin/stubborn"))
    try:
        init.start()
        pids = {}
        for _ in range(4):
            m, _ = init.expect(r"started (\S+) \(pid (\d+)\)")
            pids[m.group(1)] = int(m.group(2))
        host_a = init.host_pid(pids["a"])
        until(lambda: len(init.words("/runs")) == 6 and init.words("/stubborn"),
              5)  # a b c and stubborn, traps set

        # a unchanged, b removed, c changed (an argument), d new; new order.
        init.services("d respawn %s" % sh["d"], "a respawn %s" % sh["a"],
                      "c respawn %s two" % sh["c"],
                      "stubborn respawn %s" % init.path("/bin/stubborn"))
        init.signal(signal.SIGHUP)
        init.expect(r"reload: .*services: 1 added, 1 changed, 1 removed, 2 unchanged")
        t.ok(init.matches(r"reload: adding d$") and
             init.matches(r"reload: removed b: stopping pid %d$" % pids["b"]) and
             init.matches(r"reload: changed c: stopping pid %d$" % pids["c"]),
             "the reload names what it adds, removes and changes", init.tail())
        m, _ = init.expect(r"started d \(pid (\d+)\)")
        t.ok(True, "a new service is started")
        init.expect(r"c \(pid %d\) exited with status 0" % pids["c"])
        m, _ = init.expect(r"started c \(pid (\d+)\)")
        new_c = int(m.group(1))
        t.ok(new_c != pids["c"], "a changed one is started anew once the old one "
             "exited (pid %d -> %d)" % (pids["c"], new_c))
        until(lambda: len(init.words("/runs")) == 10, 5)  # d and the new c
        procs = {p.ns: p for p in init.processes()}
        t.ok(new_c in procs and "two" in open("/proc/%d/cmdline" % procs[new_c].host).read(),
             "with its new command line", procs)
        t.ok(init.host_pid(pids["a"]) == host_a and "a" not in init.words("/terms"),
             "an unchanged one keeps running: same process, no SIGTERM",
             "terms: %s" % init.words("/terms"))
        t.ok(init.words("/terms").count("b") == 1 and pids["b"] not in procs,
             "a removed one got SIGTERM and is gone", "terms: %s" % init.words("/terms"))
        t.ok(len(init.matches(r"started b ")) == 1, "and it is not started again")
        runs = [w for w in init.words("/runs") if w.isalpha()]
        t.ok(sorted(runs) == ["a", "b", "c", "c", "d"],
             "each service ran as often as it should", "runs: %s" % runs)

        # Removing one that ignores SIGTERM: SIGKILL after STOP seconds.
        init.services("d respawn %s" % sh["d"], "a respawn %s" % sh["a"],
                      "c respawn %s two" % sh["c"])
        t0 = init.signal(signal.SIGHUP)
        init.expect(r"reload: removed stubborn: stopping pid %d" % pids["stubborn"])
        _, t1 = init.expect(r"stubborn \(pid %d\) still running %d s after SIGTERM; "
                            r"sending SIGKILL" % (pids["stubborn"], STOP), STOP + 3)
        init.expect(r"stubborn \(pid %d\) killed by signal 9" % pids["stubborn"])
        t.ok(STOP <= t1 - t0 <= STOP + 1.5,
             "a removed service that ignores SIGTERM is killed after %d s (%.2f s)"
             % (STOP, t1 - t0))

        # A bad line: nothing changes.
        # stubborn's last sleep, an orphan now, ends and is reaped
        until(lambda: not [p for p in init.processes()
                           if p.name == "sleep" and p.ppid == init.pid], 5)
        before = sorted((p.ns, p.host) for p in init.processes())
        init.script("e", "exec sleep 1000")
        init.services("a respawn %s" % sh["a"], "e respawn %s" % init.path("/bin/e"),
                      "c sometimes %s two" % sh["c"])
        init.signal(signal.SIGHUP)
        init.expect(r"warning: /etc/tern/services:3: unknown policy")
        init.expect(r"error: reload: /etc/tern/services has 1 bad line\(s\); "
                    r"running services unchanged")
        sleep(1)
        after = sorted((p.ns, p.host) for p in init.processes())
        t.ok(before == after and not init.matches(r"started e "),
             "a file with a bad line is reported as file:line and changes nothing",
             "before %s\nafter %s" % (before, after))

        # The file read again, fixed: e added, d removed, a and c untouched.
        init.services("a respawn %s" % sh["a"], "e respawn %s" % init.path("/bin/e"),
                      "c respawn %s two" % sh["c"])
        init.signal(signal.SIGHUP)
        init.expect(r"reload: .*1 added, 0 changed, 1 removed, 2 unchanged")
        init.expect(r"started e ")
        t.ok(init.host_pid(pids["a"]) == host_a and init.host_pid(new_c),
             "once fixed, it applies, still leaving a and c running")

        # Shutdown stops the services of the new file, last first.
        init.signal(signal.SIGUSR2)
        status = init.wait_exit(STOP + 5)
        t.ok(status == 0, "SIGUSR2 then ends init with status 0", init.tail())
        terms = init.words("/terms")
        t.ok(sorted(terms[-2:]) == ["a", "c"], "services of the reloaded file were stopped",
             "terms: %s" % terms)
        t.ok(not init.matches(r"error(?!: reload: /etc/tern/services has)"),
             "no other error", init.tail())
    except InitError as e:
        t.abort(e)
t.done()
