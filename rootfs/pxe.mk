# SPDX-License-Identifier: MIT
# pxe.mk -- the boot files the image serves its PXE clients, packed as a
# second archive that images/images.mk appends to the initramfs (the
# kernel unpacks both): iPXE's loaders (PXE_LOADERS, rootfs/ipxe.mk) and,
# with PXE_SERVE_TERN, boot.ipxe, the kernel and the first archive, which
# the initramfs cannot hold inside itself.  rootfs/pxe-tree.sh writes them.
# iPXE's loaders are x86's: an arm64 image serves itself to arm64 UEFI
# clients (arch 11) as tern-arm64.efi instead, a unified kernel image
# (images/uki.sh) that the firmware boots with no loader, and no boot.ipxe,
# so that no x86 client is handed an arm64 kernel.

include rootfs/ipxe.mk

PXE_LAYER :=
ifeq ($(CONFIG_PXE_LOADERS),y)
PXE_LAYER := $(BUILD)/pxe-served.cpio.gz
PXE_SELF  := $(if $(filter y,$(CONFIG_PXE_SERVE_TERN)),$(KERNEL_IMG) $(ROOTFS_BASE_CPIO))
PXE_UKI   :=
ifeq ($(CONFIG_ARCH_AARCH64)$(CONFIG_PXE_SERVE_TERN),yy)
include images/systemd-boot.mk
PXE_SELF  :=
PXE_UKI   := $(BUILD)/tern-$(CONFIG_DEB_ARCH).efi
$(PXE_UKI): $(KERNEL_EFI_IMG) $(ROOTFS_BASE_CPIO) $(SYSTEMD_BOOT_STAMP) images/uki.sh rootfs/pxe.mk $(SOURCE_DATE_STAMP) \
		$(call kdeps,BOARD_CMDLINE BOARD_NAME)
	echo ">>> images: $(notdir $@) (served to arm64 UEFI clients)"
	OBJCOPY=$(TARGET_CROSS)objcopy images/uki.sh $(SYSTEMD_BOOT_STUB) $(KERNEL_EFI_IMG) $(ROOTFS_BASE_CPIO) \
		'$(CONFIG_BOARD_CMDLINE) tern.role=client tern.ip=dhcp' 'Tern lab client ($(CONFIG_BOARD_NAME))' $@
endif

$(PXE_LAYER): $(IPXE_STAMP) $(PXE_SELF) $(PXE_UKI) $(TARGET)/.stamp $(GEN_INIT_CPIO) rootfs/pxe-tree.sh rootfs/pxe.mk $(SOURCE_DATE_STAMP) \
		$(call kdeps,PXE_SERVE_TERN BOARD_CMDLINE TFTPD_ROOT)
	echo ">>> images: PXE boot files"
	LOADERS='$(IPXE_BIOS) $(IPXE_SNP) $(IPXE_EFI) $(PXE_UKI)' KERNEL='$(word 1,$(PXE_SELF))' INITRD='$(word 2,$(PXE_SELF))' \
		CMDLINE='$(CONFIG_BOARD_CMDLINE)' \
		rootfs/pxe-tree.sh $(BUILD)/pxe-served $(TARGET) $(CONFIG_TFTPD_ROOT) >$(BUILD)/pxe-served.list
	find $(BUILD)/pxe-served -exec touch -h -d @$(CPIO_MTIME) {} +
	$(GEN_INIT_CPIO) -t $(CPIO_MTIME) $(BUILD)/pxe-served.list | gzip -9 -n >$@.tmp
	mv $@.tmp $@
endif
