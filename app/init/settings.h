/* SPDX-License-Identifier: MIT */
/* settings.h -- the Kconfig symbols init uses, from the generated config.h
 * (rootfs/Kconfig, app/init/Kconfig, images/Kconfig).
 *
 *   CONFIG_HOSTNAME           hostname unless tern.hostname= is given
 *   CONFIG_DEBUG_SHELL        defined: always run the console root shell
 *   CONFIG_INIT_STOP_TIMEOUT  seconds services get between SIGTERM and SIGKILL
 *   CONFIG_NETWORK_IFACE      the interface tern.ip= and friends configure when
 *                             neither tern.iface= nor network.conf names one
 *   CONFIG_NETWORK_CARRIER_TIMEOUT  seconds boot waits for carrier, at most
 *   CONFIG_BOOT_GOOD_DELAY    seconds the services stay up before the running
 *                             slot is marked good (boards with BOOT_EFI_DISK)
 *   CONFIG_BOOT_HEALTH_TIMEOUT  seconds the site's health check may take
 *   CONFIG_INIT_WATCHDOG, _TIMEOUT, _DEVICE  the hardware watchdog
 */
#ifndef TERN_INIT_SETTINGS_H
#define TERN_INIT_SETTINGS_H

#include "config.h"

/* disk.c is compiled, and unit-tested, on every board; it runs on a board
 * with BOOT_EFI_DISK, where Kconfig gives the values, and in test mode
 * with an ESP stand-in (disk_test_slots), where these hold: good at once,
 * a health check stopped after 3 s (tests/host/init_slot_good.t). */
#ifndef CONFIG_BOOT_EFI_DISK
#define CONFIG_BOOT_GOOD_DELAY 0
#define CONFIG_BOOT_HEALTH_TIMEOUT 3
#endif

#endif
