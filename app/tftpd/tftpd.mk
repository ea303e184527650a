# SPDX-License-Identifier: MIT
# tftpd -- the TFTP server (app/tftpd/README.md).
APP_tftpd_KCONFIG := TFTPD
APP_tftpd_KIND    := target
APP_tftpd_DEST    := usr/sbin
APP_tftpd_LIBS    := -luring
