#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""lab_clients.py [ROUNDS] [EFI_FILE...] -- how long a lab client takes to
network-boot Tern: `make lab` (board/lab.py) run with one client at a time, a BIOS
client (SeaBIOS with QEMU's iPXE ROM) then a UEFI one (OVMF, EDK2's own
PXE), each round in turn (default 3 rounds), on lab.py's bridge with taps
(a link that does not batch).  The figure is lab.py's own: seconds from
the client's QEMU start to its ready line, and the time of each stage
(dhcp, loader, script, kernel, initrd).  Prints every run, then the median
and spread of each kind beside issue 17's targets (BIOS 8 s, UEFI 15 s
under TCG), with the machine, its load and the accelerator: a figure from
a loaded machine says so.  With EFI_FILEs (snponly.efi ipxe.efi), the
UEFI client runs once per file each round, handed it by lab.py's LAB_EFI:
an interleaved A/B of UEFI loaders.  Run by `make bench`."""
import os
import re
import statistics
import subprocess
import sys

TOP = os.environ["TERN_TOP"]
rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
efi_files = sys.argv[2:]
TARGET = {"bios": 8.0, "uefi": 15.0}
STAGE = re.compile(r"^lab: (bios|uefi) +\S+ +(\w+) +([0-9.]+) s", re.M)


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def accel():
    r = subprocess.run([os.path.join(TOP, "board", "accel.sh"), "-w", "x86_64-uefi"],
                       capture_output=True, text=True)
    return (r.stdout.strip() or r.stderr.strip() or "?").split("\n")[0]


print("lab_clients: %d cores, %s, load average %s; accelerator: %s"
      % (os.cpu_count(), os.uname().release, loadavg(), accel()), flush=True)
runs = [("bios", "bios", "")] + ([("uefi " + f, "uefi", f) for f in efi_files]
                                  or [("uefi", "uefi", "")])
times = {name: [] for name, _, _ in runs}
for r in range(rounds):
    for name, kind, efi in runs:
        env = dict(os.environ, LAB_CLIENTS=kind, LAB_EFI=efi)
        p = subprocess.run([sys.executable, os.path.join(TOP, "board", "lab.py")], env=env,
                           capture_output=True, text=True, timeout=900)
        stages = {m.group(2): float(m.group(3)) for m in STAGE.finditer(p.stdout)
                  if m.group(1) == kind}
        if p.returncode != 0 or "ready" not in stages:
            print("round %d, %s: lab.py exit %d, no ready line\n%s%s"
                  % (r + 1, name, p.returncode, p.stdout[-2000:], p.stderr[-2000:]), flush=True)
            continue
        times[name].append(stages["ready"])
        print("round %d, %-4s: ready %5.1f s after its QEMU started (%s; load %s)"
              % (r + 1, name, stages["ready"],
                 ", ".join("%s %.1f" % (k, v) for k, v in stages.items() if k != "ready"),
                 loadavg()), flush=True)

print("\n| client | median s | spread s | runs | target s |\n|---|---|---|---|---|")
for name, got in times.items():
    target = TARGET[name.split()[0]]
    if got:
        print("| %s | %.1f | %.1f-%.1f | %d | %.0f |"
              % (name, statistics.median(got), min(got), max(got), len(got), target))
    else:
        print("| %s | - | - | 0 | %.0f |" % (name, target))
