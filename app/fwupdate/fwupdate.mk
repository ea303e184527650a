# SPDX-License-Identifier: MIT
# fwupdate -- signed firmware updates into the idle A/B slot
# (app/fwupdate/README.md).  Its trusted key is linked in by images/bundle.mk.
APP_fwupdate_KCONFIG := FWUPDATE
APP_fwupdate_KIND    := target
APP_fwupdate_DEST    := usr/sbin
APP_fwupdate_LIBS    := -lmbedcrypto
# It includes mbedtls's headers: compiled after mbedtls is installed.
APP_fwupdate_DEPS     = $(MBEDTLS_STAMP)
