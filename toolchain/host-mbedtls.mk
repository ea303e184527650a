# SPDX-License-Identifier: MIT
################################################################################
# host-mbedtls -- mbedtls for the host: the bundle tool (out/host/bin/tfw),
# and the unit tests and fuzzers of the code that verifies bundles and of
# httpd (its TLS).  The same
# Debian tarball as the target's mbedtls (toolchain/mbedtls.mk), built with
# the host's gcc into out/host/{include,lib}.  Nothing of it is in the image,
# so it has no _LICENSE: the target's mbedtls is the one shipped.
################################################################################
HOST_MBEDTLS_VERSION := $(MBEDTLS_VERSION)
HOST_MBEDTLS_LOCK    := $(MBEDTLS_LOCK)
HOST_MBEDTLS_SOURCE  := $(MBEDTLS_SOURCE)
HOST_MBEDTLS_CONFIGURE_CMDS = $(MAKE) -C $(HOST_MBEDTLS_DIR)/library clean >/dev/null
HOST_MBEDTLS_BUILD_CMDS = $(call run-logged,host-mbedtls,$(HOST_MBEDTLS_DIR)/build.log,\
	$(MAKE) -C $(HOST_MBEDTLS_DIR)/library CC=gcc AR=ar CFLAGS="-O2 -g" static)
define HOST_MBEDTLS_INSTALL_CMDS
	mkdir -p $(HOST)/include $(HOST)/lib
	cp -a $(HOST_MBEDTLS_DIR)/include/mbedtls $(HOST_MBEDTLS_DIR)/include/psa $(HOST)/include/
	cp $(HOST_MBEDTLS_DIR)/library/libmbedcrypto.a $(HOST_MBEDTLS_DIR)/library/libmbedx509.a \
		$(HOST_MBEDTLS_DIR)/library/libmbedtls.a $(HOST)/lib/
endef

$(eval $(call pkg,host-mbedtls,HOST_MBEDTLS))

# What a host program linked with it adds to its compile and link lines.
HOST_MBEDTLS_CFLAGS := -I$(HOST)/include
HOST_MBEDTLS_LIBS   := -L$(HOST)/lib -lmbedcrypto
# ... and with TLS (httpd's unit tests and fuzzers).
HOST_MBEDTLS_TLS_LIBS := -L$(HOST)/lib -lmbedtls -lmbedx509 -lmbedcrypto
