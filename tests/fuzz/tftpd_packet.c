/* SPDX-License-Identifier: MIT */
/* tftpd_packet -- libFuzzer: tftp_parse on any datagram, and the packets
 * built from what it accepts.  libFuzzer hands over a copy of exactly size
 * bytes, so ASan catches any byte read past the packet. */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "packet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_request(const uint8_t *data, size_t size, const struct tftp_request *r)
{
	uint8_t oack[TFTP_OACK_MAX];
	const struct tftp_options *o = &r->opts;
	size_t n;

	assert((const uint8_t *)r->filename >= data + 2);
	assert((const uint8_t *)r->filename + r->filename_len < data + size);
	assert(r->filename_len > 0 && strlen(r->filename) == r->filename_len);
	assert(r->mode == TFTP_OCTET || r->mode == TFTP_NETASCII);
	assert(!(o->mask & ~((1u << TFTP_OPT_COUNT) - 1)));
	if (o->mask & 1u << TFTP_OPT_BLKSIZE)
		assert(o->value[TFTP_OPT_BLKSIZE] >= TFTP_BLKSIZE_MIN);
	if (o->mask & 1u << TFTP_OPT_TIMEOUT)
		assert(o->value[TFTP_OPT_TIMEOUT] >= 1 && o->value[TFTP_OPT_TIMEOUT] <= 255);
	if (o->mask & 1u << TFTP_OPT_WINDOWSIZE)
		assert(o->value[TFTP_OPT_WINDOWSIZE] >= 1);
	n = tftp_build_oack(oack, sizeof oack, o);
	assert((n == 0) == (o->mask == 0));
	assert(n <= sizeof oack);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tftp_packet p;
	enum tftp_cause c = tftp_parse(data, size, &p);
	uint8_t err[64];

	assert((unsigned)c < TFTP_CAUSE_COUNT);
	assert(tftp_build_error(err, sizeof err, tftp_cause_code(c), tftp_cause_message(c)) > 4);
	if (c != TFTP_OK)
		return 0;
	switch (p.opcode) {
	case TFTP_RRQ:
	case TFTP_WRQ:
		check_request(data, size, &p.req);
		break;
	case TFTP_DATA:
		assert(p.data.len == size - TFTP_HEADER && p.data.len <= TFTP_BLKSIZE_MAX);
		break;
	case TFTP_ERROR:
		assert(strlen(p.error.message) < size - TFTP_HEADER);
		break;
	case TFTP_ACK:
		assert(size >= TFTP_HEADER);
		break;
	default:
		assert(!"an OACK or unknown opcode accepted");
	}
	return 0;
}
