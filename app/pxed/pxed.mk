# SPDX-License-Identifier: MIT
# pxed -- the DHCP half of PXE (app/pxed/README.md).
APP_pxed_KCONFIG := PXED
APP_pxed_KIND    := target
APP_pxed_DEST    := usr/sbin
