#!/bin/sh
# SPDX-License-Identifier: MIT
# Checked for the build's own board ($TERN_OUT) and for the arm64 board
# `make test` builds beside it ($TERN_ARM_OUT), each against its own
# config: the image holds BusyBox and exactly the programs of ours that the
# config enables (OUT/auto.mk: init always; tftpd, httpd, pxed, relayd and
# fwupdate by CONFIG_<NAME>; relayctl by CONFIG_RELAYCTL where the config
# has that symbol, else with relayd), each where it belongs, none of the
# others (no other ELF file at all).  Every one of them is statically linked
# against musl: no program interpreter, no dynamic section, no glibc symbol
# versions; and built for the board's architecture (CONFIG_TARGET_ARCH: the
# ELF header's machine).  And the image fits its size budget.
set -u
outs=$TERN_OUT
if [ -n "${TERN_ARM_OUT:-}" ] && [ "$TERN_ARM_OUT" != "$TERN_OUT" ]; then
	outs="$outs $TERN_ARM_OUT"
fi
for out in $outs; do
	if ! [ -r "$out/auto.mk" ] || ! [ -d "$out/target" ]; then
		echo "Bail out! $out/auto.mk or $out/target is missing: build first (make test builds both)"
		exit 1
	fi
done

# The programs each build must hold, where they are installed.
programs() {
	auto=$1/auto.mk
	want=/sbin/init
	for p in tftpd httpd pxed relayd relayctl fwupdate; do
		sym=$(echo "$p" | tr a-z A-Z)
		if [ "$p" = relayctl ] && ! grep -q "^CONFIG_RELAYCTL :=" "$auto"; then
			sym=RELAYD
		fi
		grep -q "^CONFIG_$sym := y\$" "$auto" && want="$want /usr/sbin/$p"
	done
	echo "/bin/busybox $want"
}
conf() { sed -n "s/^CONFIG_$2 := //p" "$1/auto.mk"; }

plan=0
for out in $outs; do
	plan=$((plan + $(programs "$out" | wc -w) * 5 + 2))
done
echo "1..$plan"
i=0
ok() { i=$((i + 1)); if [ "$1" = 0 ]; then echo "ok $i - $2"; else echo "not ok $i - $2"; fi; }

for out in $outs; do
	target=$out/target
	board=$(conf "$out" BOARD_NAME)
	arch=$(conf "$out" TARGET_ARCH)
	# readelf's name for the machine of each architecture a board has.
	case $arch in
	x86_64) machine='Advanced Micro Devices X86-64' ;;
	aarch64) machine=AArch64 ;;
	*) machine="(no machine known for TARGET_ARCH '$arch': add it to $0)" ;;
	esac
	want=$(programs "$out")
	elfs=$(cd "$target" && find . -type f -exec sh -c 'head -c4 "$1" | grep -q ELF && echo "$1"' sh {} \; |
		sed 's|^\.||' | sort)
	for name in $want; do
		f=$target$name
		[ -f "$f" ] && [ -x "$f" ] && echo "$elfs" | grep -qx "$name"
		ok $? "$board: $name: in the image, an executable ELF file"
		file -b "$f" 2>/dev/null | grep -q 'statically linked'
		ok $? "$board: $name: file(1) says statically linked"
		[ -f "$f" ] && ! readelf -lW "$f" | grep -qE 'INTERP|DYNAMIC'
		ok $? "$board: $name: no program interpreter, no dynamic section"
		[ -f "$f" ] && ! { readelf -VW "$f"; strings -a "$f"; } | grep -q 'GLIBC_'
		ok $? "$board: $name: no glibc symbol versions"
		got=$(readelf -hW "$f" 2>/dev/null | sed -n 's/^ *Machine: *//p')
		[ "$got" = "$machine" ]
		ok $? "$board: $name: built for $arch (machine $got)"
	done
	other=$(echo "$elfs" | grep -vxF "$(echo "$want" | tr ' ' '\n')" | tr '\n' ' ')
	[ -z "$other" ]
	ok $? "$board: no other ELF file in the image${other:+ (found: $other)}"
	kernel=$out/images/$(basename "$(conf "$out" KERNEL_IMAGE)")
	initrd=$out/images/rootfs.cpio.gz
	# The budget is the image proper, which its PXE clients boot too: the
	# boot files it serves them (rootfs/pxe.mk, appended to the initramfs,
	# a copy of the kernel and initramfs among them) are not counted.
	layer=$out/build/pxe-served.cpio.gz
	served=0
	if [ -f "$layer" ] && tail -c "$(stat -c %s "$layer")" "$initrd" | cmp -s - "$layer"; then
		served=$(stat -c %s "$layer")
	fi
	size=$(($(stat -c %s "$kernel" 2>/dev/null || echo 99999999) + $(stat -c %s "$initrd" 2>/dev/null || echo 0) - served))
	[ "$size" -le $((6 * 1024 * 1024)) ]
	ok $? "$board: kernel + initramfs = $size bytes <= 6 MiB (and $served bytes of boot files served to PXE clients)"
done
