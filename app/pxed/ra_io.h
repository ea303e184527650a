/* SPDX-License-Identifier: MIT */
/* ra_io.h -- pxed's answers to IPv6 router solicitations (ra.h says why). */
#ifndef TERN_PXED_RA_IO_H
#define TERN_PXED_RA_IO_H

#include <stdbool.h>
#include <stdint.h>

#include "ra.h"

/* (All uint64_t: a part of pxed's shared counters, stats.h.) */
struct ra_counters {
	uint64_t received, sent, send_errors, ignored, limited;
	uint64_t bad[RA_VERDICT_COUNT];
	uint64_t last_multicast_s;  /* the last answer to all nodes: when, where */
	uint64_t last_multicast_if;
};

struct ra_ctx {
	const char *const *iface;   /* the interfaces served; n 0: every one */
	unsigned niface;
	bool answer;                /* false: count solicitations, answer none */
	bool verbose;
};

/* A raw ICMPv6 socket that receives router solicitations on the n
 * interfaces named (n 0: every interface but lo, as they are now); -1,
 * said in the log, when there is none (no IPv6, no CAP_NET_RAW). */
int ra_open(const char *const *iface, unsigned n);

/* Take one message from fd; answer it when it is a valid solicitation on
 * a served interface and ctx->answer. */
void ra_on_packet(int fd, const struct ra_ctx *ctx, struct ra_counters *c);

#endif
