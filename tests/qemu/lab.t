#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# `make lab` (board/lab.py), as a user types it:
#   - it boots the appliance and a BIOS and a UEFI client beside it, says
#     each client's stages in order (dhcp, loader, script, kernel, initrd,
#     ready) and exits 0 with both ready; the consoles are in out/lab/;
#   - the appliance's pxed.conf hands x86-64 UEFI clients the image's
#     default snponly.efi, or LAB_EFI's file, and pxed -t accepts both;
#   - LAB_IF refuses a missing interface, loopback, and an interface that
#     has an address, each with a reason and without booting anything;
#   - LAB_IF=IFACE on an interface the test made (a veth whose other end is
#     in a network namespace standing in for a physical segment): a DHCP
#     client on that segment (BusyBox udhcpc, as a PXE client) is offered
#     an address and a boot file by the appliance, `make lab` reports the
#     client by its MAC, and on SIGTERM it takes its bridge and tap away
#     and gives the interface back.
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
TOP = os.environ["TERN_TOP"]
sys.path.insert(0, os.path.join(TOP, "tests/qemu/lib"))
from guest import OVMF_CODE, Tap  # noqa: E402

OUT = os.environ["TERN_OUT"]
if os.geteuid() != 0 or not os.path.exists(OVMF_CODE) or not shutil.which("busybox"):
    print("1..0 # SKIP needs root, OVMF and busybox (toolchain/host-packages)")
    sys.exit(0)
if os.environ.get("TERN_BOARD") != "qemu_x86_64":
    print("1..0 # SKIP make lab is for the qemu_x86_64 board")
    sys.exit(0)

t = Tap(10)
MAKE = ["make", "-C", TOP, "--no-print-directory", "-s", "O=" + OUT,
        "KCONFIG_CONFIG=" + os.environ["TERN_CONFIG"], "DL_DIR=" + os.environ["TERN_DL"]]
# QEMU's BIOS client is iPXE already (its NIC ROM): no loader to fetch.
STAGES = {"bios": ("dhcp", "script", "kernel", "initrd", "ready"),
          "uefi": ("dhcp", "loader", "script", "kernel", "initrd", "ready")}


def make_lab(*words, timeout=900):
    return subprocess.run(MAKE + ["lab"] + list(words), capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


# -- make lab, as the README says -----------------------------------------
r = make_lab()
out = r.stdout + r.stderr
print("# " + "\n# ".join(line for line in out.splitlines() if line.startswith("lab:")))
t.ok(r.returncode == 0, "make lab exits 0", out[-3000:])
for kind in ("bios", "uefi"):
    seen = re.findall(r"(?m)^lab: %s\s+\S+\s+(\w+)\s+([0-9.]+) s" % kind, r.stdout)
    stages = [s for s, _ in seen]
    times = [float(x) for _, x in seen]
    t.ok(stages == list(STAGES[kind]) and times == sorted(times),
         "make lab: the %s client's stages, in order: %s" % (kind, " ".join(STAGES[kind])),
         "\n".join("%s %s" % x for x in seen) or out[-2000:])
logs = [os.path.join(OUT, "lab", n + ".log") for n in ("appliance", "bios", "uefi")]
t.ok(all(os.path.getsize(p) > 0 for p in logs if os.path.exists(p)) and all(map(os.path.exists, logs))
     and b"tern: ready in" in open(logs[1], "rb").read(),
     "make lab: each guest's console is in out/lab/", repr(logs))

# -- the UEFI clients' boot file: the image's default, or LAB_EFI's ---------
sys.path.insert(0, os.path.join(TOP, "board"))
import lab  # noqa: E402

files, why = {}, ""
with tempfile.TemporaryDirectory() as tmp:
    for efi in ("", "ipxe.efi"):
        os.environ["LAB_EFI"] = efi
        conf = lab.appliance_conf()
        files[efi] = re.findall(r"(?m)^arch 7,9 file (\S+)$", conf)
        with open(os.path.join(tmp, "pxed.conf"), "w") as f:
            f.write(conf)
        r = subprocess.run([os.path.join(os.environ["TERN_APPS"], "pxed"), "-t", "-c",
                            os.path.join(tmp, "pxed.conf")], capture_output=True, text=True)
        why += "" if r.returncode == 0 else conf + r.stdout + r.stderr
    del os.environ["LAB_EFI"]
t.ok(files == {"": ["snponly.efi"], "ipxe.efi": ["ipxe.efi"]} and not why,
     "make lab's pxed.conf: UEFI clients get snponly.efi, or LAB_EFI's ipxe.efi; pxed -t "
     "accepts both", "%s\n%s" % (files, why))

# -- LAB_IF refusals ---------------------------------------------------------
ns = "tern-%d-seg" % os.getpid()
host_if = "tern%dh" % (os.getpid() % 100000)
seg_if = "seg0"


def sh(*argv, check=True):
    return subprocess.run(argv, check=check, capture_output=True, text=True)


sh("ip", "netns", "add", ns)
try:
    sh("ip", "link", "add", host_if, "type", "veth", "peer", "name", seg_if, "netns", ns)
    sh("ip", "-n", ns, "link", "set", seg_if, "address", "52:54:00:00:0b:01")
    sh("ip", "-n", ns, "link", "set", seg_if, "up")
    sh("ip", "-n", ns, "link", "set", "lo", "up")
    refused = []
    for iface, why in (("tern-nosuch0", r"no such interface"), ("lo", r"not an Ethernet port")):
        started = time.monotonic()
        r = make_lab("LAB_IF=" + iface, timeout=120)
        refused.append(r.returncode != 0 and re.search(r"lab: LAB_IF=%s: %s" % (iface, why),
                                                        r.stderr) is not None
                       and time.monotonic() - started < 60)
    sh("ip", "addr", "add", "198.51.100.7/24", "dev", host_if)
    r = make_lab("LAB_IF=" + host_if, timeout=120)
    refused.append(r.returncode != 0 and "has the address 198.51.100.7" in r.stderr)
    sh("ip", "addr", "flush", "dev", host_if)
    t.ok(all(refused), "LAB_IF: a missing interface, loopback and an interface with an "
         "address are refused with the reason, nothing booted", repr(refused) + r.stderr)

    # -- LAB_IF on the stand-in segment ---------------------------------
    p = subprocess.Popen(MAKE + ["lab", "LAB_IF=" + host_if], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True, stdin=subprocess.DEVNULL,
                         start_new_session=True)
    lines = []

    def wait_line(rx, timeout):
        deadline = time.monotonic() + timeout
        import select
        while time.monotonic() < deadline:
            for line in lines:
                if re.search(rx, line):
                    return True
            r, _, _ = select.select([p.stdout], [], [], 1)
            if r:
                line = p.stdout.readline()
                if not line:
                    return False
                lines.append(line)
        return False

    up = wait_line(r"lab: appliance ready in", 300)
    br = sh("ip", "-j", "link", "show", "master", "tern-lab-br", check=False).stdout
    t.ok(up and host_if in br, "LAB_IF: the appliance boots with its lab port bridged to the "
         "interface", "".join(lines)[-2000:] + br)
    with tempfile.TemporaryDirectory() as tmp:
        script = os.path.join(tmp, "script")
        with open(script, "w") as f:
            f.write("#!/bin/sh\n[ \"$1\" = bound ] && echo \"BOUND $ip $boot_file $siaddr\" "
                    ">> %s/events\nexit 0\n" % tmp)
        os.chmod(script, 0o755)
        r = sh("ip", "netns", "exec", ns, "busybox", "udhcpc", "-i", seg_if, "-f", "-q", "-n",
               "-t", "5", "-T", "2", "-s", script, "-V", "PXEClient:Arch:00000:UNDI:002001",
               "-x", "0x5d:0000", check=False)
        try:
            events = open(os.path.join(tmp, "events")).read()
        except OSError:
            events = ""
    t.ok(re.search(r"BOUND 192\.0\.2\.1\d\d undionly\.kpxe 192\.0\.2\.1\b", events),
         "LAB_IF: a PXE client on the segment gets an address and the BIOS loader from the "
         "appliance", events + r.stdout + r.stderr)
    t.ok(wait_line(r"lab: mac\s+52:54:00:00:0b:01\s+dhcp\s", 30),
         "LAB_IF: make lab reports the segment's client by its MAC", "".join(lines)[-2000:])
    os.killpg(p.pid, signal.SIGTERM)
    try:
        p.wait(60)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
    deadline = time.monotonic() + 30  # make may end before lab.py has undone its work
    while os.path.exists("/sys/class/net/tern-lab-br") and time.monotonic() < deadline:
        time.sleep(0.2)
    left = sh("ip", "-o", "link", "show", check=False).stdout
    master = os.path.exists("/sys/class/net/%s/master" % host_if)
    t.ok("tern-lab-br" not in left and "tern-lab-tap" not in left and not master
         and os.path.isdir("/sys/class/net/" + host_if),
         "LAB_IF: on SIGTERM the bridge and tap are gone and the interface is back, unbridged",
         left)
finally:
    subprocess.run(["ip", "link", "del", host_if], stderr=subprocess.DEVNULL)
    subprocess.run(["ip", "netns", "del", ns], stderr=subprocess.DEVNULL)
t.done()
