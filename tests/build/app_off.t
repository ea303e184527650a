#!/bin/sh
# SPDX-License-Identifier: MIT
# A program that is off in .config is not in the image: for each optional
# program, a copy of .config with it off gives a target tree without its
# binary, its /etc files and its services line, and with the others'.
# Variants of .config built in out/ (tests/build/lib/variant.sh), the
# rootfs only: no kernel, no initramfs.
. "$TERN_TOP/tests/build/lib/variant.sh"

# What a program owns in the image: its binaries and /etc files.
owns() {
	case $1 in
	tftpd) echo usr/sbin/tftpd etc/tern/tftpd.remap ;;
	httpd) echo usr/sbin/httpd ;;
	pxed) echo usr/sbin/pxed etc/tern/pxed.conf ;;
	relayd) echo usr/sbin/relayd usr/sbin/relayctl etc/tern/relayd.conf ;;
	esac
}
progs="tftpd httpd pxed relayd"
echo "1..$((4 * 4))"

for p in $progs; do
	sym=$(echo "$p" | tr a-z A-Z)
	c=$tmp/$p.config
	sed "s/^CONFIG_$sym=y\$/# CONFIG_$sym is not set/" "$cfg" >"$c"
	(cd "$top" && KCONFIG_CONFIG="$c" "$py" kconfig/kconfig.py olddefconfig >/dev/null 2>&1)
	mk KCONFIG_CONFIG="$c" rootfs >"$tmp/$p.log" 2>&1
	rc=$?
	[ $rc = 0 ] || fail_log "$tmp/$p.log"
	grep -q "^# CONFIG_$sym is not set" "$c" && [ $rc = 0 ]
	ok $? "$p off: the rootfs builds"

	left=
	for f in $(owns "$p"); do
		[ ! -e "$out/target/$f" ] || left="$left /$f"
	done
	[ -z "$left" ]
	ok $? "$p off: the target tree has none of $(owns "$p" | sed 's|^|/|; s| | /|g')${left:+ (there:$left)}"

	! grep -q "^$p " "$out/target/etc/tern/services"
	ok $? "$p off: no services line for it"

	kept=
	for q in $progs; do
		[ "$q" = "$p" ] && continue
		for f in $(owns "$q"); do
			[ -e "$out/target/$f" ] || kept="$kept /$f"
		done
		grep -q "^$q respawn \(role=server \)\?/usr/sbin/$q " "$out/target/etc/tern/services" || kept="$kept $q's services line"
	done
	[ -x "$out/target/sbin/init" ] && [ -z "$kept" ]
	ok $? "$p off: init and the other programs are still there${kept:+ (missing:$kept)}"
done
