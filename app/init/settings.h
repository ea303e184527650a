/* settings.h -- the Kconfig symbols init uses (from the generated
 * config.h), with the defaults that apply when config.h leaves them out.
 *
 *   CONFIG_HOSTNAME           hostname unless tern.hostname= is given
 *   CONFIG_DEBUG_SHELL        defined: always run the console root shell
 *   CONFIG_INIT_STOP_TIMEOUT  seconds services get between SIGTERM and SIGKILL
 *   CONFIG_NETWORK_IFACE      the interface tern.ip= and friends configure when
 *                             neither tern.iface= nor network.conf names one
 *   CONFIG_NETWORK_CARRIER_TIMEOUT  seconds boot waits for carrier, at most
 *   CONFIG_BOOT_GOOD_DELAY    seconds the services stay up before the running
 *                             slot is marked good (boards with BOOT_EFI_DISK)
 */
#ifndef TERN_INIT_SETTINGS_H
#define TERN_INIT_SETTINGS_H

#include "config.h"

#ifndef CONFIG_HOSTNAME
#define CONFIG_HOSTNAME "tern"
#endif
#ifndef CONFIG_INIT_STOP_TIMEOUT
#define CONFIG_INIT_STOP_TIMEOUT 5
#endif
#ifndef CONFIG_NETWORK_IFACE
#define CONFIG_NETWORK_IFACE "eth0"
#endif
#ifndef CONFIG_NETWORK_CARRIER_TIMEOUT
#define CONFIG_NETWORK_CARRIER_TIMEOUT 5
#endif
#ifndef CONFIG_BOOT_GOOD_DELAY
#define CONFIG_BOOT_GOOD_DELAY 15
#endif

#endif
