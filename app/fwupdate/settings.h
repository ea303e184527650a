/* SPDX-License-Identifier: MIT */
/* settings.h -- the Kconfig symbols fwupdate uses (from the generated
 * config.h), with the defaults that apply when config.h leaves them out
 * (a host build for the tests, on a board without FWUPDATE):
 *
 *   CONFIG_FWUPDATE_SLOT_MAX  largest payload, MiB
 *   CONFIG_BOOT_TRIES         trial boots a new slot is armed for
 */
#ifndef TERN_FWUPDATE_SETTINGS_H
#define TERN_FWUPDATE_SETTINGS_H

#include "config.h"

#ifndef CONFIG_FWUPDATE_SLOT_MAX
#define CONFIG_FWUPDATE_SLOT_MAX 20
#endif
#ifndef CONFIG_BOOT_TRIES
#define CONFIG_BOOT_TRIES 3
#endif

#define SLOT_MAX_BYTES ((size_t)CONFIG_FWUPDATE_SLOT_MAX << 20)

#endif
