#!/bin/sh
# SPDX-License-Identifier: MIT
# disk.sh OUT LOADER SLOT ESP_MIB DATA_MIB DATA_DIR ID -- the flashable
# disk image, built as plain files (no root, no loop devices):
#
#   GPT, 1 MiB aligned
#   1 tern-esp   EFI system partition, FAT32, ESP_MIB MiB:
#                  EFI/BOOT/BOOTX64.EFI   systemd-boot (LOADER), the path
#                                         firmware boots from a disk
#                                         without any boot entry in NVRAM
#                                         (BOOTAA64.EFI for systemd-bootaa64.efi)
#                  loader/loader.conf     no menu unless a key is held
#                  startup.nsh            "reset", for a firmware that falls
#                                         into its UEFI shell when the loader
#                                         returns (a slot that does not load)
#                  EFI/Linux/tern-1-a.efi slot A (SLOT), good; slot B empty
#   2 tern-data  ext4, DATA_MIB MiB, from DATA_DIR (mounted on /data)
#
# The ESP must hold two slots and a third while an update is written.
#
# The same inputs make the same bytes: the GPT's GUIDs, the FAT volume id
# and the ext4 UUID and hash seed come from ID (the version and the board),
# not from a random source, and every time stamp is SOURCE_DATE_EPOCH
# (mtools and mke2fs read it from the environment).
set -eu
[ $# -eq 7 ] || { echo "usage: disk.sh OUT LOADER SLOT ESP_MIB DATA_MIB DATA_DIR ID" >&2; exit 100; }
out=$1 loader=$2 slot=$3 esp_mib=$4 data_mib=$5 data_dir=$6 id=$7
: "${SOURCE_DATE_EPOCH:?disk.sh: SOURCE_DATE_EPOCH is not set (toolchain/source-date.mk)}"
tmp=$out.d
rm -rf "$tmp" && mkdir -p "$tmp"
export MTOOLS_SKIP_CHECK=1
export E2FSPROGS_FAKE_TIME=$SOURCE_DATE_EPOCH
# hexid WHAT: 32 hex digits, from ID and WHAT alone.
hexid() { printf 'tern disk %s %s' "$id" "$1" | sha256sum | cut -c1-32; }
# uuid WHAT: a UUID from them, version 8 (RFC 9562: its bits are ours).
uuid() {
	h=$(hexid "$1")
	v=$(printf %x $(((0x$(echo "$h" | cut -c17) & 3) | 8)))
	echo "$h" | sed "s/^\(.\{8\}\)\(.\{4\}\).\(.\{3\}\).\(.\{3\}\)\(.*\)$/\1-\2-8\3-$v\4-\5/"
}

esp=$tmp/esp.img
# (--invariant first: it sets a volume id of its own, -i then ours.)
mkfs.fat -F 32 -n TERN-ESP --invariant -i "$(hexid fat | cut -c1-8)" -C "$esp" $((esp_mib * 1024)) >/dev/null
cat >"$tmp/loader.conf" <<-CONF
	# systemd-boot boots the first slot in its order at once (hold a key
	# at power-on for the menu): see board/pc_x86_64/readme.md.
	timeout 0
	editor no
	auto-entries no
CONF
# systemd-boot 252 spends a try of a slot, then returns to the firmware
# when the slot does not load (a truncated file: "Error loading ...
# Unsupported"), and the firmware goes on to its next boot option: OVMF's
# and AAVMF's is their UEFI shell, which runs startup.nsh from the
# first file system after 5 s (any key but Esc: at once).  A reset boots
# the loader again, one try fewer, so the other slot boots once the
# broken one has none left (board/pc_x86_64/readme.md).
cat >"$tmp/startup.nsh" <<-NSH
	@echo -off
	echo "startup.nsh (Tern): the boot loader returned without booting a slot: resetting"
	reset
NSH
mmd -i "$esp" ::/EFI ::/EFI/BOOT ::/EFI/Linux ::/loader
# systemd-boot<arch>.efi is EFI/BOOT/BOOT<ARCH>.EFI (x64, aa64).
arch=$(basename "$loader" .efi | sed 's/^systemd-boot//' | tr a-z A-Z)
mcopy -i "$esp" "$loader" "::/EFI/BOOT/BOOT$arch.EFI"
mcopy -i "$esp" "$tmp/loader.conf" ::/loader/loader.conf
mcopy -i "$esp" "$tmp/startup.nsh" ::/startup.nsh
mcopy -i "$esp" "$slot" ::/EFI/Linux/tern-1-a.efi
free=$(mdir -i "$esp" :: | sed -n 's/ bytes free$//p' | tr -cd '0-9')
need=$((2 * $(stat -c %s "$slot")))
if [ "$free" -lt "$need" ]; then
	echo "disk.sh: the ESP ($esp_mib MiB) has $free bytes free after slot A; slot B and an update's temporary copy need $need: raise DISK_ESP_SIZE" >&2
	exit 1
fi

data=$tmp/data.img
truncate -s "${data_mib}M" "$data"
# mke2fs -d copies each file's times: a copy of the tree, all of them one,
# and then the change times, which only debugfs can set.
cp -R "$data_dir" "$tmp/data"
find "$tmp/data" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
mkfs.ext4 -q -F -L tern-data -U "$(uuid ext4)" -d "$tmp/data" \
	-E root_owner=0:0,hash_seed="$(uuid ext4-hash)" "$data" "${data_mib}M"
(cd "$tmp/data" && find .) | sed 's/^\.//; s/^$/\//' |
	while IFS= read -r f; do echo "sif \"$f\" ctime @$SOURCE_DATE_EPOCH"; done >"$tmp/ctimes"
debugfs -w -f "$tmp/ctimes" "$data" >"$tmp/debugfs.log" 2>&1 && ! grep -q -i 'error\|not found' "$tmp/debugfs.log" ||
	{ cat "$tmp/debugfs.log" >&2; echo "disk.sh: debugfs could not set the change times" >&2; exit 1; }

mib=1048576
truncate -s $(((1 + esp_mib + data_mib + 1) * mib)) "$out.tmp"
# (sgdisk -q would not write a table on a blank disk.)
sgdisk \
	-U "$(uuid gpt)" \
	-n 1:2048:+"${esp_mib}M" -t 1:ef00 -c 1:tern-esp -u 1:"$(uuid esp)" \
	-n 2:$((2048 + esp_mib * 2048)):+"${data_mib}M" -t 2:8300 -c 2:tern-data -u 2:"$(uuid data)" \
	"$out.tmp" >/dev/null
dd if="$esp" of="$out.tmp" bs=$mib seek=1 conv=notrunc,sparse status=none
dd if="$data" of="$out.tmp" bs=$mib seek=$((1 + esp_mib)) conv=notrunc,sparse status=none
[ "$(sgdisk -p "$out.tmp" | grep -c -E ' tern-(esp|data)$')" = 2 ] &&
	sgdisk -v "$out.tmp" | grep -q 'No problems found' ||
	{ sgdisk -v "$out.tmp" >&2; echo "disk.sh: the partition table does not verify" >&2; exit 1; }
rm -rf "$tmp"
mv "$out.tmp" "$out"
