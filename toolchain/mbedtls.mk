# SPDX-License-Identifier: MIT
################################################################################
# mbedtls -- crypto for signed firmware updates (static libraries)
################################################################################
MBEDTLS_VERSION := 2.28.3
MBEDTLS_LOCK    := mbedtls
MBEDTLS_SOURCE  := mbedtls_2.28.3.orig.tar.gz
MBEDTLS_LICENSE := Apache-2.0
MBEDTLS_DEPENDS := musl
MBEDTLS_CONFIG_DEPS = $(TOOLCHAIN_KDEPS)
# Its Makefile does not track flags: configuring again starts from clean.
MBEDTLS_CONFIGURE_CMDS = $(MAKE) -C $(MBEDTLS_DIR)/library clean >/dev/null
# Only the libraries: the sample programs and the test suite are not shipped.
# A section per function: fwupdate's --gc-sections then keeps what it calls
# (ECDSA verify, SHA-256), not every object that holds one of them.
MBEDTLS_BUILD_CMDS = $(call run-logged,mbedtls,$(MBEDTLS_DIR)/build.log,\
	$(MAKE) -C $(MBEDTLS_DIR)/library CC=$(TARGET_CC) AR=$(TARGET_AR) \
		CFLAGS="$(TARGET_CFLAGS) -ffunction-sections -fdata-sections" static)
define MBEDTLS_INSTALL_CMDS
	mkdir -p $(SYSROOT)/usr/include $(SYSROOT)/usr/lib
	cp -a $(MBEDTLS_DIR)/include/mbedtls $(MBEDTLS_DIR)/include/psa $(SYSROOT)/usr/include/
	cp $(MBEDTLS_DIR)/library/libmbedcrypto.a $(MBEDTLS_DIR)/library/libmbedx509.a \
		$(MBEDTLS_DIR)/library/libmbedtls.a $(SYSROOT)/usr/lib/
endef

$(eval $(call pkg,mbedtls,MBEDTLS))
