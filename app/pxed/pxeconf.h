/* SPDX-License-Identifier: MIT */
/* pxeconf.h -- /etc/tern/pxed.conf: what pxed serves, one directive a line.
 *
 *   # comments and blank lines are skipped
 *   mode proxy                 proxy (default): boot files only, next to the
 *                              site's DHCP server; server: addresses too
 *   next-server 192.0.2.1      the TFTP server (siaddr); default: the
 *                              address of the interface the request came on
 *   arch 0 file pxelinux.0     the boot file for client architecture(s)
 *   arch 7,9 file ipxe.efi       (option 93: 0 BIOS, 6 EFI IA32, 7 and 9
 *                                EFI x64, 10/11 ARM, 16 x64 HTTP boot...)
 *   ipxe file boot.ipxe        what a client that already is iPXE (option
 *                              77 "iPXE" or option 175) gets instead: a
 *                              file or a URL (http://192.0.2.1/boot.ipxe)
 *   host 52:54:00:12:34:56 file special.efi ipxe other.ipxe address 192.0.2.50
 *                              per-MAC overrides, each part optional
 *   pool 192.0.2.100 192.0.2.199     server mode: addresses to lease
 *   pool 198.51.100.100 198.51.100.199 router 198.51.100.1 lease 600
 *                              more pools, one a subnet, each with its own
 *                              [netmask M] [router A] [lease S]
 *                              [dns A[,A...]] [domain N] when it says so
 *                              and the lines below' otherwise; a relayed
 *                              request (giaddr) is served from the pool of
 *                              giaddr's subnet, any other from the pool of
 *                              its ciaddr's or the receiving address's
 *                              subnet (the only pool, when there is one)
 *   netmask 255.255.255.0      server mode (default 255.255.255.0)
 *   lease 3600                 seconds, 60 to 31536000 (default 3600)
 *   router 192.0.2.1           server mode: option 3
 *   dns 192.0.2.1 198.51.100.53      up to 4: option 6
 *   domain lab.example         option 15
 *   serve mac 52:54:00:12:*,02:00:00:00:00:07 arch 7,9
 *                              answer only the clients some serve line
 *                              matches (a line: every part it gives; a
 *                              MAC pattern: whole, or leading bytes and
 *                              *); no serve line: every client
 *   http-server http           names become URLs for UEFI HTTP Boot clients
 *   http-server https boot.lab.example:8443
 *                              (option 60 "HTTPClient") and for iPXE's
 *                              script: SCHEME://HOST[:PORT]/NAME, HOST by
 *                              default the address the request came in on
 *   router-advert on|off       answer IPv6 router solicitations with an
 *                              advertisement of no router (ra.h: it ends
 *                              iPXE's wait for one); default on in server
 *                              mode, off in proxy mode
 *   rpi off | rpi on [mac OUI,...] [pad N]
 *                              Raspberry Pi boot clients (rpi.h)
 *
 * Every line either parses whole or is refused with a reason; a file is
 * taken whole or not at all (pxeconf_load).  Names (files, URLs, the
 * domain) are one word of printable characters.
 */
#ifndef TERN_PXED_PXECONF_H
#define TERN_PXED_PXECONF_H

#include <stdbool.h>
#include <stdint.h>

#include "conf.h"
#include "dhcp.h"
#include "rpi.h"

#define PXECONF_ARCHES_MAX 32
#define PXECONF_HOSTS_MAX 256
#define PXECONF_DNS_MAX 4
#define PXECONF_POOL_MAX 65536  /* addresses */
#define PXECONF_WHY_MAX CONF_WHY_MAX /* a bad line's message (conf.h) */
#define PXECONF_NAME_MAX DHCP_FILE_LEN /* with its NUL */
#define PXECONF_DOMAIN_MAX 64
#define PXECONF_POOLS_MAX 16
#define PXECONF_SERVE_MAX 16
#define PXECONF_SERVE_ITEMS 16  /* MAC patterns, architectures: each, a serve line */

enum pxed_mode { PXED_PROXY, PXED_SERVER };
enum pxed_http { PXED_HTTP_OFF, PXED_HTTP, PXED_HTTPS }; /* an http-server line */
enum pxed_ra { PXED_RA_MODE, PXED_RA_ON, PXED_RA_OFF };   /* a router-advert line */

struct pxed_arch {
	uint16_t arch;
	char file[PXECONF_NAME_MAX];
};

struct pxed_host {
	uint8_t mac[6];
	char file[PXECONF_NAME_MAX]; /* "" when not set */
	char ipxe[PXECONF_NAME_MAX];
	uint32_t addr;               /* 0 when not set */
};

/* One pool line.  netmask, router, lease 0, ndns 0, domain "": the
 * file-wide line's (pxeconf_pool fills them in). */
struct pxed_pool {
	uint32_t lo, hi;
	uint32_t netmask, router, lease;
	unsigned ndns;
	uint32_t dns[PXECONF_DNS_MAX];
	char domain[PXECONF_DOMAIN_MAX];
};

/* One serve line: a client matches when it matches one of its MACs (if
 * it gives any) and one of its architectures (if it gives any). */
struct pxed_serve {
	unsigned nmac, narch;
	struct {
		uint8_t mac[6];
		uint8_t len; /* leading bytes that must be equal: 6, or fewer before a '*' */
	} mac[PXECONF_SERVE_ITEMS];
	uint16_t arch[PXECONF_SERVE_ITEMS];
};

struct pxed_conf {
	enum pxed_mode mode;
	uint32_t next_server;        /* 0: the receiving interface's address */
	unsigned narch, nhost, ndns;
	struct pxed_arch arch[PXECONF_ARCHES_MAX];
	struct pxed_host host[PXECONF_HOSTS_MAX];
	char ipxe[PXECONF_NAME_MAX];
	unsigned npool, nserve;
	struct pxed_pool pool[PXECONF_POOLS_MAX];
	struct pxed_serve serve[PXECONF_SERVE_MAX];
	uint32_t netmask, router, dns[PXECONF_DNS_MAX]; /* each pool's, unless it says */
	uint32_t lease;
	char domain[PXECONF_DOMAIN_MAX];
	enum pxed_http http;
	char http_host[PXECONF_DOMAIN_MAX]; /* "": the receiving interface's address */
	uint16_t http_port;          /* 0: the scheme's */
	enum pxed_ra router_advert;  /* PXED_RA_MODE: as the mode says */
	struct rpi_rule rpi;         /* the rpi line, else rpi_init's */
	unsigned seen;               /* directives given once, so far */
};

/* The defaults: proxy mode, lease 3600, netmask 255.255.255.0. */
void pxeconf_init(struct pxed_conf *c);

/* One line into c.  CONF_BAD with why set, c unchanged, when the line is
 * wrong (unknown word, bad address, a directive given twice...). */
enum conf_result pxeconf_parse_line(struct pxed_conf *c, const char *line, size_t len,
				    char why[PXECONF_WHY_MAX]);

/* What the whole file must satisfy: server mode has a pool; each pool
 * lies in one subnet (its netmask) with its router; no two pools' subnets
 * overlap; a host's address is in some pool's subnet.  false with why
 * (naming the pool by its first address). */
bool pxeconf_check(const struct pxed_conf *c, char why[PXECONF_WHY_MAX]);

/* The host line of mac, or NULL. */
const struct pxed_host *pxeconf_host(const struct pxed_conf *c, const uint8_t mac[6]);

/* Pool i with every part it does not give from the file-wide lines. */
void pxeconf_pool(const struct pxed_conf *c, unsigned i, struct pxed_pool *out);

/* The pool whose subnet holds addr, or -1. */
int pxeconf_pool_of(const struct pxed_conf *c, uint32_t addr);

/* Whether a client (its MAC, its option 93 when has_arch) is one this
 * box serves: some serve line matches it, or there is none. */
bool pxeconf_serves(const struct pxed_conf *c, const uint8_t mac[6], bool has_arch, uint16_t arch);

/* Whether router solicitations are answered (the router-advert line). */
bool pxeconf_router_advert(const struct pxed_conf *c);

/* path read and checked whole: a new config, or NULL after logging every
 * bad line as file:line (and a missing file). */
struct pxed_conf *pxeconf_load(const char *path);

#endif
