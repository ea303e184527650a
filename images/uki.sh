#!/bin/sh
# SPDX-License-Identifier: MIT
# uki.sh STUB KERNEL INITRD CMDLINE TITLE OUT -- one EFI-bootable file (a
# unified kernel image) from systemd's EFI stub: the kernel, the initramfs
# and the command line as PE sections the stub hands to the kernel.
#
# OBJCOPY (default objcopy) must know the stub's PE format: for an arm64
# stub, the cross binutils' aarch64-linux-gnu-objcopy.
#
# The embedded os-release names the image for systemd-boot's menu but has
# no ID or IMAGE_ID on purpose: without a sort key, systemd-boot 252 orders
# the slots by file name, which is what app/lib/bootslot.c relies on.
set -eu
[ $# -eq 6 ] || { echo "usage: uki.sh STUB KERNEL INITRD CMDLINE TITLE OUT" >&2; exit 100; }
stub=$1 kernel=$2 initrd=$3 cmdline=$4 title=$5 out=$6
tmp=$out.d
rm -rf "$tmp" && mkdir -p "$tmp"
printf 'PRETTY_NAME="%s"\n' "$title" >"$tmp/osrel"
printf '%s' "$cmdline" >"$tmp/cmdline"
# Section addresses: after the stub's own (it ends below 0x20000), each
# section 1 MiB aligned after the one before.
size() { stat -c %s "$1"; }
align() { echo $(( ($1 + 0xfffff) / 0x100000 * 0x100000 )); }
linux_vma=0x2000000
initrd_vma=$(printf '0x%x' "$(align $((linux_vma + $(size "$kernel"))))")
${OBJCOPY:-objcopy} \
	--add-section .osrel="$tmp/osrel" --change-section-vma .osrel=0x20000 \
	--add-section .cmdline="$tmp/cmdline" --change-section-vma .cmdline=0x30000 \
	--add-section .linux="$kernel" --change-section-vma .linux=$linux_vma \
	--add-section .initrd="$initrd" --change-section-vma .initrd="$initrd_vma" \
	"$stub" "$out.tmp"
# objcopy stamps the PE header with the time of day: SOURCE_DATE_EPOCH
# instead (the build's, toolchain/source-date.mk; 0 when a test calls this
# without one), and the header's checksum again, so the same inputs make
# the same bytes.
python3 - "$out.tmp" "${SOURCE_DATE_EPOCH:-0}" <<-'PY'
	import struct, sys
	path, when = sys.argv[1], int(sys.argv[2])
	data = bytearray(open(path, "rb").read())
	pe = struct.unpack_from("<I", data, 0x3c)[0]
	assert data[pe:pe + 4] == b"PE\0\0", "not a PE file"
	struct.pack_into("<I", data, pe + 8, when & 0xffffffff)
	at = pe + 24 + 64  # the optional header's CheckSum
	struct.pack_into("<I", data, at, 0)
	total = 0
	for (word,) in struct.iter_unpack("<H", data + b"\0" * (len(data) & 1)):
	    total += word
	    total = (total & 0xffff) + (total >> 16)
	struct.pack_into("<I", data, at, (total + len(data)) & 0xffffffff)
	open(path, "wb").write(data)
PY
rm -rf "$tmp"
mv "$out.tmp" "$out"
