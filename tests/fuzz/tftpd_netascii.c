/* SPDX-License-Identifier: MIT */
/* tftpd_netascii -- libFuzzer: netascii both ways.  Input: a byte of
 * blksize, a byte choosing a block and a cut, then the bytes.  Encoding
 * them in blocks and decoding those blocks gives them back; any block made
 * again from its saved state is the same; and decoding any bytes in two
 * pieces is decoding them in one. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "netascii.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void round_trip(const uint8_t *in, size_t len, size_t blksize, unsigned pick)
{
	size_t max_blocks = 2 * len / blksize + 2, blocks = 0, netlen = 0, n, back_len = 0;
	struct netascii_enc e = NETASCII_ENC_START, *st = malloc(max_blocks * sizeof *st);
	struct netascii_dec d = { false };
	uint8_t *net = malloc(2 * len + 1), *back = malloc(2 * len + 2), again[256];

	do {
		assert(blocks < max_blocks);
		st[blocks++] = e;
		n = netascii_encode(&e, in + e.offset, len - e.offset, net + netlen, blksize);
		back_len += netascii_decode(&d, net + netlen, n, back + back_len);
		netlen += n;
	} while (n == blksize);
	back_len += netascii_decode_end(&d, back + back_len);
	assert(e.offset == len && e.owed == -1);
	assert(back_len == len && memcmp(back, in, len) == 0);
	pick %= blocks;
	e = st[pick];
	n = netascii_encode(&e, in + e.offset, len - e.offset, again, blksize);
	assert(n == (pick + 1 < blocks ? blksize : netlen - pick * blksize));
	assert(memcmp(again, net + pick * blksize, n) == 0);
	free(st);
	free(net);
	free(back);
}

static void split_decode(const uint8_t *in, size_t len, size_t cut)
{
	struct netascii_dec d1 = { false }, d2 = { false };
	uint8_t *one = malloc(len + 1), *two = malloc(len + 2);
	size_t n1 = netascii_decode(&d1, in, len, one), n2;

	n1 += netascii_decode_end(&d1, one + n1);
	n2 = netascii_decode(&d2, in, cut, two);
	n2 += netascii_decode(&d2, in + cut, len - cut, two + n2);
	n2 += netascii_decode_end(&d2, two + n2);
	assert(n1 == n2 && n1 <= len && memcmp(one, two, n1) == 0);
	free(one);
	free(two);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	round_trip(data + 2, size - 2, (size_t)data[0] + 1, data[1]);
	split_decode(data + 2, size - 2, data[1] % (size - 1));
	return 0;
}
