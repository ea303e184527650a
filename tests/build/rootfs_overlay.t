#!/bin/sh
# SPDX-License-Identifier: MIT
# ROOTFS_OVERLAY: directories copied over the image's root, in order, after
# everything the build puts there.  A variant of .config (tests/build/lib/
# variant.sh) with two overlays: a later overlay's file wins, a site's
# pxed.conf replaces the generated one, files are root's in the initramfs,
# the site's boot.ipxe is served instead of the generated one (rootfs/pxe.mk)
# while the rest of the PXE boot files stay; a changed overlay file rebuilds
# the tree; a missing overlay directory stops the build with its name.
. "$TERN_TOP/tests/build/lib/variant.sh"
echo "1..6"
mkdir -p "$tmp/ov1/srv/tftp" "$tmp/ov1/etc/tern" "$tmp/ov2/srv/tftp"
echo first >"$tmp/ov1/srv/tftp/lab.txt"
echo second >"$tmp/ov2/srv/tftp/lab.txt"
printf '#!ipxe\necho the site boot script\n' >"$tmp/ov1/srv/tftp/boot.ipxe"
printf 'mode server\npool 192.0.2.100 192.0.2.109\n' >"$tmp/ov1/etc/tern/pxed.conf"
variant() { # OVERLAY: a .config with it, made olddefconfig
	sed '/^CONFIG_ROOTFS_OVERLAY=/d' "$cfg" >"$tmp/config"
	echo "CONFIG_ROOTFS_OVERLAY=\"$1\"" >>"$tmp/config"
	(cd "$top" && KCONFIG_CONFIG="$tmp/config" "$py" kconfig/kconfig.py olddefconfig >/dev/null 2>&1)
}

variant "$tmp/ov1 $tmp/ov2"
mk KCONFIG_CONFIG="$tmp/config" images >"$tmp/log" 2>&1
rc=$?
[ $rc = 0 ] || fail_log "$tmp/log"
[ $rc = 0 ] && [ "$(cat "$out/target/srv/tftp/lab.txt")" = second ] &&
	cmp -s "$tmp/ov1/etc/tern/pxed.conf" "$out/target/etc/tern/pxed.conf"
ok $? "two overlays: the later one's file wins, the site's pxed.conf replaces the generated one"

grep -qx "file /srv/tftp/lab.txt $out/target/./srv/tftp/lab.txt 644 0 0" "$out/build/rootfs.list"
ok $? "an overlay's file is root's in the initramfs, with its mode"

if grep -q '^CONFIG_PXE_SERVE_TERN=y' "$tmp/config"; then
	! grep -q ' /srv/tftp/boot.ipxe ' "$out/build/pxe-served.list" &&
		grep -q ' /srv/tftp/bzImage ' "$out/build/pxe-served.list"
	ok $? "the site's boot.ipxe is served, not the generated one; the kernel still is"
else
	ok 0 "# SKIP PXE_SERVE_TERN is off in this config"
fi

sleep 1
echo third >"$tmp/ov2/srv/tftp/lab.txt"
mk KCONFIG_CONFIG="$tmp/config" rootfs >"$tmp/log" 2>&1
[ "$(cat "$out/target/srv/tftp/lab.txt")" = third ]
ok $? "a changed overlay file rebuilds the tree"

mk KCONFIG_CONFIG="$tmp/config" rootfs >"$tmp/log" 2>&1
! grep -q "rootfs: assemble" "$tmp/log"
ok $? "nothing changed: the tree is not assembled again"

variant "$tmp/ov1 $tmp/missing"
mk KCONFIG_CONFIG="$tmp/config" rootfs >"$tmp/log" 2>&1
rc=$?
[ $rc != 0 ] && grep -q "rootfs: overlay $tmp/missing (ROOTFS_OVERLAY) is not a directory" "$tmp/log"
ok $? "a missing overlay directory stops the build and is named"
