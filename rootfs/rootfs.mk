# rootfs.mk -- assemble out/target: skeleton + BusyBox + our programs +
# the /etc generated from .config.

include rootfs/busybox.mk

# Of app/Kconfig, only the symbols gen-etc.sh reads: INIT_STOP_TIMEOUT,
# say, recompiles init and leaves /etc alone.  BOARD_NAME: /etc/tern/release.
ROOTFS_SYMS  := $(call ksyms,rootfs/Kconfig) $(filter $(call ksyms,app/Kconfig),\
	$(sort $(patsubst CONFIG_%,%,$(shell grep -o 'CONFIG_[A-Z0-9_]*' rootfs/gen-etc.sh)))) \
	BOARD_NAME
# Files and directories (a directory changes when an entry, such as a
# symlink, is added or removed; symlinks themselves may dangle on the host).
ROOTFS_FILES := $(shell find rootfs/skeleton -type f -o -type d)
# Directories every image has; /run and /tmp are tmpfs mounted by init.
ROOTFS_DIRS  := bin sbin usr/bin usr/sbin dev proc sys run tmp root mnt var etc
ETC_DIR      := $(BUILD)/etc

$(ETC_DIR)/.stamp: rootfs/gen-etc.sh $(call kdeps,$(ROOTFS_SYMS))
	echo ">>> rootfs: generate /etc"
	env $(foreach s,$(ROOTFS_SYMS),CONFIG_$(s)='$(CONFIG_$(s))') rootfs/gen-etc.sh $(ETC_DIR)
	touch $@

$(TARGET)/.stamp: $(ROOTFS_FILES) $(BUSYBOX_STAMP) $(APPS_BIN) $(ETC_DIR)/.stamp rootfs/rootfs.mk
	echo ">>> rootfs: assemble $(TARGET)"
	rm -rf $(TARGET)
	mkdir -p $(addprefix $(TARGET)/,$(ROOTFS_DIRS))
	cp -a $(BUSYBOX_INSTALL_DIR)/. $(TARGET)/
	cp -a rootfs/skeleton/. $(TARGET)/
	chmod 1777 $(TARGET)/tmp
	chmod 0700 $(TARGET)/root
	$(if $(filter y,$(CONFIG_TFTPD)),mkdir -p $(TARGET)$(CONFIG_TFTPD_ROOT))
	$(if $(filter y,$(CONFIG_PXED)),mkdir -p $(TARGET)$(dir $(CONFIG_PXED_LEASE_FILE)))
	$(if $(filter y,$(CONFIG_TFTPD_UPLOAD)),mkdir -p $(TARGET)$(CONFIG_TFTPD_UPLOAD_DIR) && \
		chmod 1777 $(TARGET)$(CONFIG_TFTPD_UPLOAD_DIR))
	cp -a $(ETC_DIR)/. $(TARGET)/etc/
	$(foreach a,$(APPS),install -m 0755 $(APP_OUT)/$(a) $(TARGET)/$(APP_$(a)_DEST)/$(a) &&) true
	ln -sf /run $(TARGET)/var/run
	ln -sf sbin/init $(TARGET)/init
	find $(TARGET) -type f -perm -u+x -exec sh -c \
		'head -c4 "$$1" | grep -q ELF && $(TARGET_STRIP) --strip-all "$$1"' sh {} \;
	touch $@

.PHONY: rootfs
rootfs: $(TARGET)/.stamp
