# SPDX-License-Identifier: MIT
# images.mk -- what a user boots or flashes, in out/images:
#   bzImage          the kernel (images/linux.mk)
#   rootfs.cpio.gz   the initramfs: out/target packed by the kernel's own
#                    gen_init_cpio (root-owned entries, no root needed,
#                    every mtime SOURCE_DATE_EPOCH, entries sorted, inode
#                    numbers counted, so the same tree packs the same bytes),
#                    then the boot files it serves PXE clients (rootfs/pxe.mk)

GEN_INIT_CPIO := $(HOST)/bin/gen_init_cpio
ROOTFS_CPIO   := $(IMAGES)/rootfs.cpio.gz
KERNEL_IMG    := $(IMAGES)/$(notdir $(CONFIG_KERNEL_IMAGE))
# The kernel as an EFI program, for slot images (arm64: Image, not Image.gz).
KERNEL_EFI_IMG := $(IMAGES)/$(notdir $(CONFIG_KERNEL_EFI_IMAGE))
# All files in the archive get this mtime (toolchain/source-date.mk).
CPIO_MTIME    := $(SOURCE_DATE_EPOCH)

$(GEN_INIT_CPIO): $(LINUX_DIR)/.stamp_extracted
	mkdir -p $(dir $@)
	gcc -O2 -o $@ $(LINUX_DIR)/usr/gen_init_cpio.c

# out/target alone: the first archive, and what PXE clients of the image boot.
ROOTFS_BASE_CPIO := $(BUILD)/rootfs-target.cpio.gz
$(ROOTFS_BASE_CPIO): $(TARGET)/.stamp $(GEN_INIT_CPIO) images/cpio-list.sh images/images.mk $(SOURCE_DATE_STAMP)
	echo ">>> images: $(notdir $(ROOTFS_CPIO))"
	images/cpio-list.sh $(TARGET) >$(BUILD)/rootfs.list
	# gen_init_cpio -t dates directories and links; a file keeps its own mtime.
	find $(TARGET) ! -name .stamp -exec touch -h -d @$(CPIO_MTIME) {} +
	$(GEN_INIT_CPIO) -t $(CPIO_MTIME) $(BUILD)/rootfs.list | gzip -9 -n >$@.tmp
	mv $@.tmp $@

include rootfs/pxe.mk
$(ROOTFS_CPIO): $(ROOTFS_BASE_CPIO) $(PXE_LAYER)
	mkdir -p $(IMAGES)
	cat $^ >$@.tmp
	mv $@.tmp $@

$(KERNEL_IMG) $(KERNEL_EFI_IMG): $(LINUX_STAMP)

.PHONY: images run
images: $(KERNEL_IMG) $(ROOTFS_CPIO)
	ls -l $(KERNEL_IMG) $(ROOTFS_CPIO) | awk '{ printf ">>> images: %s %d bytes\n", $$NF, $$5 }'

# The board's qemu.sh boots the image (board/accel.sh picks the
# accelerator, ACCEL=kvm|tcg overrides it); make run, through board/run.sh,
# says which and why, puts the serial console on this terminal, forwards a
# host UDP port to the guest's TFTP port, and reports a QEMU that fails.
QEMU_RUN := ACCEL=$(ACCEL) TERN_OUT=$(O) KERNEL=$(KERNEL_IMG) INITRD=$(ROOTFS_CPIO) MEMORY=$(CONFIG_QEMU_MEMORY) \
	CMDLINE='$(CONFIG_BOARD_CMDLINE) $(CMDLINE)' board/run.sh board/$(CONFIG_BOARD_NAME)/qemu.sh

# make lab: the appliance and two netbooting clients (board/lab.py);
# LAB_IF=IFACE puts the lab on a host interface (docs/pxe-lab.md).
.PHONY: lab
lab: images
	env $(TEST_ENV) $(PYTHON) board/lab.py

run: images
	echo ">>> run: guest UDP port 69 (TFTP) is host 127.0.0.1:$(CONFIG_RUN_TFTP_PORT); quit with Ctrl-A X"
	$(QEMU_RUN) -netdev user,id=net0,hostfwd=udp:127.0.0.1:$(CONFIG_RUN_TFTP_PORT)-:69 \
		-device virtio-net-pci,netdev=net0

# Boards booting from a disk: the slot image (SLOT_IMG) and disk.img.
ifeq ($(CONFIG_BOOT_EFI_DISK),y)
include images/disk.mk
endif

# Signed update bundles, the bundle tool; after the board's SLOT_IMG.
include images/bundle.mk
