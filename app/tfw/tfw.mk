# SPDX-License-Identifier: MIT
# tfw -- the bundle tool on the host (tfw -h; the format: images/README.md):
# keygen, pubkey, sign, verify, show .tfw bundles, with fwupdate's bundle code
# and out/host's mbedtls.  `make tfw` builds out/host/bin/tfw.
APP_tfw_KCONFIG :=
APP_tfw_KIND    := host
APP_tfw_DEST    := bin
APP_tfw_USES    := fwupdate
APP_tfw_CFLAGS   = $(HOST_MBEDTLS_CFLAGS)
APP_tfw_LIBS     = $(HOST_MBEDTLS_LIBS)
APP_tfw_DEPS     = $(HOST_MBEDTLS_STAMP)
