# SPDX-License-Identifier: MIT
################################################################################
# linux-headers -- the kernel's UAPI headers (linux/, asm/) in the sysroot,
# from the same Debian linux-source the image's kernel is built from
################################################################################
LINUX_HEADERS_VERSION = $(LINUX_VERSION)
LINUX_HEADERS_LICENSE := GPL-2.0-only WITH Linux-syscall-note
# Its source is the kernel's; its license texts are in the kernel's tree.
LINUX_HEADERS_LOCK = $(LINUX_LOCK)
LINUX_HEADERS_SOURCE = $(LINUX_SOURCE)
LINUX_HEADERS_LICENSE_FILES = $(addprefix $(LINUX_DIR)/,COPYING \
	LICENSES/preferred/GPL-2.0 LICENSES/exceptions/Linux-syscall-note)
LINUX_HEADERS_DEPENDS := musl
LINUX_HEADERS_CONFIG_DEPS = $(LINUX_DIR)/.stamp_extracted $(TOOLCHAIN_KDEPS)
LINUX_HEADERS_EXTRACT_CMDS := true
LINUX_HEADERS_CONFIGURE_CMDS := true
LINUX_HEADERS_BUILD_CMDS = $(MAKE) -C $(LINUX_DIR) O=$(LINUX_HEADERS_DIR) \
	ARCH=$(CONFIG_KERNEL_ARCH) INSTALL_HDR_PATH=$(LINUX_HEADERS_DIR)/usr \
	headers_install >$(LINUX_HEADERS_DIR)/build.log
LINUX_HEADERS_INSTALL_CMDS = cp -a $(LINUX_HEADERS_DIR)/usr/include/. $(SYSROOT)/usr/include/

$(eval $(call pkg,linux-headers,LINUX_HEADERS))
