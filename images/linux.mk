# SPDX-License-Identifier: MIT
################################################################################
# linux -- the kernel, from Debian's linux-source-6.1 (Debian's patches
# applied), configured as allnoconfig + images/linux/base.config + the
# board's fragment, everything built in
################################################################################
LINUX_VERSION := 6.1.192
LINUX_LOCK    := linux-source-6.1
LINUX_SOURCE  := linux-source-6.1_6.1.192-2_all.deb
LINUX_LICENSE := GPL-2.0-only
LINUX_OBJ     := $(BUILD)/linux-obj
LINUX_FRAGMENTS = images/linux/base.config board/$(CONFIG_BOARD_KERNEL)/linux.config
LINUX_CONFIG_DEPS = $(LINUX_FRAGMENTS) kconfig/merge-fragments.sh \
	$(call kdeps,$(call ksyms,board/Kconfig)) $(SOURCE_DATE_STAMP)
LINUX_KMAKE = $(MAKE) -C $(LINUX_DIR) O=$(LINUX_OBJ) ARCH=$(CONFIG_KERNEL_ARCH) \
	CROSS_COMPILE=$(TARGET_CROSS) KBUILD_BUILD_USER=tern KBUILD_BUILD_HOST=tern \
	KBUILD_BUILD_TIMESTAMP='$(SOURCE_DATE)' KBUILD_BUILD_VERSION=1

define LINUX_EXTRACT_CMDS
	dpkg-deb --fsys-tarfile $(DL_DIR)/$(LINUX_SOURCE) | \
		tar -xO ./usr/src/linux-source-6.1.tar.xz | \
		tar -xJ -C $(LINUX_DIR) --strip-components=1
endef
LINUX_CONFIGURE_CMDS = kconfig/merge-fragments.sh linux allconfig "$(LINUX_KMAKE)" $(LINUX_OBJ) $(LINUX_FRAGMENTS)
LINUX_BUILD_CMDS = $(call run-logged,linux,$(LINUX_OBJ)/build.log,$(LINUX_KMAKE) $(notdir $(CONFIG_KERNEL_IMAGE)))
define LINUX_INSTALL_CMDS
	mkdir -p $(IMAGES)
	cp $(LINUX_OBJ)/$(CONFIG_KERNEL_IMAGE) $(IMAGES)/$(notdir $(CONFIG_KERNEL_IMAGE))
	cp $(LINUX_OBJ)/$(CONFIG_KERNEL_EFI_IMAGE) $(IMAGES)/$(notdir $(CONFIG_KERNEL_EFI_IMAGE))
endef

$(eval $(call pkg,linux,LINUX))

.PHONY: linux-menuconfig
linux-menuconfig: $(LINUX_DIR)/.stamp_configured
	+$(LINUX_KMAKE) menuconfig
	@echo "linux: to keep a change, add its CONFIG_ lines to board/$(CONFIG_BOARD_KERNEL)/linux.config"
