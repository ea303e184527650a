# pxe.mk -- the boot files the image serves its PXE clients, packed as a
# second archive that images/images.mk appends to the initramfs (the
# kernel unpacks both): iPXE's loaders (PXE_LOADERS, rootfs/ipxe.mk) and,
# with PXE_SERVE_TERN, boot.ipxe, the kernel and the first archive, which
# the initramfs cannot hold inside itself.  rootfs/pxe-tree.sh writes them.

include rootfs/ipxe.mk

PXE_LAYER :=
ifeq ($(CONFIG_PXE_LOADERS),y)
PXE_LAYER := $(BUILD)/pxe-served.cpio.gz
PXE_SELF  := $(if $(filter y,$(CONFIG_PXE_SERVE_TERN)),$(KERNEL_IMG) $(ROOTFS_BASE_CPIO))

$(PXE_LAYER): $(IPXE_STAMP) $(PXE_SELF) $(TARGET)/.stamp $(GEN_INIT_CPIO) rootfs/pxe-tree.sh rootfs/pxe.mk $(SOURCE_DATE_STAMP) \
		$(call kdeps,PXE_SERVE_TERN BOARD_CMDLINE TFTPD_ROOT)
	echo ">>> images: PXE boot files"
	LOADERS='$(IPXE_BIOS) $(IPXE_EFI)' KERNEL='$(word 1,$(PXE_SELF))' INITRD='$(word 2,$(PXE_SELF))' \
		CMDLINE='$(CONFIG_BOARD_CMDLINE)' \
		rootfs/pxe-tree.sh $(BUILD)/pxe-served $(TARGET) $(CONFIG_TFTPD_ROOT) >$(BUILD)/pxe-served.list
	find $(BUILD)/pxe-served -exec touch -h -d @$(CPIO_MTIME) {} +
	$(GEN_INIT_CPIO) -t $(CPIO_MTIME) $(BUILD)/pxe-served.list | gzip -9 -n >$@.tmp
	mv $@.tmp $@
endif
