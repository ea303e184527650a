#!/bin/sh
# Every ELF file in the image is statically linked against musl: no program
# interpreter, no dynamic section, no glibc symbol versions.  And the image
# fits its size budget.
set -u
target=$TERN_OUT/target
elfs=$(find "$target" -type f -exec sh -c 'head -c4 "$1" | grep -q ELF && echo "$1"' sh {} \;)
n=$(echo "$elfs" | grep -c .)
echo "1..$((n * 3 + 2))"
i=0
ok() { i=$((i + 1)); if [ "$1" = 0 ]; then echo "ok $i - $2"; else echo "not ok $i - $2"; fi; }
for f in $elfs; do
	name=${f#"$target"}
	file -b "$f" | grep -q 'statically linked'
	ok $? "$name: file(1) says statically linked"
	! readelf -lW "$f" | grep -qE 'INTERP|DYNAMIC'
	ok $? "$name: no program interpreter, no dynamic section"
	! { readelf -VW "$f"; strings -a "$f"; } | grep -q 'GLIBC_'
	ok $? "$name: no glibc symbol versions"
done
[ "$n" -ge 2 ]
ok $? "found $n ELF files (BusyBox and init at least)"
size=$(($(stat -c %s "$TERN_KERNEL") + $(stat -c %s "$TERN_INITRD")))
[ "$size" -le $((6 * 1024 * 1024)) ]
ok $? "kernel + initramfs = $size bytes <= 6 MiB"
