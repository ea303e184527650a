# SPDX-License-Identifier: MIT
# relayd -- the UDP / multicast relay (app/relayd/README.md).
APP_relayd_KCONFIG := RELAYD
APP_relayd_KIND    := target
APP_relayd_DEST    := usr/sbin
APP_relayd_LIBS    := -luring
