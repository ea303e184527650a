#!/bin/sh
# disk.sh OUT LOADER SLOT ESP_MIB DATA_MIB DATA_DIR -- the flashable disk
# image, built as plain files (no root, no loop devices):
#
#   GPT, 1 MiB aligned
#   1 tern-esp   EFI system partition, FAT32, ESP_MIB MiB:
#                  EFI/BOOT/BOOTX64.EFI   systemd-boot (LOADER), the path
#                                         firmware boots from a disk
#                                         without any boot entry in NVRAM
#                                         (BOOTAA64.EFI for systemd-bootaa64.efi)
#                  loader/loader.conf     no menu unless a key is held
#                  EFI/Linux/tern-1-a.efi slot A (SLOT), good; slot B empty
#   2 tern-data  ext4, DATA_MIB MiB, from DATA_DIR (mounted on /data)
#
# The ESP must hold two slots and a third while an update is written.
set -eu
[ $# -eq 6 ] || { echo "usage: disk.sh OUT LOADER SLOT ESP_MIB DATA_MIB DATA_DIR" >&2; exit 100; }
out=$1 loader=$2 slot=$3 esp_mib=$4 data_mib=$5 data_dir=$6
tmp=$out.d
rm -rf "$tmp" && mkdir -p "$tmp"
export MTOOLS_SKIP_CHECK=1

esp=$tmp/esp.img
mkfs.fat -F 32 -n TERN-ESP -C "$esp" $((esp_mib * 1024)) >/dev/null
cat >"$tmp/loader.conf" <<-CONF
	# systemd-boot boots the first slot in its order at once (hold a key
	# at power-on for the menu): see board/pc_x86_64/readme.md.
	timeout 0
	editor no
	auto-entries no
CONF
mmd -i "$esp" ::/EFI ::/EFI/BOOT ::/EFI/Linux ::/loader
# systemd-boot<arch>.efi is EFI/BOOT/BOOT<ARCH>.EFI (x64, aa64).
arch=$(basename "$loader" .efi | sed 's/^systemd-boot//' | tr a-z A-Z)
mcopy -i "$esp" "$loader" "::/EFI/BOOT/BOOT$arch.EFI"
mcopy -i "$esp" "$tmp/loader.conf" ::/loader/loader.conf
mcopy -i "$esp" "$slot" ::/EFI/Linux/tern-1-a.efi
free=$(mdir -i "$esp" :: | sed -n 's/ bytes free$//p' | tr -cd '0-9')
need=$((2 * $(stat -c %s "$slot")))
if [ "$free" -lt "$need" ]; then
	echo "disk.sh: the ESP ($esp_mib MiB) has $free bytes free after slot A; slot B and an update's temporary copy need $need: raise DISK_ESP_SIZE" >&2
	exit 1
fi

data=$tmp/data.img
truncate -s "${data_mib}M" "$data"
mkfs.ext4 -q -F -L tern-data -d "$data_dir" -E root_owner=0:0 "$data" "${data_mib}M"

mib=1048576
truncate -s $(((1 + esp_mib + data_mib + 1) * mib)) "$out.tmp"
# (sgdisk -q would not write a table on a blank disk.)
sgdisk \
	-n 1:2048:+"${esp_mib}M" -t 1:ef00 -c 1:tern-esp \
	-n 2:$((2048 + esp_mib * 2048)):+"${data_mib}M" -t 2:8300 -c 2:tern-data \
	"$out.tmp" >/dev/null
dd if="$esp" of="$out.tmp" bs=$mib seek=1 conv=notrunc,sparse status=none
dd if="$data" of="$out.tmp" bs=$mib seek=$((1 + esp_mib)) conv=notrunc,sparse status=none
[ "$(sgdisk -p "$out.tmp" | grep -c -E ' tern-(esp|data)$')" = 2 ] &&
	sgdisk -v "$out.tmp" | grep -q 'No problems found' ||
	{ sgdisk -v "$out.tmp" >&2; echo "disk.sh: the partition table does not verify" >&2; exit 1; }
rm -rf "$tmp"
mv "$out.tmp" "$out"
