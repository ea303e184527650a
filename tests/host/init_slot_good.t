#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Marking a trial slot good, and the site's health check before it, on an
# ESP stand-in: init in test mode manages the slots of ROOT/boot/EFI/Linux
# as on a disk board (this board's stand-ins: BOOT_GOOD_DELAY 0, a health
# check stopped after 3 s; app/init/settings.h):
#   - a trial slot with no /etc/tern/health is marked good once the
#     services are up;
#   - a health check that exits 0 marks it good; it is run with the slot's
#     letter and file name;
#   - one that exits 1, and one that does not finish in time (killed, with
#     what it started), are failed tries: the slot stays on trial and init
#     reboots;
#   - on a good slot the check does not run.
# The inits run side by side, each in its own namespace.
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from initns import READY, Init, InitError, Tap, require_host, sleep  # noqa: E402

require_host()
TIMEOUT = 3  # CONFIG_BOOT_HEALTH_TIMEOUT's stand-in in test mode
TRIAL = "tern-2-b+2-1.efi"
SLOTS = ["tern-1-a.efi", TRIAL]
CHECK = "running /etc/tern/health"


def box(slots, health=None):
    init = Init()
    init.services("idle respawn " + init.script("idle", "exec sleep 1000"))
    for name in slots:
        init.write("/boot/EFI/Linux/" + name, "MZ slot image\n")
    if health is not None:
        init.write("/etc/tern/health", health.replace("@ROOT@", init.root))
    return init


def slots(init):
    return sorted(os.listdir(init.path("/boot/EFI/Linux")))


t = Tap(13)
plain = box(SLOTS)
passes = box(SLOTS, 'echo "$@" >@ROOT@/args\necho checked\nexit 0\n')
fails = box(SLOTS, "echo not healthy\nexit 1\n")
# What the check starts notes a SIGTERM: it gets one from the shutdown
# only if the check's kill left it alive.
hangs = box(SLOTS, "(trap 'echo term >@ROOT@/child-term; exit 0' TERM\n"
            " echo started >@ROOT@/child; sleep 1000 & wait) &\nwait\n")
good = box(["tern-1-a.efi", "tern-2-b.efi"], "echo ran >@ROOT@/ran\n")
every = [plain, passes, fails, hangs, good]
try:
    for i in every:
        i.start()
    for i in every:
        i.expect(READY)

    t.ok(plain.matches(r"^init: slot B booted \(%s\), trial boot 1 of 3" % TRIAL.replace("+", r"\+")),
         "init finds slot B on trial on the ESP stand-in", plain.tail())
    plain.expect(r"^init: slot B marked good: the services stayed up 0 s$", 5)
    t.ok(slots(plain) == ["tern-1-a.efi", "tern-2-b.efi"],
         "no health check: the trial slot is marked good once the services are up",
         slots(plain))

    passes.expect(r"^init: slot B: %s \(3 s at most\) before marking it good$" % CHECK, 5)
    passes.expect(r"^health-check: checked$", 5)
    passes.expect(r"^init: slot B marked good: the services stayed up 0 s and "
                  r"/etc/tern/health passed$", 5)
    t.ok(slots(passes) == ["tern-1-a.efi", "tern-2-b.efi"],
         "a health check that exits 0: marked good", slots(passes))
    t.ok(passes.read("/args").split() == ["B", TRIAL],
         "the check is run with the slot's letter and file name", passes.read("/args"))
    t.ok(passes.running() and not passes.matches(r"reboot"), "and the box stays up",
         passes.tail())

    fails.expect(r"^health-check: not healthy$", 5)
    fails.expect(r"^init: error: slot B: health check /etc/tern/health exited with "
                 r"status 1: a failed try; rebooting$", 5)
    fails.expect(r"^init: reboot: stopping services$", 5)
    fails.expect(r"^init: reboot: test mode: exit 0 instead of reboot\(2\)$", 10)
    t.ok(True, "a health check that exits 1: a failed try, init reboots")
    t.ok(slots(fails) == SLOTS, "the slot stays on trial (its file is not renamed)",
         slots(fails))
    t.ok(fails.wait_exit(5) == 0, "init exits 0 (test mode's reboot)")

    _, began = hangs.expect(r"^init: slot B: %s" % CHECK, 5)
    _, ended = hangs.expect(r"^init: error: slot B: health check /etc/tern/health did not "
                            r"finish within %d s: a failed try; rebooting$" % TIMEOUT,
                            TIMEOUT + 5)
    t.diag("the check was stopped %.3f s after it started" % (ended - began))
    # Both times are when the test read the lines; init's kill comes
    # TIMEOUT s or more after its start (never early), so only a late read
    # of the first line could make this shorter, by a few ms.
    t.ok(ended - began >= TIMEOUT - 0.05,
         "one that does not finish is stopped after %d s (%.3f s)" % (TIMEOUT, ended - began))
    hangs.expect(r"^init: reboot: test mode: exit 0", 10)
    t.ok(hangs.read("/child") == "started\n" and not os.path.exists(hangs.path("/child-term")),
         "what the check started is killed with it (it got no SIGTERM from the shutdown)",
         hangs.tail())
    t.ok(slots(hangs) == SLOTS and hangs.wait_exit(5) == 0,
         "a failed try: the slot stays on trial, init reboots", slots(hangs))

    sleep(1)
    t.ok(good.matches(r"^init: slot B booted \(tern-2-b\.efi\), good$") and
         not good.matches(CHECK) and not os.path.exists(good.path("/ran")),
         "on a good slot the health check does not run", good.tail())
    t.ok(slots(good) == ["tern-1-a.efi", "tern-2-b.efi"], "and nothing is renamed",
         slots(good))
except InitError as e:
    t.abort(e)
finally:
    for i in every:
        i.close()
t.done()
