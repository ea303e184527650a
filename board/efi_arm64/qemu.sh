#!/bin/sh
# SPDX-License-Identifier: MIT
# qemu.sh [QEMU ARGS...] -- boot the efi_arm64 disk image with AAVMF (UEFI
# for arm64, Debian's qemu-efi-aarch64) on QEMU's virt machine.  The caller
# sets DISK (a raw disk image, written by the guest: pass a copy of
# out/efi_arm64/images/disk.img) and optionally VARS (the UEFI variable
# store, like the box's NVRAM; default DISK.vars, made from AAVMF's empty
# template when missing), MEMORY (MiB) and DISK_OPTS (more -drive options
# for the disk); the caller adds the network devices (virtio-net-pci).  The
# disk is a virtio-blk PCI device; virt's firmware describes the machine
# with ACPI, as a SystemReady box does; the PL011 serial console is on
# stdio.  Guest reboots stay in this QEMU (fwupdate reboots into the new
# slot) unless the caller adds -no-reboot.  board/accel.sh picks the
# accelerator (TCG on an x86-64 host); `qemu.sh --accel [-w]` prints its
# choice (and why).
set -eu
accel() { "$(dirname "$0")/../accel.sh" "$@" aarch64-uefi; }
if [ "${1:-}" = --accel ]; then shift; accel "$@"; exit; fi
code=/usr/share/AAVMF/AAVMF_CODE.fd
template=/usr/share/AAVMF/AAVMF_VARS.fd
[ -r "$code" ] || { echo "qemu.sh: $code missing: apt-get install qemu-efi-aarch64 (toolchain/host-packages)" >&2; exit 111; }
[ -r "$DISK" ] || { echo "qemu.sh: DISK=$DISK is not readable" >&2; exit 100; }
VARS=${VARS:-$DISK.vars}
[ -s "$VARS" ] || cp "$template" "$VARS"
a=$(accel)
# Under KVM the guest gets the host's own CPU; under TCG a Cortex-A72
# (`max` would add pointer authentication, slow to emulate).
[ "$a" = kvm ] && cpu=host || cpu=cortex-a72
exec qemu-system-aarch64 -machine virt,accel=$a -cpu $cpu -m "${MEMORY:-256}" \
	-nographic \
	-drive if=pflash,format=raw,unit=0,readonly=on,file="$code" \
	-drive if=pflash,format=raw,unit=1,file="$VARS" \
	-drive if=none,id=disk0,format=raw,file="$DISK"${DISK_OPTS:+,$DISK_OPTS} \
	-device virtio-blk-pci,drive=disk0 "$@"
