/* SPDX-License-Identifier: MIT */
/* options.c -- see options.h.  Pure. */
#include "options.h"

#define IPV4_HEADER 20
#define IPV6_HEADER 40
#define UDP_HEADER 8

static uint64_t clamp(uint64_t v, uint64_t lo, uint64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static uint64_t min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

unsigned tftp_mtu_blksize(unsigned mtu, bool ipv6)
{
	unsigned overhead = (ipv6 ? IPV6_HEADER : IPV4_HEADER) + UDP_HEADER + TFTP_HEADER;

	if (mtu == 0)
		return TFTP_BLKSIZE_MAX;
	if (mtu < overhead + TFTP_BLKSIZE_MIN)
		return TFTP_BLKSIZE_MIN;
	return (unsigned)min64(mtu - overhead, TFTP_BLKSIZE_MAX);
}

static void acknowledge(struct tftp_transfer *t, enum tftp_option o, uint64_t v)
{
	t->oack.mask |= 1u << o;
	t->oack.value[o] = v;
}

static bool asked(const struct tftp_request *r, enum tftp_option o)
{
	return r->opts.mask & 1u << o;
}

/* RFC 2349 tsize.  RRQ: the size "in octets" of the file; for netascii the
 * client receives more octets than that and stores its own local form, so
 * no number is right, and tsize is left out (as tftpd-hpa does) rather
 * than the whole file read first to count line ends.  WRQ: the client's
 * number, checked against the upload cap before any byte is accepted. */
static enum tftp_cause negotiate_tsize(const struct tftp_request *r, enum tftp_opcode op,
				       const struct tftp_limits *lim, struct tftp_transfer *t)
{
	if (op == TFTP_WRQ) {
		if (!asked(r, TFTP_OPT_TSIZE))
			return TFTP_OK;
		t->tsize_known = true;
		t->tsize = r->opts.value[TFTP_OPT_TSIZE];
		if (lim->max_upload && t->tsize > lim->max_upload)
			return TFTP_UPLOAD_TOO_LARGE;
	}
	if (asked(r, TFTP_OPT_TSIZE) && lim->tsize && !(op == TFTP_RRQ && r->mode == TFTP_NETASCII))
		acknowledge(t, TFTP_OPT_TSIZE, t->tsize);
	return TFTP_OK;
}

enum tftp_cause tftp_negotiate(const struct tftp_request *r, enum tftp_opcode op,
			       uint64_t size, const struct tftp_limits *lim,
			       struct tftp_transfer *t)
{
	uint64_t max_blksize = min64(clamp(lim->max_blksize, TFTP_BLKSIZE_MIN, TFTP_BLKSIZE_MAX),
				     tftp_mtu_blksize(lim->mtu, lim->ipv6));
	uint64_t min_timeout = clamp(lim->min_timeout, TFTP_TIMEOUT_MIN, TFTP_TIMEOUT_MAX);
	uint64_t max_timeout = clamp(lim->max_timeout, TFTP_TIMEOUT_MIN, TFTP_TIMEOUT_MAX);

	t->blksize = TFTP_SEGSIZE;
	t->windowsize = 1;
	t->timeout = (unsigned)clamp(lim->timeout, TFTP_TIMEOUT_MIN, TFTP_TIMEOUT_MAX);
	t->rollover = lim->rollover ? 1 : 0;
	t->tsize_known = op == TFTP_RRQ;
	t->tsize = op == TFTP_RRQ ? size : 0;
	t->oack.mask = 0;

	/* RFC 2348: the OACK's blksize "must be less than or equal to the
	 * value specified by the client"; the parser refused values below 8. */
	if (asked(r, TFTP_OPT_BLKSIZE)) {
		t->blksize = (unsigned)min64(r->opts.value[TFTP_OPT_BLKSIZE], max_blksize);
		acknowledge(t, TFTP_OPT_BLKSIZE, t->blksize);
	}
	/* RFC 2349: the OACK's timeout must match the client's. */
	if (asked(r, TFTP_OPT_TIMEOUT) && r->opts.value[TFTP_OPT_TIMEOUT] >= min_timeout &&
	    r->opts.value[TFTP_OPT_TIMEOUT] <= max_timeout) {
		t->timeout = (unsigned)r->opts.value[TFTP_OPT_TIMEOUT];
		acknowledge(t, TFTP_OPT_TIMEOUT, t->timeout);
	}
	/* RFC 7440 section 3: the OACK's windowsize is at most the client's. */
	if (asked(r, TFTP_OPT_WINDOWSIZE)) {
		t->windowsize = (unsigned)min64(r->opts.value[TFTP_OPT_WINDOWSIZE],
						clamp(lim->max_windowsize, 1, TFTP_WINDOWSIZE_MAX));
		acknowledge(t, TFTP_OPT_WINDOWSIZE, t->windowsize);
	}
	return negotiate_tsize(r, op, lim, t);
}
