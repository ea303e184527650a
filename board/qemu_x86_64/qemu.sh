#!/bin/sh
# qemu.sh [QEMU ARGS...] -- boot the qemu_x86_64 image.  The caller sets
# KERNEL, INITRD and CMDLINE (and optionally MEMORY, in MiB) and adds the
# network devices; the serial console is on stdio.  Runs under TCG unless
# /dev/kvm is usable.
set -eu
accel=tcg
[ -w /dev/kvm ] && accel=kvm
exec qemu-system-x86_64 -machine q35,accel=$accel -cpu max -m "${MEMORY:-256}" \
	-nographic -no-reboot \
	-kernel "$KERNEL" -initrd "$INITRD" -append "$CMDLINE" "$@"
