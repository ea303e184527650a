#!/bin/sh
# The image holds BusyBox and exactly the programs of ours that the build's
# config enables ($TERN_OUT/auto.mk: init always; tftpd, httpd, pxed, relayd
# and fwupdate by CONFIG_<NAME>; relayctl by CONFIG_RELAYCTL where the config
# has that symbol, else with relayd), each where it belongs, none of the
# others (no other ELF file at all).  Every one of them is statically linked
# against musl: no program interpreter, no dynamic section, no glibc symbol
# versions.  And the image fits its size budget.
set -u
target=$TERN_OUT/target
auto=$TERN_OUT/auto.mk
on() { grep -q "^CONFIG_$1 := y\$" "$auto"; }
if ! [ -r "$auto" ] || ! [ -d "$target" ]; then
	echo "Bail out! $auto or $target is missing: build first (make)"
	exit 1
fi

# Where each of our programs is installed, and whether the config has it.
want=/sbin/init
for p in tftpd httpd pxed relayd relayctl fwupdate; do
	sym=$(echo "$p" | tr a-z A-Z)
	if [ "$p" = relayctl ] && ! grep -q "^CONFIG_RELAYCTL :=" "$auto"; then
		sym=RELAYD
	fi
	on "$sym" && want="$want /usr/sbin/$p"
done
want="/bin/busybox $want"

elfs=$(cd "$target" && find . -type f -exec sh -c 'head -c4 "$1" | grep -q ELF && echo "$1"' sh {} \; |
	sed 's|^\.||' | sort)
n=$(echo "$want" | wc -w)
echo "1..$((n * 4 + 2))"
i=0
ok() { i=$((i + 1)); if [ "$1" = 0 ]; then echo "ok $i - $2"; else echo "not ok $i - $2"; fi; }
for name in $want; do
	f=$target$name
	[ -f "$f" ] && [ -x "$f" ] && echo "$elfs" | grep -qx "$name"
	ok $? "$name: in the image, an executable ELF file"
	file -b "$f" 2>/dev/null | grep -q 'statically linked'
	ok $? "$name: file(1) says statically linked"
	[ -f "$f" ] && ! readelf -lW "$f" | grep -qE 'INTERP|DYNAMIC'
	ok $? "$name: no program interpreter, no dynamic section"
	[ -f "$f" ] && ! { readelf -VW "$f"; strings -a "$f"; } | grep -q 'GLIBC_'
	ok $? "$name: no glibc symbol versions"
done
other=$(echo "$elfs" | grep -vxF "$(echo "$want" | tr ' ' '\n')" | tr '\n' ' ')
[ -z "$other" ]
ok $? "no other ELF file in the image${other:+ (found: $other)}"
# The budget is the image proper, which its PXE clients boot too: the boot
# files it serves them (rootfs/pxe.mk, appended to the initramfs, a copy of
# the kernel and initramfs among them) are not counted.
layer=$TERN_OUT/build/pxe-served.cpio.gz
served=0
if [ -f "$layer" ] && tail -c "$(stat -c %s "$layer")" "$TERN_INITRD" | cmp -s - "$layer"; then
	served=$(stat -c %s "$layer")
fi
size=$(($(stat -c %s "$TERN_KERNEL") + $(stat -c %s "$TERN_INITRD") - served))
[ "$size" -le $((6 * 1024 * 1024)) ]
ok $? "kernel + initramfs = $size bytes <= 6 MiB (and $served bytes of boot files served to PXE clients)"
