#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# What a service writes to stdout and stderr reaches the console (in test
# mode init's stdout) and the kernel log (the root's dev/kmsg) a line at a
# time as "name: line" and "<30>name: line": split writes joined, a last
# line without newline kept, over-long lines cut, its last words before
# the news of its exit, nothing lost in a flood.  When the kernel would
# echo kmsg to the console itself (console_loglevel 7), init does not
# write the console copy.  A console that stays full (here a FIFO that
# the test does not read during a flood) loses lines, never torn ones:
# what it took is the flood's first lines in order, and the next line
# that fits is preceded by one note that counts exactly the rest.
import errno
import os
import signal
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from initns import Init, InitError, Tap, require_host, until  # noqa: E402

require_host()
LINE_MAX = 480   # OUTPUT_LINE_MAX in app/init/output.h
FLOOD = 20000

t = Tap(12)
with Init() as init:
    init.write("/dev/kmsg", "")
    init.script("talk", "echo 'to stdout'\necho 'to stderr' >&2\n"
                "printf 'split '; sleep 0.2; printf 'line\\n'\n"
                "head -c %d /dev/zero | tr '\\0' x; echo\n"
                "printf 'no newline at the end'" % (LINE_MAX + 20))
    init.script("flood", "i=0; while [ $i -lt %d ]; do echo \"n $i\"; i=$((i+1)); done"
                % FLOOD)
    init.services("talk once " + init.path("/bin/talk"),
                  "flood once " + init.path("/bin/flood"))
    try:
        init.start()
        if not until(lambda: len(init.matches(r"(talk|flood) \(pid \d+\) exited "
                                              r"with status 0")) == 2, 30):
            raise InitError("talk and flood did not both exit" + init.tail())
    except InitError as e:
        t.abort(e)
    console = [text for _, text in init.out]
    for want in ("talk: to stdout", "talk: to stderr", "talk: split line"):
        t.ok(want in console, "console has %r" % want, init.tail())
    t.ok("talk: " + "x" * LINE_MAX in console and "talk: " + "x" * 20 in console,
         "a line longer than %d bytes is cut in two" % LINE_MAX, init.tail())
    last = console.index("talk: no newline at the end") if \
        "talk: no newline at the end" in console else None
    ended = [i for i, l in enumerate(console) if "talk (pid" in l and "exited" in l]
    t.ok(last is not None and ended and last < ended[0],
         "a last line without newline comes out, before the exit is logged",
         init.tail())
    kmsg = init.read("/dev/kmsg").splitlines()
    talk = [l for l in kmsg if l.startswith("<30>talk: ")]
    t.ok(talk[:3] == ["<30>talk: to stdout", "<30>talk: to stderr", "<30>talk: split line"]
         and len(talk) == 6, "dev/kmsg has the same lines as <30>talk: ...",
         "\n".join(talk))
    flood = [l for l in kmsg if l.startswith("<30>flood: n ")]
    t.ok(flood == ["<30>flood: n %d" % i for i in range(FLOOD)],
         "a flood of %d lines reaches kmsg whole and in order" % FLOOD,
         "got %d lines" % len(flood))
    init.signal(signal.SIGUSR2)
    t.ok(init.wait_exit(10) == 0, "init still stops cleanly", init.tail())

with Init() as init:
    init.write("/dev/kmsg", "")
    init.write("/proc/sys/kernel/printk", "7\t4\t1\t7\n")
    init.script("talk", "echo 'hello'")
    init.services("talk once " + init.path("/bin/talk"))
    try:
        init.start()
        init.expect(r"talk \(pid \d+\) exited")
        until(lambda: "<30>talk: hello" in init.read("/dev/kmsg"), 2)
    except InitError as e:
        t.abort(e)
    t.ok("<30>talk: hello" in init.read("/dev/kmsg") and
         not init.matches(r"^talk: hello"),
         "with console_loglevel 7 the line goes to kmsg only (the kernel echoes it)",
         init.tail())
    init.signal(signal.SIGUSR2)
    init.wait_exit(10)


def drain(fd):
    """Whatever the FIFO holds now, as text."""
    data = b""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError as e:
            if e.errno == errno.EAGAIN:
                return data.decode()
            raise
        if not chunk:
            return data.decode()
        data += chunk


with Init() as init:
    init.write("/dev/kmsg", "")
    os.mkfifo(init.path("/dev/console"))
    console = os.open(init.path("/dev/console"), os.O_RDONLY | os.O_NONBLOCK)
    init.script("flood", "i=0; while [ $i -lt %d ]; do echo \"n $i\"; i=$((i+1)); done"
                % FLOOD)
    init.script("late", "while [ ! -e @ROOT@/go ]; do sleep 0.05; done; echo after")
    init.services("flood once " + init.path("/bin/flood"),
                  "late once " + init.path("/bin/late"))
    try:
        init.start()
        init.expect(r"flood \(pid \d+\) exited with status 0", 30)
        kept = drain(console).splitlines()
        init.write("/go", "")
        init.expect(r"late \(pid \d+\) exited with status 0", 10)
        rest = drain(console).splitlines()
    except InitError as e:
        t.abort(e)
    finally:
        os.close(console)
    k = len(kept)
    t.ok(0 < k < FLOOD and kept == ["flood: n %d" % i for i in range(k)],
         "a console that stays full takes the flood's first lines whole and in order "
         "(%d of %d)" % (k, FLOOD), "\n".join(kept[-3:]))
    t.ok(rest == ["init: %d line(s) of service output dropped: console busy" % (FLOOD - k),
                  "late: after"],
         "once it has room: one note counting exactly the %d lost, then the next line"
         % (FLOOD - k), "\n".join(rest))
    flood = [l for l in init.read("/dev/kmsg").splitlines() if l.startswith("<30>flood: n ")]
    t.ok(len(flood) == FLOOD, "kmsg has all %d lines all the same" % FLOOD, len(flood))
    init.signal(signal.SIGUSR2)
    init.wait_exit(10)
t.done()
