#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""build_time.py [BOARD...] -- the clean build time of each board (default
efi_arm64 and qemu_aarch64, the arm64 ones): for each, a fresh clone of
this tree's HEAD in a temporary directory, `make BOARD=B` there with the
download cache DL_DIR (so no fetch is timed, and nothing of out/ is
reused), timed on the wall clock and in CPU seconds (every process make
ran), with the machine's core count and load average before and after:
a figure from a loaded machine says so.  One board at a time, each clone
removed after.  The rows go to stdout and to out/bench/build-time.md.

Run by `make build-time` (BUILD_TIME_BOARDS="..." for others); not by `make test`
or `make bench`: each arm64 board is a kernel and a cross toolchain's
worth of compiling, minutes of both cores.  The README's figures for the
arm64 boards come from it, run on a quiet machine."""
import os
import resource
import subprocess
import sys
import tempfile
import time

TOP = os.environ.get("TERN_TOP") or os.path.abspath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
OUT = os.environ.get("TERN_OUT") or os.path.join(TOP, "out")
DL = os.environ.get("TERN_DL") or os.environ.get("DL_DIR") or os.path.join(TOP, "dl")
boards = sys.argv[1:] or ["efi_arm64", "qemu_aarch64"]
# Run by `make build-time`, this inherits the parent make's MAKEFLAGS,
# whose jobserver's descriptors it does not have: the board's make would
# then build with -j1 ("jobserver unavailable").  Each build is a
# top-level make of its own, with the tree's own -j (JOBS, nproc).
ENV = {k: v for k, v in os.environ.items()
       if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")}


def load():
    with open("/proc/loadavg") as f:
        return f.read().split()[0]


def cpu_children():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


head = subprocess.run(["git", "-C", TOP, "rev-parse", "--short", "HEAD"], capture_output=True,
                      text=True, check=True).stdout.strip()
rows = []
for board in boards:
    with tempfile.TemporaryDirectory(prefix="tern-build-time-") as tmp:
        tree = os.path.join(tmp, "tern")
        subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", TOP, tree], check=True)
        before, cpu0, t0 = load(), cpu_children(), time.monotonic()
        with open(os.path.join(tmp, "build.log"), "w") as log:
            r = subprocess.run(["make", "-C", tree, "BOARD=" + board, "DL_DIR=" + DL],
                               stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                               env=ENV)
        wall, cpu = time.monotonic() - t0, cpu_children() - cpu0
        with open(os.path.join(tmp, "build.log")) as f:
            text = f.read()
        if r.returncode != 0:
            sys.stderr.write(text[-3000:])
            sys.exit("build_time: make BOARD=%s failed (status %d)" % (board, r.returncode))
        if "jobserver unavailable" in text:
            sys.exit("build_time: make BOARD=%s ran without its jobs (jobserver unavailable): "
                     "the time would not be a clean build's" % board)
        row = ("| %s | %d min %02d s | %d CPU min | %d cores, load %s before, %s after | %s |"
               % (board, wall // 60, wall % 60, round(cpu / 60), os.cpu_count(), before,
                  load(), head))
        print(row, flush=True)
        rows.append(row)

os.makedirs(os.path.join(OUT, "bench"), exist_ok=True)
with open(os.path.join(OUT, "bench", "build-time.md"), "w") as f:
    f.write("| board | clean build, wall | CPU | machine | commit |\n|---|---|---|---|---|\n")
    f.write("\n".join(rows) + "\n")
