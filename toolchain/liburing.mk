# SPDX-License-Identifier: MIT
################################################################################
# liburing -- io_uring helpers for tftpd and relayd (static library)
################################################################################
LIBURING_VERSION := 2.3
LIBURING_LOCK    := liburing
LIBURING_SOURCE  := liburing_2.3.orig.tar.gz
LIBURING_LICENSE := MIT OR LGPL-2.1-or-later
LIBURING_DEPENDS := musl linux-headers
LIBURING_CONFIG_DEPS = $(TOOLCHAIN_KDEPS)

define LIBURING_CONFIGURE_CMDS
	cd $(LIBURING_DIR) && ./configure --cc=$(TARGET_CC) --prefix=$(SYSROOT)/usr \
		--libdir=$(SYSROOT)/usr/lib --libdevdir=$(SYSROOT)/usr/lib \
		--includedir=$(SYSROOT)/usr/include >configure.log
endef
LIBURING_BUILD_CMDS = $(call run-logged,liburing,$(LIBURING_DIR)/build.log,\
	$(MAKE) -C $(LIBURING_DIR)/src ENABLE_SHARED=0 CFLAGS="$(TARGET_CFLAGS)")
LIBURING_INSTALL_CMDS = $(MAKE) -C $(LIBURING_DIR)/src ENABLE_SHARED=0 install \
	>$(LIBURING_DIR)/install.log

$(eval $(call pkg,liburing,LIBURING))
