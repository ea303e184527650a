# SPDX-License-Identifier: MIT
################################################################################
# ipxe -- the network boot loaders the image hands its PXE clients:
# undionly.kpxe (BIOS, through the NIC's PXE ROM), snponly.efi (x86-64
# UEFI PXE: iPXE on the firmware's own network driver) and ipxe.efi (x86-64
# UEFI with iPXE's drivers: UEFI HTTP Boot), the binaries of Debian's ipxe
# package (not built here: Debian's build, pinned and checksummed in
# toolchain/sources.lock)
################################################################################
IPXE_VERSION := 1.0.0+git-20190125.36a4c85
IPXE_LOCK    := ipxe
IPXE_FETCH   := ipxe:binary
IPXE_SOURCE  := ipxe_1.0.0+git-20190125.36a4c85-5.1_all.deb
# Files under GPL-2.0-or-later, GPL-2.0-only, LGPL, BSD and permissive
# terms (the copyright file lists them); the binaries as a whole can only be
# passed on under GPL-2.0-only, which obliges whoever ships them to offer
# their source: Debian's ipxe source package (make legal-info ships it).
IPXE_LICENSE := GPL-2.0-only
IPXE_SOURCE_LOCK := ipxe
IPXE_LICENSE_FILES = $(IPXE_DIR)/usr/share/doc/ipxe/copyright
IPXE_BIOS = $(IPXE_DIR)/usr/lib/ipxe/undionly.kpxe
IPXE_EFI  = $(IPXE_DIR)/boot/ipxe.efi
IPXE_SNP  = $(IPXE_DIR)/usr/lib/ipxe/snponly.efi

IPXE_EXTRACT_CMDS = dpkg-deb -x $(DL_DIR)/$(IPXE_SOURCE) $(IPXE_DIR)
IPXE_CONFIGURE_CMDS = true
IPXE_BUILD_CMDS = true
IPXE_INSTALL_CMDS = test -f $(IPXE_BIOS) && test -f $(IPXE_EFI) && test -f $(IPXE_SNP)

$(eval $(call pkg,ipxe,IPXE))
