# SPDX-License-Identifier: MIT
# rootfs.mk -- assemble out/target: skeleton + BusyBox + our programs +
# the /etc generated from .config.

include rootfs/busybox.mk

# What gen-etc.sh adds over the image: its own files, then the /etc fragment
# (app/<prog>/etc.sh) of each program that is on, in the order of APPS.
ROOTFS_GEN       := $(BUILD)/rootfs-gen
ROOTFS_FRAGMENTS := $(wildcard $(foreach a,$(APPS),app/$(a)/etc.sh))
# The symbols it reads: rootfs/Kconfig's, the program symbols named in it or
# a fragment (INIT_STOP_TIMEOUT, say, recompiles init and leaves /etc alone),
# those that turn programs on; BOARD_NAME: /etc/tern/release.
ROOTFS_SYMS := $(call ksyms,rootfs/Kconfig) $(filter $(call ksyms,$(wildcard app/*/Kconfig)),\
	$(sort $(patsubst CONFIG_%,%,$(shell grep -ho 'CONFIG_[A-Z0-9_]*' rootfs/gen-etc.sh app/*/etc.sh)))) \
	$(sort $(foreach p,$(APP_PROGS),$(APP_$(p)_KCONFIG))) BOARD_NAME
# Files and directories (a directory changes when an entry, such as a
# symlink, is added or removed; symlinks themselves may dangle on the host).
ROOTFS_FILES := $(shell find rootfs/skeleton -type f -o -type d)
# Site overlays (ROOTFS_OVERLAY), copied over the tree last: relative to the
# top of the source tree or absolute; any file in them changed, added or
# removed rebuilds the tree.
ROOTFS_OVERLAY_DIRS  := $(foreach d,$(CONFIG_ROOTFS_OVERLAY),$(if $(filter /%,$(d)),$(d),$(TOP)/$(d)))
ROOTFS_OVERLAY_FILES := $(if $(ROOTFS_OVERLAY_DIRS),$(shell find $(ROOTFS_OVERLAY_DIRS) 2>/dev/null))
# Directories every image has; /run and /tmp are tmpfs mounted by init.
ROOTFS_DIRS  := bin sbin usr/bin usr/sbin dev proc sys run tmp root mnt var etc

$(ROOTFS_GEN).stamp: rootfs/gen-etc.sh $(wildcard app/*/etc.sh) $(call kdeps,$(ROOTFS_SYMS))
	echo ">>> rootfs: generate /etc"
	env $(foreach s,$(ROOTFS_SYMS),CONFIG_$(s)='$(CONFIG_$(s))') \
		rootfs/gen-etc.sh $(ROOTFS_GEN) $(ROOTFS_FRAGMENTS)
	touch $@

$(TARGET)/.stamp: $(ROOTFS_FILES) $(BUSYBOX_STAMP) $(APPS_BIN) $(ROOTFS_GEN).stamp rootfs/rootfs.mk \
		$(ROOTFS_OVERLAY_FILES) $(call kdeps,ROOTFS_OVERLAY)
	echo ">>> rootfs: assemble $(TARGET)"
	rm -rf $(TARGET)
	mkdir -p $(addprefix $(TARGET)/,$(ROOTFS_DIRS))
	cp -a $(BUSYBOX_INSTALL_DIR)/. $(TARGET)/
	cp -a rootfs/skeleton/. $(TARGET)/
	chmod 1777 $(TARGET)/tmp
	chmod 0700 $(TARGET)/root
	cp -a $(ROOTFS_GEN)/. $(TARGET)/
	$(foreach a,$(APPS),install -m 0755 $(APP_OUT)/$(a) $(TARGET)/$(APP_$(a)_DEST)/$(a) &&) true
	ln -sf /run $(TARGET)/var/run
	ln -sf sbin/init $(TARGET)/init
	$(foreach d,$(ROOTFS_OVERLAY_DIRS),{ test -d $(d) || { echo "rootfs: overlay $(d) \
		(ROOTFS_OVERLAY) is not a directory" >&2; exit 1; }; cp -a $(d)/. $(TARGET)/; } &&) true
	find $(TARGET) -type f -perm -u+x -exec sh -c \
		'head -c4 "$$1" | grep -q ELF && $(TARGET_STRIP) --strip-all "$$1"' sh {} \;
	touch $@

.PHONY: rootfs
rootfs: $(TARGET)/.stamp
