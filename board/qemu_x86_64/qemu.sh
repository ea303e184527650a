#!/bin/sh
# SPDX-License-Identifier: MIT
# qemu.sh [QEMU ARGS...] -- boot the qemu_x86_64 image.  The caller sets
# KERNEL, INITRD and CMDLINE (and optionally MEMORY, in MiB) and adds the
# network devices; the serial console is on stdio.  board/accel.sh picks
# the accelerator; `qemu.sh --accel [-w]` prints its choice (and why).
set -eu
accel() { "$(dirname "$0")/../accel.sh" "$@" x86_64-linux; }
if [ "${1:-}" = --accel ]; then shift; accel "$@"; exit; fi
a=$(accel)
exec qemu-system-x86_64 -machine q35,accel=$a -cpu max -m "${MEMORY:-256}" \
	-nographic -no-reboot \
	-kernel "$KERNEL" -initrd "$INITRD" -append "$CMDLINE" "$@"
