#!/bin/sh
# SPDX-License-Identifier: MIT
# BOARD=<name>: a board is configured in its own output directory (its
# .config there, from its defconfig), never in ./.config; an unknown board
# is refused with the list of boards.  An arm64 board's config names the
# cross compiler and arm64 for musl, the kernel and its console; the two
# arm64 boards share one kernel fragment, the UEFI one boots from a disk
# with arm64's systemd-boot, and the direct-boot one serves arm64 lab
# clients (arch 11) its unified kernel image.
set -u
top=$TERN_TOP
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "1..9"
i=0
ok() { i=$((i + 1)); if [ "$1" = 0 ]; then echo "ok $i - $2"; else echo "not ok $i - $2"; fi; }
unset MAKEFLAGS MFLAGS MAKELEVEL

before=$(stat -c %Y "$TERN_CONFIG" 2>/dev/null || echo none)
# The goal is the generated configuration itself: nothing is built.
make -C "$top" BOARD=pc_x86_64 O="$tmp/pc" DL_DIR="$TERN_DL" "$tmp/pc/kconfig/.stamp" >"$tmp/log" 2>&1
grep -q '^CONFIG_BOARD_PC_X86_64=y' "$tmp/pc/.config"
ok $? "BOARD=pc_x86_64 starts O/.config from board/pc_x86_64/defconfig"
grep -q '^CONFIG_BOARD_NAME := pc_x86_64' "$tmp/pc/auto.mk" &&
	grep -q '^CONFIG_BOOT_EFI_DISK := y' "$tmp/pc/auto.mk"
ok $? "its auto.mk is the pc board's (boots from a disk)"
[ "$(stat -c %Y "$TERN_CONFIG" 2>/dev/null || echo none)" = "$before" ]
ok $? "the default board's .config is left alone"

msg=$(make -C "$top" BOARD=no_such_board O="$tmp/x" all 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$msg" | grep -q "no board/no_such_board/defconfig" &&
	echo "$msg" | grep -q "pc_x86_64" && [ ! -e "$tmp/x/.config" ]
ok $? "an unknown board is refused, the boards are listed, nothing is written"

make -C "$top" BOARD=qemu_aarch64 O="$tmp/arm" DL_DIR="$TERN_DL" "$tmp/arm/kconfig/.stamp" >"$tmp/log" 2>&1
a=$tmp/arm/auto.mk
grep -qx 'CONFIG_TARGET_ARCH := aarch64' "$a" && grep -qx 'CONFIG_KERNEL_ARCH := arm64' "$a" &&
	grep -qx 'CONFIG_TOOLCHAIN_CROSS := aarch64-linux-gnu-' "$a" &&
	grep -qx 'CONFIG_KERNEL_IMAGE := arch/arm64/boot/Image.gz' "$a" &&
	grep -q '^CONFIG_BOARD_CMDLINE := console=ttyAMA0 ' "$a"
ok $? "BOARD=qemu_aarch64: musl aarch64, kernel arm64 (Image.gz), cross compiler aarch64-linux-gnu-, console ttyAMA0"
grep -qx 'CONFIG_BOARD_KERNEL := qemu_aarch64' "$a" &&
	grep -qx 'CONFIG_PXED_FILE_ARM64 := tern-arm64.efi' "$a" &&
	grep -qx 'CONFIG_PXED_FILE_HTTPARM64 := tern-arm64.efi' "$a" &&
	grep -qx 'CONFIG_PXE_SERVE_TERN := y' "$a"
ok $? "BOARD=qemu_aarch64 serves itself to arm64 UEFI clients: pxed's arch 11 and 19 get tern-arm64.efi"

make -C "$top" BOARD=efi_arm64 O="$tmp/efi" DL_DIR="$TERN_DL" "$tmp/efi/kconfig/.stamp" >"$tmp/log" 2>&1
e=$tmp/efi/auto.mk
grep -qx 'CONFIG_BOARD_NAME := efi_arm64' "$e" && grep -qx 'CONFIG_BOARD_KERNEL := qemu_aarch64' "$e" &&
	grep -qx 'CONFIG_TARGET_ARCH := aarch64' "$e" && grep -qx 'CONFIG_BOOT_EFI_DISK := y' "$e" &&
	grep -qx 'CONFIG_FWUPDATE := y' "$e"
ok $? "BOARD=efi_arm64: arm64, qemu_aarch64's kernel fragment, a disk board with fwupdate"
grep -qx 'CONFIG_KERNEL_EFI_IMAGE := arch/arm64/boot/Image' "$e" && grep -qx 'CONFIG_EFI_ARCH := aa64' "$e" &&
	grep -qx 'CONFIG_DEB_ARCH := arm64' "$e" && grep -qx 'CONFIG_BOARD_KERNEL := pc_x86_64' "$tmp/pc/auto.mk" &&
	grep -qx 'CONFIG_EFI_ARCH := x64' "$tmp/pc/auto.mk" && grep -qx 'CONFIG_DEB_ARCH := amd64' "$tmp/pc/auto.mk"
ok $? "its slots carry the kernel's Image (a PE file) and systemd-boot's aa64 files of the arm64 .deb; pc_x86_64's x64 and amd64"

# olddefconfig on a board configured for the first time starts from that
# board's defconfig, not the default board's.
make -C "$top" BOARD=efi_arm64 O="$tmp/old" DL_DIR="$TERN_DL" olddefconfig >"$tmp/log" 2>&1
grep -qx 'CONFIG_BOARD_EFI_ARM64=y' "$tmp/old/.config"
ok $? "make BOARD=efi_arm64 olddefconfig with no O/.config yet: the efi_arm64 board's config"
