#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# The hardware watchdog, with a FIFO standing in for /dev/watchdog (init
# in test mode opens ROOT/dev/watchdog; a FIFO is no character device, so
# the timeout ioctls are skipped and everything else is the real code):
#   - tern.watchdog=4 arms it: one byte (never 'V') per pet, a pet every
#     quarter of the timeout, never more often (init's deadlines are never
#     early), and never a gap as long as the timeout;
#   - SIGTSTP freezes init: the pets stop for good, init stays (a hung
#     PID 1, which a real watchdog resets);
#   - poweroff disarms it: 'V' as the last byte, then the device is closed;
#   - tern.watchdog=off, a bad value and no word (this board has
#     INIT_WATCHDOG off) open nothing; a missing device is logged and the
#     boot goes on.
# The inits run side by side, each in its own namespace.
import os
import signal
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from initns import (READY, Init, InitError, Tap, config_value,  # noqa: E402
                    require_host, sleep, until)

require_host()
if config_value("INIT_WATCHDOG") == "1":
    print("1..0 # SKIP this build has INIT_WATCHDOG on: the no-word case differs", flush=True)
    sys.exit(0)

TIMEOUT = 4
INTERVAL = TIMEOUT / 4.0


class Dog:
    """The read end of the FIFO init pets: (time read, bytes) per read."""

    def __init__(self, init):
        self.path = init.path("/dev/watchdog")
        os.mkfifo(self.path)
        # Opened before init, non-blocking: init's open for writing then
        # succeeds at once.
        self.fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK)
        self.reads = []
        self.eof = False

    def drain(self):
        while not self.eof:
            try:
                data = os.read(self.fd, 4096)
            except BlockingIOError:
                return
            if not data:
                self.eof = self.opened()  # EOF before any writer is no EOF
                return
            self.reads.append((time.monotonic(), data))

    def opened(self):
        return bool(self.reads)

    def data(self, since=0.0):
        return b"".join(d for t, d in self.reads if t >= since)

    def close(self):
        os.close(self.fd)


def idle(init):
    init.services("idle respawn " + init.script("idle", "exec sleep 1000"))


t = Tap(12)
pet = Init(cmdline="tern.watchdog=%d" % TIMEOUT)
off = Init(cmdline="tern.watchdog=%d" % TIMEOUT)
words = [Init(cmdline=c) for c in ("tern.watchdog=off", "tern.watchdog=1", "")]
missing = Init(cmdline="tern.watchdog=%d" % TIMEOUT)
every = [pet, off, missing] + words
for i in every:
    idle(i)
dogs = {i: Dog(i) for i in [pet, off] + words}
try:
    for i in every:
        i.start()
    for i in every:
        i.expect(READY)

    m = pet.matches(r"^init: watchdog: /dev/watchdog armed, timeout (\d+) s, "
                    r"petted every (\d+) ms$")
    m = m[0][0] if m else None
    t.ok(m and m.group(1) == str(TIMEOUT) and m.group(2) == str(int(INTERVAL * 1000)),
         "tern.watchdog=%d arms /dev/watchdog: timeout %d s, a pet every %d ms"
         % (TIMEOUT, TIMEOUT, INTERVAL * 1000), pet.tail())
    # Watch the pets for a while.
    dog = dogs[pet]
    start = time.monotonic()
    until(lambda: dog.drain() or time.monotonic() - start > 4 * INTERVAL + 0.2, 10)
    dog.drain()
    pets = dog.data()
    window = dog.reads[-1][0] - dog.reads[0][0] if dog.reads else 0
    t.ok(pets and set(pets) == {0}, "each pet is one NUL byte (not 'V', which would let a "
         "close stop it)", repr(pets))
    # Pets are at least INTERVAL apart: over the window from the first to
    # the last read, at most window / INTERVAL + 1 of them (+ 1: the read
    # times come later than the writes).
    t.ok(len(pets) <= window / INTERVAL + 2,
         "never petted more often than every %.0f ms (%d pets in %.2f s)"
         % (INTERVAL * 1000, len(pets), window))
    gaps = [b[0] - a[0] for a, b in zip(dog.reads, dog.reads[1:])]
    t.ok(len(pets) >= 4 and max(gaps) < TIMEOUT,
         "petted all the time: %d pets, the longest gap %.2f s (< %d s)"
         % (len(pets), max(gaps or [0]), TIMEOUT), gaps)

    # Freeze: the pets stop, init stays.
    pet.signal(signal.SIGTSTP)
    _, frozen = pet.expect(r"^init: warning: SIGTSTP: freezing", 5)
    sleep(0.3)
    dog.drain()
    after = time.monotonic()
    sleep(2.5 * INTERVAL)
    dog.drain()
    state = [p.state for p in pet.processes() if p.ns == 1]
    t.ok(dog.data(after) == b"" and not dog.eof and state and state[0] == "S",
         "SIGTSTP: init freezes: no pet for %.1f s, the device still open, init asleep"
         % (2.5 * INTERVAL), "after: %r eof %s state %s" % (dog.data(after), dog.eof, state))

    # Poweroff disarms: 'V', then close.
    off.signal(signal.SIGUSR2)
    off.expect(r"^init: watchdog: /dev/watchdog disarmed$", 10)
    off.expect(r"^init: poweroff: test mode: exit 0", 5)
    d = dogs[off]
    until(lambda: d.drain() or d.eof, 5)
    data = d.data()
    t.ok(data.endswith(b"V") and set(data[:-1]) == {0} and d.eof,
         "poweroff disarms it: 'V' as the last byte, then the device is closed",
         "%r eof %s" % (data[-8:], d.eof))
    t.ok(off.wait_exit(5) == 0, "and init exits 0")

    for i, what in zip(words, ("tern.watchdog=off", "tern.watchdog=1 (below %d s)" % 2,
                               "no tern.watchdog= on a build without INIT_WATCHDOG")):
        dogs[i].drain()
        t.ok(not dogs[i].opened() and not i.matches(r"watchdog: .*armed"),
             "%s: no watchdog" % what, i.tail())
    t.ok(words[1].matches(r"^init: warning: tern\.watchdog=1: not off, 0 or 2\.\.3600 "
                          r"seconds; using no watchdog$"),
         "a bad tern.watchdog= value is reported", words[1].tail())
    t.ok(missing.matches(r"^init: error: watchdog: unable to open /dev/watchdog; booting "
                         r"without a watchdog: No such file") and missing.running(),
         "no device: logged, and init runs on", missing.tail())
except InitError as e:
    t.abort(e)
finally:
    for d in dogs.values():
        d.close()
    for i in every:
        i.close()
t.done()
