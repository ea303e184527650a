#!/bin/sh
# SPDX-License-Identifier: MIT
# pxe-tree.sh DIR TARGET ROOT -- the boot files the image serves its PXE
# clients (rootfs/pxe.mk): write them into DIR and print a gen_init_cpio(1)
# list that puts them in ROOT (tftpd's directory), root-owned, leaving out
# every file the rootfs TARGET already has there (an overlay's wins).
# From the environment: LOADERS, files served as they are (iPXE's loaders,
# an arm64 image's tern-arm64.efi); KERNEL, INITRD and
# CMDLINE, this image's kernel, first initramfs archive and board command
# line (all empty: the image is not served, only the loaders).
set -eu
dir=$1 target=$2 root=$3
rm -rf "$dir"
mkdir -p "$dir"
for f in $LOADERS; do
	cp "$f" "$dir/"
done
if [ -n "$KERNEL" ]; then
	kernel=$(basename "$KERNEL")
	cp "$KERNEL" "$dir/$kernel"
	cp "$INITRD" "$dir/rootfs.cpio.gz"
	# Relative names: iPXE fetches them from where it fetched the script,
	# whichever pxed mode sent it there (${next-server} is the site DHCP
	# server's in proxy mode).  initrd= on the kernel line: the EFI stub
	# finds the initramfs by that name under UEFI with iPXE of 2019, which
	# does not offer the kernel's initrd protocol.
	cat >"$dir/boot.ipxe" <<-EOT
	#!ipxe
	# Written by the build (rootfs/Kconfig PXE_SERVE_TERN): boot this Tern
	# image as a lab client, which serves no one (tern.role=client) and
	# gets its address by DHCP.
	echo Tern: booting $kernel and rootfs.cpio.gz
	kernel $kernel initrd=rootfs.cpio.gz $CMDLINE tern.role=client tern.ip=dhcp
	initrd rootfs.cpio.gz
	boot
	EOT
fi
path=
for part in $(echo "$root" | tr / ' '); do
	path=$path/$part
	echo "dir $path 0755 0 0"
done
for f in $(cd "$dir" && LC_ALL=C ls); do
	[ -e "$target$root/$f" ] || echo "file $root/$f $dir/$f 0644 0 0"
done
