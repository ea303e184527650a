/* SPDX-License-Identifier: MIT */
/* ra.h -- IPv6 router advertisements that end a client's wait for a router.
 *
 * iPXE configures IPv4 (DHCP) and IPv6 at once and waits for both: with no
 * IPv6 router on the segment it sends router solicitations until its
 * retry timer gives up, about 16 s in Debian 12's iPXE, before it runs
 * its boot file.  A solicited router advertisement with neither the M
 * (managed) nor the O (other) flag ends that wait at once (iPXE's
 * ipv6conf_rx_router_advertisement).  pxed sends the least such an
 * advertisement can say (RFC 4861 4.2): router lifetime 0 (not a default
 * router), no prefix, no option, so no host takes a route or an address
 * from it.  Pure: no I/O. */
#ifndef TERN_PXED_RA_H
#define TERN_PXED_RA_H

#include <stddef.h>
#include <stdint.h>

#define RA_LEN 16 /* ICMPv6 header (4) + hop limit, flags, lifetime (4) + timers (8) */

enum ra_verdict {
	RA_SOLICIT,    /* a valid router solicitation: answer it */
	RA_BAD_TYPE,   /* not a router solicitation (type 133) */
	RA_BAD_CODE,   /* code not 0 */
	RA_BAD_HOPS,   /* hop limit not 255: it came from off the link */
	RA_BAD_LENGTH, /* shorter than 8 bytes, or a malformed option */
	RA_BAD_SOURCE, /* unspecified source with a source link-layer option */
	RA_VERDICT_COUNT
};

/* RFC 4861 6.1.1's checks of a received router solicitation: the ICMPv6
 * message (the kernel has checked its checksum) of n bytes, the IPv6 hop
 * limit it arrived with, and whether its source address is :: */
enum ra_verdict ra_check(const uint8_t *msg, size_t n, int hop_limit, int from_unspecified);

/* What a verdict means, for logs. */
const char *ra_verdict_text(enum ra_verdict v);

/* The advertisement sent in answer: RA_LEN bytes into out (checksum 0: the
 * kernel fills it in on a raw ICMPv6 socket). */
void ra_build(uint8_t out[RA_LEN]);

#endif
