/* SPDX-License-Identifier: MIT */
/* ra.c -- see ra.h. */
#include "ra.h"

#include <string.h>

#define ICMP6_ROUTER_SOLICIT 133
#define ICMP6_ROUTER_ADVERT 134
#define OPT_SOURCE_LLADDR 1

enum ra_verdict ra_check(const uint8_t *msg, size_t n, int hop_limit, int from_unspecified)
{
	if (n < 1 || msg[0] != ICMP6_ROUTER_SOLICIT)
		return RA_BAD_TYPE;
	if (n < 8)
		return RA_BAD_LENGTH;
	if (msg[1] != 0)
		return RA_BAD_CODE;
	if (hop_limit != 255)
		return RA_BAD_HOPS;
	/* Options: type, length in units of 8 bytes (never 0), body. */
	for (size_t i = 8; i < n;) {
		size_t len;

		if (n - i < 2 || msg[i + 1] == 0)
			return RA_BAD_LENGTH;
		len = (size_t)msg[i + 1] * 8;
		if (len > n - i)
			return RA_BAD_LENGTH;
		if (msg[i] == OPT_SOURCE_LLADDR && from_unspecified)
			return RA_BAD_SOURCE;
		i += len;
	}
	return RA_SOLICIT;
}

const char *ra_verdict_text(enum ra_verdict v)
{
	static const char *const text[RA_VERDICT_COUNT] = {
		[RA_SOLICIT] = "router solicitation",
		[RA_BAD_TYPE] = "not a router solicitation",
		[RA_BAD_CODE] = "code not 0",
		[RA_BAD_HOPS] = "hop limit not 255 (sent from off the link)",
		[RA_BAD_LENGTH] = "too short, or a malformed option",
		[RA_BAD_SOURCE] = "unspecified source with a link-layer address option",
	};

	return (unsigned)v < RA_VERDICT_COUNT ? text[v] : "?";
}

void ra_build(uint8_t out[RA_LEN])
{
	memset(out, 0, RA_LEN);
	out[0] = ICMP6_ROUTER_ADVERT;
	/* code 0, checksum (kernel), current hop limit 0 (unspecified), flags
	 * 0 (no M, no O), router lifetime 0, reachable time 0, retrans timer
	 * 0: all zero. */
}
