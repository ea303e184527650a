# SPDX-License-Identifier: MIT
"""disk.py -- boot a disk board's image (systemd-boot, A/B slots): pc_x86_64
with OVMF for tests/qemu/disk_*.t, efi_arm64 with AAVMF for arm64_disk.t.

`make test` builds the disk board in its own output directory and exports
TERN_DISK_OUT (that board's O), and the arm64 one in TERN_ARM_OUT;
Disk(out) takes either, and boots it with its board's qemu.sh.  A test works on its own copy of disk.img
in a temporary directory (the guest writes its disk: boot counters, the
data partition), with its own UEFI variable store.  Slot images for the
tests are built like the real one (images/uki.sh, same stub, kernel and
initramfs), with tern.debug_shell=1 added to the command line so the test
has a shell.
"""
import glob
import os
import re
import shutil
import subprocess
import tempfile

from guest import Guest

MIB = 1048576
LOADER_GUID = "4a67b082-0a4c-41cf-b6c7-440b29bb8c4f"


def disk_out():
    return os.environ["TERN_DISK_OUT"]


def disk_conf(out=None):
    """The disk board's auto.mk as a dict: CONFIG_FOO -> value."""
    conf = {}
    with open(os.path.join(out or disk_out(), "auto.mk")) as f:
        for line in f:
            if " := " in line:
                k, v = line.rstrip("\n").split(" := ", 1)
                conf[k] = v.replace("$$", "$").replace("\\#", "#")
    return conf


def run(*argv, **kw):
    return subprocess.run(argv, check=True, capture_output=True, **kw)


class Disk:
    """A private copy of the board's disk.img, in a temporary directory."""

    def __init__(self, out=None):
        self.out = out or disk_out()
        self.conf = disk_conf(self.out)
        self.top = os.environ["TERN_TOP"]
        self.dir = tempfile.mkdtemp(prefix="tern-disk-")
        self.path = os.path.join(self.dir, "disk.img")
        self.vars = os.path.join(self.dir, "vars.fd")
        images = os.path.join(self.out, "images")
        run("cp", "--sparse=always", os.path.join(images, "disk.img"), self.path)
        self.esp = "%s@@%d" % (self.path, MIB)

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def slot_image(self, name, extra_cmdline="", kernel=None):
        """A slot image like slot.efi, its command line with
        tern.debug_shell=1 and extra_cmdline added; returns its path."""
        build = os.path.join(self.out, "build")
        stub = glob.glob(os.path.join(build, "systemd-boot-*", "usr", "lib", "systemd", "boot",
                                      "efi", "linux%s.efi.stub" % self.conf["CONFIG_EFI_ARCH"]))[0]
        images = os.path.join(self.out, "images")
        efi_kernel = os.path.basename(self.conf["CONFIG_KERNEL_EFI_IMAGE"])
        cmdline = " ".join(w for w in (self.conf["CONFIG_BOARD_CMDLINE"].strip('"'),
                                       "tern.debug_shell=1", extra_cmdline) if w)
        path = os.path.join(self.dir, name)
        run(os.path.join(self.top, "images", "uki.sh"), stub,
            kernel or os.path.join(images, efi_kernel),
            os.path.join(images, "rootfs.cpio.gz"), cmdline, "Tern test " + name, path,
            env=dict(os.environ, OBJCOPY=self.conf.get("CONFIG_TOOLCHAIN_CROSS", "") + "objcopy"))
        return path

    # -- the ESP, read and written with mtools like images/disk.sh ------
    def mtools(self, *argv):
        env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
        return run(*argv, env=env).stdout.decode()

    def slots(self):
        """The file names in EFI/Linux, sorted."""
        out = self.mtools("mdir", "-b", "-i", self.esp, "::/EFI/Linux")
        return sorted(os.path.basename(l.strip()) for l in out.splitlines() if l.strip())

    def put(self, src, name):
        self.mtools("mcopy", "-o", "-i", self.esp, src, "::/EFI/Linux/" + name)

    def get(self, name):
        """The bytes of EFI/Linux/name."""
        dst = os.path.join(self.dir, "get.tmp")
        self.mtools("mcopy", "-o", "-i", self.esp, "::/EFI/Linux/" + name, dst)
        with open(dst, "rb") as f:
            data = f.read()
        os.unlink(dst)
        return data

    # -- the data partition, as built (ext4, written with debugfs) -------
    def data_extent(self):
        """(offset, size) in MiB of the data partition as images/disk.sh
        lays it out: after 1 MiB and the ESP."""
        return (1 + int(self.conf["CONFIG_DISK_ESP_SIZE"]),
                int(self.conf["CONFIG_DISK_DATA_SIZE"]))

    def data_put(self, src, path):
        """Write the host file src to path (relative to its root) on the
        data partition, before the guest boots."""
        off, size = self.data_extent()
        part = os.path.join(self.dir, "data.part")
        run("dd", "if=" + self.path, "of=" + part, "bs=1M", "skip=%d" % off,
            "count=%d" % size, "status=none")
        out = run("debugfs", "-w", "-R", "write %s %s" % (src, path), part)
        if b"Allocated inode" not in out.stdout + out.stderr:
            raise RuntimeError("debugfs did not write %s: %s" % (path, out))
        run("dd", "if=" + part, "of=" + self.path, "bs=1M", "seek=%d" % off,
            "conv=notrunc,sparse", "status=none")
        os.unlink(part)

    def grow(self, mib):
        """The disk mib MiB bigger, as a box's disk is bigger than the image."""
        with open(self.path, "r+b") as f:
            f.truncate(os.path.getsize(self.path) + mib * MIB)

    def boot(self, qemu_args=(), disk_opts=""):
        """Boot the disk; the Guest's console is the serial port."""
        os.environ["DISK"] = self.path
        os.environ["DISK_OPTS"] = disk_opts
        os.environ["VARS"] = self.vars
        os.environ["MEMORY"] = self.conf.get("CONFIG_QEMU_MEMORY", "256")
        qemu = os.path.join(self.top, "board", self.conf["CONFIG_BOARD_NAME"], "qemu.sh")
        return Guest(argv=[qemu, "-nic", "none"] + list(qemu_args), debug_shell=False)


SLOT_LINE = re.compile(rb"init: slot ([AB]) booted \(([^)]*)\)")
READY = rb"tern: ready in ([0-9.]+) s"


def boot_to_shell(g, t, slot, since, timeout=240):
    """Wait (in g's console after since) for a slot to boot, the ready line
    and the debug shell (t bails out without it); mount the bundles' disk
    (the virtio disk holding an ext4 file system and no partition table)
    read-only on /mnt.  Returns (slot letter, boot entry name)."""
    m = g.wait_log(SLOT_LINE, since=since, timeout=timeout)
    g.buf = g.log[m.end():]
    g.expect(READY, 120)
    if not g.wait_shell(60):
        t.bail("no shell after slot %s booted" % slot)
    g.sh("mkdir -p /mnt && for b in /dev/vd?; do mount -o ro $b /mnt 2>/dev/null && break; done")
    return m.group(1).decode(), m.group(2).decode()
