# SPDX-License-Identifier: MIT
# init -- PID 1 (app/init/README.md): always built.
APP_init_KCONFIG :=
APP_init_KIND    := target
APP_init_DEST    := sbin
