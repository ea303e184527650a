#!/bin/sh
# SPDX-License-Identifier: MIT
# qemu.sh [QEMU ARGS...] -- boot the pc_x86_64 disk image with OVMF (UEFI).
# The caller sets DISK (a raw disk image, written by the guest: pass a
# copy of out/pc_x86_64/images/disk.img) and optionally VARS (the UEFI
# variable store, like the box's NVRAM; default DISK.vars, made from
# OVMF's empty template when missing), MEMORY (MiB) and DISK_OPTS (more
# -drive options for the disk, e.g. throttling.bps-write=N); the caller
# adds the network devices.  The disk sits on q35's AHCI controller, as on a
# real box; the serial console is on stdio; an i6300esb watchdog (the one
# QEMU emulates; init pets it) resets the guest when it runs out.  Guest reboots stay in this
# QEMU (fwupdate reboots into the new slot) unless the caller adds
# -no-reboot.  board/accel.sh picks the accelerator; `qemu.sh --accel [-w]`
# prints its choice (and why).
set -eu
accel() { "$(dirname "$0")/../accel.sh" "$@" x86_64-uefi; }
if [ "${1:-}" = --accel ]; then shift; accel "$@"; exit; fi
code=/usr/share/OVMF/OVMF_CODE_4M.fd
template=/usr/share/OVMF/OVMF_VARS_4M.fd
[ -r "$code" ] || { echo "qemu.sh: $code missing: apt-get install ovmf (toolchain/host-packages)" >&2; exit 111; }
[ -r "$DISK" ] || { echo "qemu.sh: DISK=$DISK is not readable" >&2; exit 100; }
VARS=${VARS:-$DISK.vars}
[ -s "$VARS" ] || cp "$template" "$VARS"
a=$(accel)
exec qemu-system-x86_64 -machine q35,accel=$a -cpu max -m "${MEMORY:-256}" \
	-nographic \
	-drive if=pflash,format=raw,unit=0,readonly=on,file="$code" \
	-drive if=pflash,format=raw,unit=1,file="$VARS" \
	-drive if=none,id=disk0,format=raw,file="$DISK"${DISK_OPTS:+,$DISK_OPTS} \
	-device ide-hd,drive=disk0,bus=ide.0 \
	-device i6300esb -action watchdog=reset "$@"
