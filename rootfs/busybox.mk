# SPDX-License-Identifier: MIT
################################################################################
# busybox -- the shell and the tools at the console, as symlinks
################################################################################
BUSYBOX_VERSION := 1.35.0
BUSYBOX_LOCK    := busybox
BUSYBOX_SOURCE  := busybox_1.35.0.orig.tar.bz2
BUSYBOX_LICENSE := GPL-2.0-only
BUSYBOX_DEPENDS := musl linux-headers
BUSYBOX_CONFIG_DEPS = rootfs/busybox.config kconfig/merge-fragments.sh $(TOOLCHAIN_KDEPS) $(SOURCE_DATE_STAMP)
BUSYBOX_INSTALL_DIR = $(BUSYBOX_DIR)/_install
# BusyBox's own link writes a map: make legal-info reads what it linked.
BUSYBOX_LINK_MAPS = /bin/busybox=$(BUSYBOX_DIR)/busybox_unstripped.map
BUSYBOX_MAKE = $(MAKE) -C $(BUSYBOX_DIR) CC=$(TARGET_CC) HOSTCC=gcc \
	CROSS_COMPILE=$(TARGET_CROSS) EXTRA_CFLAGS='$(TARGET_CFLAGS)' \
	SKIP_STRIP=y CONFIG_PREFIX=$(BUSYBOX_INSTALL_DIR)

# Its kconfig writes SOURCE_DATE_EPOCH into the banner (libbb/messages.c),
# a dependency its own make does not track.
BUSYBOX_CONFIGURE_CMDS = kconfig/merge-fragments.sh busybox oldconfig "$(BUSYBOX_MAKE)" \
	$(BUSYBOX_DIR) rootfs/busybox.config && rm -f $(BUSYBOX_DIR)/libbb/messages.o
BUSYBOX_BUILD_CMDS = $(call run-logged,busybox,$(BUSYBOX_DIR)/build.log,$(BUSYBOX_MAKE))
BUSYBOX_INSTALL_CMDS = rm -rf $(BUSYBOX_INSTALL_DIR) && \
	$(call run-logged,busybox,$(BUSYBOX_DIR)/install.log,$(BUSYBOX_MAKE) install)

$(eval $(call pkg,busybox,BUSYBOX))

.PHONY: busybox-menuconfig
busybox-menuconfig: $(BUSYBOX_DIR)/.stamp_configured
	+$(BUSYBOX_MAKE) menuconfig
	@echo "busybox: to keep a change, add its CONFIG_ lines to rootfs/busybox.config"
