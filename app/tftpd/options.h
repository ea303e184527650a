/* SPDX-License-Identifier: MIT */
/* options.h -- option negotiation: what a request asked for (packet.h),
 * the server's limits and the file's size in; the OACK to send and the
 * transfer's parameters out.  Pure.
 *
 * RFC 2347: an OACK carries only options the client asked for and the
 * server accepts; with none of those there is no OACK at all (an RRQ is
 * answered with DATA 1, a WRQ with ACK 0).  Unknown options are ignored.
 *
 *   blksize    RFC 2348: min(asked, max_blksize, MTU - IP - UDP - 4)
 *   timeout    RFC 2349: echoed when within [min_timeout, max_timeout],
 *              otherwise left out (no other value is allowed)
 *   tsize      RFC 2349: RRQ: the file's size, octet mode only; WRQ: the
 *              announced size echoed, refused up front (error 3) when it is
 *              over max_upload, whether or not tsize is offered
 *   windowsize RFC 7440: min(asked, max_windowsize)
 *
 * A transfer without windowsize runs lockstep (window 1): RFC 7440 is
 * negotiated, so a server-side default window above 1 would send blocks
 * an RFC 1350 client never asked for.  Hence no "default windowsize".
 */
#ifndef TERN_TFTPD_OPTIONS_H
#define TERN_TFTPD_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "packet.h"

struct tftp_limits {
	unsigned max_blksize;    /* TFTP_BLKSIZE_MIN..TFTP_BLKSIZE_MAX */
	unsigned mtu;            /* of the path or the interface; 0: unknown */
	bool ipv6;               /* the client's family: 40-byte IP header */
	unsigned max_windowsize; /* 1..TFTP_WINDOWSIZE_MAX */
	unsigned timeout;        /* seconds, when the client does not set one */
	unsigned min_timeout, max_timeout; /* the timeout option accepted */
	bool tsize;              /* offer tsize */
	uint64_t max_upload;     /* WRQ: largest file in bytes; 0: no cap */
	unsigned rollover;       /* block number after 65535: 0 or 1 */
};

/* Values outside the ranges above are brought inside them. */
#define TFTP_LIMITS_DEFAULT                                                   \
	{                                                                     \
		.max_blksize = TFTP_BLKSIZE_MAX, .mtu = 0, .ipv6 = false,     \
		.max_windowsize = 64, .timeout = 1, .min_timeout = 1,         \
		.max_timeout = TFTP_TIMEOUT_MAX, .tsize = true,               \
		.max_upload = 0, .rollover = 0,                               \
	}

struct tftp_transfer {
	unsigned blksize;         /* payload bytes of a full DATA block */
	unsigned windowsize;      /* blocks in flight before an ACK is awaited */
	unsigned timeout;         /* seconds before a retransmission */
	unsigned rollover;        /* 0 or 1 */
	bool tsize_known;         /* WRQ: the client announced the size */
	uint64_t tsize;           /* RRQ: the file's size; WRQ: the announced one */
	struct tftp_options oack; /* to acknowledge; mask 0: send no OACK */
};

/* Negotiate request r (op TFTP_RRQ or TFTP_WRQ) whose file is size bytes
 * long (RRQ; ignored for WRQ).  TFTP_OK with *t filled, or the cause to
 * refuse the request with (TFTP_UPLOAD_TOO_LARGE). */
enum tftp_cause tftp_negotiate(const struct tftp_request *r, enum tftp_opcode op,
			       uint64_t size, const struct tftp_limits *lim,
			       struct tftp_transfer *t);

/* The largest blksize whose DATA packet fits in one IP packet of mtu bytes:
 * mtu - 20 (IPv4) or 40 (IPv6) - 8 (UDP) - 4 (TFTP); TFTP_BLKSIZE_MAX for
 * mtu 0 (unknown), never below TFTP_BLKSIZE_MIN. */
unsigned tftp_mtu_blksize(unsigned mtu, bool ipv6);

#endif
