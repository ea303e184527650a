# SPDX-License-Identifier: MIT
################################################################################
# systemd-boot -- the UEFI boot manager of the disk image (boot counting,
# slot fallback) and the EFI stub every slot image is built around, the
# EFI binaries of Debian's systemd-boot-efi (not built here: Debian's
# build, pinned and checksummed in toolchain/sources.lock)
################################################################################
# Included by images/disk.mk and by rootfs/pxe.mk (arm64's served UKI).
ifndef SYSTEMD_BOOT_VERSION
SYSTEMD_BOOT_VERSION := 252.39
SYSTEMD_BOOT_LOCK    := systemd-boot-efi
# Debian's build for the board's architecture (DEB_ARCH: amd64, arm64).
SYSTEMD_BOOT_SOURCE  := systemd-boot-efi_252.39-1~deb12u2_$(CONFIG_DEB_ARCH).deb
SYSTEMD_BOOT_LICENSE := LGPL-2.1-or-later
# LGPL: whoever ships the binaries offers their source, Debian's systemd
# source package they were built from (make legal-info ships it).
SYSTEMD_BOOT_SOURCE_LOCK := systemd
SYSTEMD_BOOT_LICENSE_FILES = $(SYSTEMD_BOOT_DIR)/usr/share/doc/systemd-boot-efi/copyright
SYSTEMD_BOOT_EFI_DIR  = $(SYSTEMD_BOOT_DIR)/usr/lib/systemd/boot/efi
SYSTEMD_BOOT_LOADER   = $(SYSTEMD_BOOT_EFI_DIR)/systemd-boot$(CONFIG_EFI_ARCH).efi
SYSTEMD_BOOT_STUB     = $(SYSTEMD_BOOT_EFI_DIR)/linux$(CONFIG_EFI_ARCH).efi.stub

SYSTEMD_BOOT_EXTRACT_CMDS = dpkg-deb -x $(DL_DIR)/$(SYSTEMD_BOOT_SOURCE) $(SYSTEMD_BOOT_DIR)
SYSTEMD_BOOT_CONFIGURE_CMDS = true
SYSTEMD_BOOT_BUILD_CMDS = true
SYSTEMD_BOOT_INSTALL_CMDS = test -f $(SYSTEMD_BOOT_LOADER) && test -f $(SYSTEMD_BOOT_STUB)

$(eval $(call pkg,systemd-boot,SYSTEMD_BOOT))
endif
