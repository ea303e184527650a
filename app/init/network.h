/* SPDX-License-Identifier: MIT */
/* network.h -- bring the network up at boot: loopback, then the interfaces
 * of /etc/tern/network.conf as the kernel command line amends them (the
 * syntax of both is described at the top of netconf.c). */
#ifndef TERN_INIT_NETWORK_H
#define TERN_INIT_NETWORK_H

#include <stdbool.h>

#include "cmdline.h"

/* Start the service of one services-file line (for DHCP, udhcpc); false,
 * having logged why, if it cannot. */
typedef bool network_add_service_fn(void *ctx, const char *line);

/* Loopback up, always.  Then for each interface: MTU, link up; then wait
 * for carrier on all of them together, CONFIG_NETWORK_CARRIER_TIMEOUT s at
 * most; then addresses and default routes, or add(ctx, ...) the DHCP
 * client.  A missing interface is logged and skipped without waiting; a
 * bad line or a refused setting is logged and the rest still applies. */
void network_up(const struct cmdline *cl, network_add_service_fn *add, void *ctx);

#endif
