# SPDX-License-Identifier: MIT
# relayctl -- relayd's control client (app/relayd/README.md): on with relayd.
APP_relayctl_KCONFIG := RELAYD
APP_relayctl_KIND    := target
APP_relayctl_DEST    := usr/sbin
