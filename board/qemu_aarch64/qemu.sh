#!/bin/sh
# SPDX-License-Identifier: MIT
# qemu.sh [QEMU ARGS...] -- boot the qemu_aarch64 image: QEMU's virt
# machine, a Cortex-A72, the kernel and initramfs loaded directly.  The
# caller sets KERNEL, INITRD and CMDLINE (and optionally MEMORY, in MiB)
# and adds the network devices (virtio-net-pci: virt has a PCIe bus); the
# PL011 serial console (ttyAMA0) is on stdio.  board/accel.sh picks the
# accelerator (TCG on an x86-64 host); `qemu.sh --accel [-w]` prints its
# choice (and why).
set -eu
accel() { "$(dirname "$0")/../accel.sh" "$@" aarch64-linux; }
if [ "${1:-}" = --accel ]; then shift; accel "$@"; exit; fi
a=$(accel)
# Under KVM the guest gets the host's own CPU; under TCG a Cortex-A72
# (`max` would add pointer authentication, slow to emulate).
[ "$a" = kvm ] && cpu=host || cpu=cortex-a72
exec qemu-system-aarch64 -machine virt,accel=$a -cpu $cpu -m "${MEMORY:-256}" \
	-nographic -no-reboot \
	-kernel "$KERNEL" -initrd "$INITRD" -append "$CMDLINE" "$@"
