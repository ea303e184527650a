# SPDX-License-Identifier: MIT
# disk.mk -- the boards that boot from a disk (BOOT_EFI_DISK: pc_x86_64),
# in out/<board>/images:
#   slot.efi   SLOT_IMG: one slot, a unified kernel image (kernel,
#              initramfs, command line; images/uki.sh); what an update
#              bundle carries
#   disk.img   DISK_IMG: what a user flashes (images/disk.sh): GPT, the ESP
#              with systemd-boot and slot A, the data partition; its
#              SHA-256 in disk.img.sha256 (sha256sum -c)
# `make run` boots a copy of disk.img (out/<board>/run/disk.img, made again
# when disk.img changes, so the guest never writes the build's image).

# Included from images/images.mk, after its run rule (given the disk here)
# and before the bundle rules (which need SLOT_IMG).
ifndef DISK_IMG

include images/systemd-boot.mk

SLOT_IMG  := $(IMAGES)/slot.efi
DISK_IMG  := $(IMAGES)/disk.img
DATA_TREE := $(BUILD)/data
RUN_DISK  := $(O)/run/disk.img
SLOT_TITLE = Tern $(or $(CONFIG_FIRMWARE_VERSION),$(TERN_VERSION)) ($(CONFIG_BOARD_NAME))

$(SLOT_IMG): $(KERNEL_EFI_IMG) $(ROOTFS_CPIO) $(SYSTEMD_BOOT_STAMP) images/uki.sh images/disk.mk $(SOURCE_DATE_STAMP) \
		$(call kdeps,BOARD_CMDLINE BOARD_NAME FIRMWARE_VERSION)
	echo ">>> images: $(notdir $@)"
	OBJCOPY=$(TARGET_CROSS)objcopy images/uki.sh $(SYSTEMD_BOOT_STUB) $(KERNEL_EFI_IMG) $(ROOTFS_CPIO) \
		'$(CONFIG_BOARD_CMDLINE)' '$(SLOT_TITLE)' $@

# What the data partition holds when flashed: the folders init uses.
$(DATA_TREE)/.stamp: images/disk.mk
	rm -rf $(DATA_TREE) && mkdir -p $(DATA_TREE)/etc/tern $(DATA_TREE)/var/lib
	printf '%s\n' 'Tern data partition: survives updates.' \
		'Files in etc/tern/ replace the image'"'"'s /etc/tern/ files of the same name at boot.' \
		'var/lib/ is the box'"'"'s /var/lib (leases).' >$(DATA_TREE)/README
	touch $@

# Its GUIDs and file system ids come from the version and the board.
$(DISK_IMG): $(SLOT_IMG) $(SYSTEMD_BOOT_STAMP) $(DATA_TREE)/.stamp images/disk.sh $(SOURCE_DATE_STAMP) \
		$(call kdeps,DISK_ESP_SIZE DISK_DATA_SIZE BOARD_NAME FIRMWARE_VERSION)
	echo ">>> images: $(notdir $@)"
	images/disk.sh $@ $(SYSTEMD_BOOT_LOADER) $(SLOT_IMG) $(CONFIG_DISK_ESP_SIZE) \
		$(CONFIG_DISK_DATA_SIZE) $(DATA_TREE) '$(SLOT_TITLE)'
	cd $(IMAGES) && sha256sum $(notdir $@) >$(notdir $@).sha256
	echo ">>> images: $@ $$(stat -c %s $@) bytes, sha256 $$(cut -d' ' -f1 $@.sha256)"

images: $(SLOT_IMG) $(DISK_IMG)

$(RUN_DISK): $(DISK_IMG)
	mkdir -p $(dir $@)
	cp --sparse=always $< $@.tmp && rm -f $@.vars && mv $@.tmp $@

QEMU_RUN := ACCEL=$(ACCEL) TERN_OUT=$(O) DISK=$(RUN_DISK) MEMORY=$(CONFIG_QEMU_MEMORY) \
	board/run.sh board/$(CONFIG_BOARD_NAME)/qemu.sh
run: $(RUN_DISK)

endif
