/* SPDX-License-Identifier: MIT */
/* answer.h -- what pxed answers a DHCP message with.  Pure: the config,
 * the pool and the clock in; a reply (or none), the pool changed, and an
 * outcome to count and log.
 *
 * Proxy mode, port 67 (PXE specification 2.1, as dnsmasq and pixiecore
 * do it): only a DISCOVER from a PXE client with a boot file is answered,
 * by an OFFER without an address (yiaddr 0) carrying option 54, option 60
 * "PXEClient", option 97 as the client sent it, siaddr and file.  A BIOS
 * client (option 93 below 6) also gets option 43 with discovery control 8
 * (boot the file of this packet, no boot server discovery).  A UEFI client
 * does not: several UEFI firmwares ignore a proxy offer that bypasses
 * discovery, so it gets sname (the server's address) and asks again on
 * port 4011, where it gets the file in an ACK (below).
 *
 * A UEFI HTTP Boot client (option 60 "HTTPClient", boot.h) is answered
 * the same way on port 67 in both modes, but as what it is: option 60
 * "HTTPClient" and a URL in the file field (boot_file), never 43, 97 or
 * "PXEClient".  EDK2's HttpBootDxe takes an offer with yiaddr 0, option 60
 * "HTTPClient" and an IP-address URL as a proxy offer, beside the site's
 * DHCP offer, and boots that URL without asking on port 4011.
 *
 * Port 4011, both modes: a REQUEST or INFORM from a PXE client is answered
 * with an ACK carrying the same boot fields and option 43: the client's
 * boot item (suboption 71) echoed when it sent one, discovery control 8
 * otherwise.  iPXE does this round trip too, and requires option 54 to be
 * the proxy offer's.
 *
 * Server mode, port 67 (RFC 2131): the message is served from one pool
 * (pool_choose: RFC 2131 4.3.1, the subnet of giaddr for a relayed one,
 * else of its ciaddr or of the address it came in on; no pool, no
 * answer).  DISCOVER gets an OFFER from that pool (or the client's host
 * line's address, when in the pool's subnet), REQUEST an ACK or a NAK, DECLINE
 * takes the address out of the pool for a lease time, RELEASE frees it,
 * INFORM gets the options without an address.  Every reply carries
 * netmask, router, DNS servers, domain, and for a client with a boot file
 * siaddr and file (and for a PXE client 60, 97 and 43 discovery control 8,
 * which UEFI firmware takes as well as BIOS does).
 *
 * A Raspberry Pi's boot code (rpi.h) is answered in each of these places
 * as the PXE client it pretends to be, with the Pi's own boot fields (43
 * "Raspberry Pi Boot", 66, no file) instead of its architecture's file.
 *
 * Every reply echoes the request's option 82 (dhcp_reply_init), and goes
 * to a relay agent's giaddr:67 when it came through one (answer_dest),
 * proxy offers included, as dnsmasq does.  A client no serve line
 * matches (pxeconf_serves) gets nothing, in either mode, on either port.
 */
#ifndef TERN_PXED_ANSWER_H
#define TERN_PXED_ANSWER_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "dhcp.h"
#include "lease.h"
#include "pxeconf.h"

enum answer_port { PORT_DHCP, PORT_PXE }; /* 67, 4011 */

enum answer_outcome {
	ANS_PROXY_OFFER,     /* proxy mode: boot file, no address */
	ANS_PXE_ACK,         /* port 4011 */
	ANS_OFFER,
	ANS_OFFER_RECLAIMED, /* an offer of the oldest offer's address: the pool was full */
	ANS_ACK,
	ANS_NAK,
	ANS_INFORM,          /* an ACK to an INFORM */
	ANS_RELEASED,        /* nothing sent */
	ANS_DECLINED,        /* nothing sent */
	ANS_NOT_PXE,         /* proxy mode: not PXE nor HTTP boot; port 4011: not PXE */
	ANS_NO_FILE,         /* proxy mode or port 4011: no boot file it can use */
	ANS_NOT_HANDLED,     /* a type not answered here (BOOTP, REQUEST in proxy mode...) */
	ANS_OTHER_SERVER,    /* it chose another server's offer */
	ANS_POOL_FULL,
	ANS_UNKNOWN_CLIENT,  /* RELEASE, DECLINE or REQUEST of nothing we gave it */
	ANS_NO_POOL,         /* server mode: no pool for its subnet (giaddr's, ...) */
	ANS_NOT_SERVED,      /* no serve line matches it: another box's client */
	ANS_COUNT
};

struct answer_ctx {
	const struct pxed_conf *conf;
	struct leases *leases; /* server mode: one a pool of conf, in its order */
	time_t now;            /* wall clock */
	uint32_t local;        /* the address the request came to: option 54 */
};

/* The reply to m, received on port, in *r when the outcome sends one
 * (answer_sends); *save set when the bound leases changed. */
enum answer_outcome answer(const struct answer_ctx *x, const struct dhcp_msg *m,
			   enum answer_port port, struct dhcp_reply *r, bool *save);

/* The pool of conf that serves m, which came in on local (RFC 2131 4.3.1):
 * giaddr's subnet's when relayed; else the only pool, or the pool of its
 * ciaddr's subnet, or of local's; -1 when none. */
int pool_choose(const struct pxed_conf *c, const struct dhcp_msg *m, uint32_t local);

bool answer_sends(enum answer_outcome o);
const char *answer_name(enum answer_outcome o);

/* Where the reply r to m goes (src:sport is where m came from): port
 * 4011's to ciaddr (or the source) and its port; else a relay's giaddr:67,
 * a client with an address (ciaddr, not a NAK) on port 68, anyone else by
 * broadcast on port 68 (RFC 2131 4.1: it has no address to unicast to
 * without an ARP entry made for it). */
void answer_dest(const struct dhcp_msg *m, const struct dhcp_reply *r, enum answer_port port,
		 uint32_t src, uint16_t sport, uint32_t *dst, uint16_t *dport);

#endif
