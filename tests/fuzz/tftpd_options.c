/* SPDX-License-Identifier: MIT */
/* tftpd_options -- libFuzzer: negotiation of any parsed request under any
 * server limits.  Input: 22 bytes of limits and file size, then the packet.
 * The OACK must grant nothing beyond what was asked and allowed, and read
 * back as a request, must carry the same options and values. */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "options.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HEAD 22

static uint64_t take(const uint8_t **p, size_t n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | *(*p)++;
	return v;
}

static void limits_from(const uint8_t *p, struct tftp_limits *lim, uint64_t *size)
{
	unsigned flags;

	lim->max_blksize = (unsigned)take(&p, 2);
	lim->mtu = (unsigned)take(&p, 2);
	flags = (unsigned)take(&p, 1);
	lim->ipv6 = flags & 1;
	lim->tsize = flags & 2;
	lim->rollover = flags >> 2;
	lim->max_windowsize = (unsigned)take(&p, 2);
	lim->timeout = (unsigned)take(&p, 1);
	lim->min_timeout = (unsigned)take(&p, 1);
	lim->max_timeout = (unsigned)take(&p, 1);
	lim->max_upload = take(&p, 4);
	*size = take(&p, 8);
}

static bool granted(const struct tftp_transfer *t, enum tftp_option o)
{
	return t->oack.mask & 1u << o;
}

/* "\0\1f\0octet\0" + the OACK's options, parsed: the same set. */
static void oack_reads_back(const uint8_t *oack, size_t n, const struct tftp_transfer *t)
{
	static const char head[] = "\0\1f\0octet";
	uint8_t req[sizeof head + TFTP_OACK_MAX];
	struct tftp_packet back;

	if (granted(t, TFTP_OPT_TSIZE) && t->oack.value[TFTP_OPT_TSIZE] >= 10000000000000000000u)
		return; /* 20 digits: more than a request may carry */
	memcpy(req, head, sizeof head);
	memcpy(req + sizeof head, oack + 2, n - 2);
	assert(tftp_parse(req, sizeof head + n - 2, &back) == TFTP_OK);
	assert(back.req.opts.mask == t->oack.mask);
	for (int o = 0; o < TFTP_OPT_COUNT; o++)
		if (granted(t, o))
			assert(back.req.opts.value[o] == t->oack.value[o]);
}

static void check(const struct tftp_packet *p, const struct tftp_limits *lim,
		  const struct tftp_transfer *t)
{
	const struct tftp_options *asked = &p->req.opts;
	uint8_t oack[TFTP_OACK_MAX];
	size_t n;

	assert((t->oack.mask & ~asked->mask) == 0);
	assert(t->blksize >= TFTP_BLKSIZE_MIN && t->blksize <= TFTP_BLKSIZE_MAX);
	assert(t->blksize <= tftp_mtu_blksize(lim->mtu, lim->ipv6) || !granted(t, TFTP_OPT_BLKSIZE));
	if (granted(t, TFTP_OPT_BLKSIZE))
		assert(t->blksize <= asked->value[TFTP_OPT_BLKSIZE] &&
		       t->oack.value[TFTP_OPT_BLKSIZE] == t->blksize);
	else
		assert(t->blksize == TFTP_SEGSIZE && !(asked->mask & 1u << TFTP_OPT_BLKSIZE));
	assert(t->windowsize >= 1 && t->windowsize <= TFTP_WINDOWSIZE_MAX);
	if (granted(t, TFTP_OPT_WINDOWSIZE))
		assert(t->windowsize <= asked->value[TFTP_OPT_WINDOWSIZE]);
	else
		assert(t->windowsize == 1);
	assert(t->timeout >= TFTP_TIMEOUT_MIN && t->timeout <= TFTP_TIMEOUT_MAX);
	if (granted(t, TFTP_OPT_TIMEOUT))
		assert(t->timeout == asked->value[TFTP_OPT_TIMEOUT]);
	assert(t->rollover <= 1);
	if (p->opcode == TFTP_RRQ && p->req.mode == TFTP_NETASCII)
		assert(!granted(t, TFTP_OPT_TSIZE));
	n = tftp_build_oack(oack, sizeof oack, &t->oack);
	assert((n == 0) == (t->oack.mask == 0));
	if (n)
		oack_reads_back(oack, n, t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tftp_limits lim;
	struct tftp_packet p;
	struct tftp_transfer t;
	uint64_t file_size;
	enum tftp_cause c;

	if (size < HEAD)
		return 0;
	limits_from(data, &lim, &file_size);
	if (tftp_parse(data + HEAD, size - HEAD, &p) != TFTP_OK ||
	    (p.opcode != TFTP_RRQ && p.opcode != TFTP_WRQ))
		return 0;
	c = tftp_negotiate(&p.req, p.opcode, file_size, &lim, &t);
	if (c == TFTP_UPLOAD_TOO_LARGE) {
		assert(p.opcode == TFTP_WRQ && lim.max_upload &&
		       p.req.opts.value[TFTP_OPT_TSIZE] > lim.max_upload);
		return 0;
	}
	assert(c == TFTP_OK);
	check(&p, &lim, &t);
	return 0;
}
