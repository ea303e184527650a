#!/bin/sh
# SPDX-License-Identifier: MIT
# Reproducible images, the cheap half (`make repro` is the whole: two clean
# builds in two directories).  On the disk board's build: the image steps
# made again by make itself, seconds later (rootfs.cpio.gz and the PXE
# layer, slot.efi, disk.img, the .tfw bundle) give the same bytes; disk.img
# carries no random or time-of-day id; our programs compiled from a copy of
# the tree at another path are the same bytes as the build's.  The kernel
# is not built again here.
set -u
top=$TERN_TOP
out=$TERN_DISK_OUT
cfg=$out/.config
tmp=$(mktemp -d)
# Not the parent make's flags: this is a make of its own.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
mk() { make -C "$top" O="$out" DL_DIR="$TERN_DL" KCONFIG_CONFIG="$cfg" "$@"; }
trap 'rm -rf "$tmp"' EXIT
echo "1..4"
i=0
ok() { i=$((i + 1)); if [ "$1" = 0 ]; then echo "ok $i - $2"; else echo "not ok $i - $2"; fi; }
fail_log() { sed 's/^/# /' "$1" | tail -n 30; }
images() { (cd "$out/images" && find . -type f ! -name '*.sha256' | LC_ALL=C sort | xargs sha256sum); }

mk images >"$tmp/log0" 2>&1 || fail_log "$tmp/log0"
images >"$tmp/sums0"
# Every image step again, in a later second of the clock (mtools keeps 2 s).
sleep 2
mk -W "$out/target/.stamp" images >"$tmp/log1" 2>&1
rc=$?
[ $rc = 0 ] || fail_log "$tmp/log1"
images >"$tmp/sums1"
remade=$(grep -c '^>>> images: [a-z]' "$tmp/log1")
[ $rc = 0 ] && [ "$remade" -ge 4 ] && diff "$tmp/sums0" "$tmp/sums1" >"$tmp/diff"
ok $? "the image steps made again later give the same bytes: $(sed 's|.*  \./||' "$tmp/sums1" | tr '\n' ' ')($remade steps)"
fail_log "$tmp/diff"

# The disk's ids: not the random ones mkfs and sgdisk pick, but the same
# in a second run of disk.sh, and no time stamp but SOURCE_DATE_EPOCH.
sde=$(cat "$out/kconfig/source-date-epoch")
disk=$out/images/disk.img
sgdisk -p "$disk" | sed -n 's/^Disk identifier (GUID): //p' >"$tmp/ids"
for p in 1 2; do sgdisk -i "$p" "$disk" | sed -n 's/^Partition unique GUID: //p'; done >>"$tmp/ids"
esp_start=$(sgdisk -i 1 "$disk" | sed -n 's/^First sector: \([0-9]*\).*/\1/p')
data_start=$(sgdisk -i 2 "$disk" | sed -n 's/^First sector: \([0-9]*\).*/\1/p')
data_end=$(sgdisk -i 2 "$disk" | sed -n 's/^Last sector: \([0-9]*\).*/\1/p')
dd if="$disk" of="$tmp/data.img" bs=512 skip="$data_start" count=$((data_end - data_start + 1)) status=none
dd if="$disk" of="$tmp/esp.img" bs=512 skip="$esp_start" count=64 status=none
TZ=UTC dumpe2fs -h "$tmp/data.img" 2>/dev/null | sed -n 's/^\(Filesystem UUID\|Directory Hash Seed\|Filesystem created\|Last write time\):[[:space:]]*//p' >"$tmp/ext4"
printf '%s\n' "$(od -An -tx4 -j67 -N4 "$tmp/esp.img" | tr -d ' ')" >>"$tmp/ids"
cat "$tmp/ext4" >>"$tmp/ids"
want=$(LC_ALL=C TZ=UTC date -d "@$sde" '+%a %b %e %H:%M:%S %Y')
# (1234abcd: the volume id mkfs.fat --invariant would leave.)
[ "$(sort -u "$tmp/ids" | wc -l)" = 7 ] && [ "$(grep -c "^$want$" "$tmp/ext4")" = 2 ] && ! grep -qx 1234abcd "$tmp/ids"
ok $? "disk.img: GPT disk and partition GUIDs, FAT volume id, ext4 UUID and hash seed each its own (from the version), ext4 times SOURCE_DATE_EPOCH ($want)"
sed 's/^/# /' "$tmp/ids"

# slot.efi's PE header: SOURCE_DATE_EPOCH, not the time objcopy ran.
stamp=$(TZ=UTC objdump -p "$out/images/slot.efi" | sed -n 's/^Time\/Date[[:space:]]*//p')
[ "$stamp" = "$(LC_ALL=C TZ=UTC date -d "@$sde" '+%a %b %e %H:%M:%S %Y')" ]
ok $? "slot.efi's PE time stamp is SOURCE_DATE_EPOCH ($stamp)"

# Our programs from a copy of the sources at another path (mtimes kept, so
# make takes the build's out/ as it is): the same bytes as the build's.
copy=$tmp/another/path/to/tern
mkdir -p "$copy"
(cd "$top" && tar -c --exclude=./out --exclude=./dl --exclude=./.git --exclude=./keys .) | tar -x -C "$copy"
progs="init pxed"
make -C "$copy" O="$out" DL_DIR="$TERN_DL" KCONFIG_CONFIG="$cfg" SOURCE_DATE_EPOCH="$sde" \
	APP_OUT="$tmp/app" $(for p in $progs; do echo "$tmp/app/$p"; done) >"$tmp/log2" 2>&1
rc=$?
[ $rc = 0 ] || fail_log "$tmp/log2"
for p in $progs; do cmp "$out/build/app/$p" "$tmp/app/$p" || echo "$p differs"; done >"$tmp/cmp" 2>&1
[ $rc = 0 ] && [ ! -s "$tmp/cmp" ] && [ "$(grep -c '^>>> app: link' "$tmp/log2")" = 2 ]
ok $? "init and pxed compiled from $copy are the same bytes as the build's (unstripped)"
fail_log "$tmp/cmp"
