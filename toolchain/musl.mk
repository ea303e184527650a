# SPDX-License-Identifier: MIT
################################################################################
# musl -- the C library every target program links statically
################################################################################
MUSL_VERSION := 1.2.3
MUSL_LOCK    := musl
MUSL_SOURCE  := musl_1.2.3.orig.tar.gz
MUSL_LICENSE := MIT
MUSL_CONFIG_DEPS = $(TOOLCHAIN_KDEPS)

# Installed under its real path in the sysroot: musl's gcc specs name the
# include and lib directories absolutely.
define MUSL_CONFIGURE_CMDS
	cd $(MUSL_DIR) && CC="$(TARGET_CROSS)gcc" CFLAGS="$(TARGET_CFLAGS)" \
		./configure $(if $(TARGET_CROSS),--target=$(CONFIG_TARGET_ARCH) CROSS_COMPILE=$(TARGET_CROSS)) \
		--prefix=$(SYSROOT)/usr \
		--syslibdir=$(SYSROOT)/lib --disable-shared --enable-wrapper=gcc >configure.log
endef
MUSL_BUILD_CMDS = $(call run-logged,musl,$(MUSL_DIR)/build.log,$(MAKE) -C $(MUSL_DIR))
define MUSL_INSTALL_CMDS
	$(MAKE) -C $(MUSL_DIR) install >$(MUSL_DIR)/install.log
	mkdir -p $(HOST)/bin
	printf '%s\n' '#!/bin/sh' \
		'# tern-cc: $(TARGET_CROSS)gcc against musl in $(SYSROOT), always static.' \
		'exec $(TARGET_CROSS)gcc "$$@" -static -specs "$(SYSROOT)/usr/lib/musl-gcc.specs"' \
		>$(TARGET_CC)
	chmod +x $(TARGET_CC)
endef

$(eval $(call pkg,musl,MUSL))
