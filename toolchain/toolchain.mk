# SPDX-License-Identifier: MIT
# toolchain.mk -- the target toolchain in out/sysroot: kernel headers, musl,
# the tern-cc compiler wrapper, then liburing and mbedtls as static libraries.
#
# Everything for the target goes through $(TARGET_CC), which compiles with
# $(TARGET_CROSS)gcc against musl's headers and links statically against
# musl's libc.a: no glibc can end up in the image.

include toolchain/pkg.mk

TARGET_CROSS  := $(CONFIG_TOOLCHAIN_CROSS)
TARGET_CC     := $(HOST)/bin/tern-cc
TARGET_AR     := $(TARGET_CROSS)ar
TARGET_STRIP  := $(TARGET_CROSS)strip
# No build path in a binary (__FILE__): the same bytes from any directory.
TARGET_CFLAGS := $(CONFIG_TARGET_OPTIMIZE) -pipe -ffile-prefix-map=$(TOP)/=
# Toolchain stages read toolchain/Kconfig and the board's architecture.
TOOLCHAIN_KDEPS := $(call kdeps,$(call ksyms,toolchain/Kconfig) TARGET_ARCH KERNEL_ARCH)

include toolchain/musl.mk
# The kernel source is described once, in images/linux.mk; the headers use it.
include images/linux.mk
include toolchain/linux-headers.mk
include toolchain/liburing.mk
include toolchain/mbedtls.mk
# The host's own build of it, for the bundle tool and the tests.
include toolchain/host-mbedtls.mk

.PHONY: toolchain
toolchain: $(MUSL_STAMP) $(LINUX_HEADERS_STAMP) $(LIBURING_STAMP) $(MBEDTLS_STAMP)
