/* SPDX-License-Identifier: MIT */
/* netconf.h -- the interfaces init configures: the lines of
 * /etc/tern/network.conf and the tern.ip= family of kernel command-line
 * words.  The syntax is described at the top of netconf.c.  Pure: no I/O. */
#ifndef TERN_INIT_NETCONF_H
#define TERN_INIT_NETCONF_H

#include <stddef.h>

#include "cmdline.h"
#include "conf.h"

#define NETCONF_FILE "/etc/tern/network.conf"
#define NETCONF_IFACES_MAX 8
#define NETCONF_ADDRS_MAX 8   /* per interface */
#define NETCONF_IFNAME_MAX 15 /* IFNAMSIZ - 1 */
/* The longest text netconf_addr_str writes: an IPv6 address, "/128", NUL. */
#define NETCONF_ADDR_STR_MAX (46 + 4)

enum netconf_method {
	NETCONF_UP,     /* link up, no address of ours */
	NETCONF_STATIC, /* the listed addresses and gateways */
	NETCONF_DHCP,   /* IPv4 from BusyBox udhcpc, run as a service */
};

struct netconf_addr {
	int family;              /* AF_INET or AF_INET6; 0: none */
	unsigned char bytes[16]; /* network order; IPv4 in the first 4 */
	unsigned char prefix;    /* an address: 1-32 or 1-128; a gateway: 0 */
};

struct netconf_iface {
	char name[NETCONF_IFNAME_MAX + 1];
	enum netconf_method method;
	unsigned mtu; /* 0: leave the driver's */
	size_t naddr;
	struct netconf_addr addr[NETCONF_ADDRS_MAX];
	struct netconf_addr gw4, gw6; /* default routes; family 0: none */
};

struct netconf {
	size_t n; /* in file order */
	struct netconf_iface iface[NETCONF_IFACES_MAX];
};

/* Add one line of NETCONF_FILE to nc, which starts zeroed.  On CONF_BAD
 * *err says why and nc is unchanged. */
enum conf_result netconf_parse_line(struct netconf *nc, const char *line, size_t len,
				    const char **err);

/* Apply tern.iface=, tern.ip=, tern.gw= and tern.mtu= from cl to nc
 * (fallback: the interface they name when neither tern.iface= nor nc
 * does).  CONF_SKIP when cl has none of ip, gw, mtu; on CONF_BAD *key is
 * the word at fault ("ip", ...), *err says why, and nc is unchanged. */
enum conf_result netconf_override(struct netconf *nc, const struct cmdline *cl,
				  const char *fallback, const char **key, const char **err);

/* "192.0.2.10/24", "2001:db8::1" (a gateway has no prefix) into buf of
 * NETCONF_ADDR_STR_MAX bytes; returns buf. */
const char *netconf_addr_str(const struct netconf_addr *a, char buf[NETCONF_ADDR_STR_MAX]);

#endif
