/* SPDX-License-Identifier: MIT */
/* tftpd_netascii -- netascii (app/tftpd/netascii.c): LF and CR expanded
 * block by block with expansions cut at block ends, any block made again
 * from its saved state, and the decoder over every split. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "netascii.h"

#define BYTES(s) (const uint8_t *)s, sizeof s - 1

/* The netascii form of in, made in blocks of blksize (each block's
 * encoder state saved in st[], when given); returns its length. */
static size_t encode_blocks(const uint8_t *in, size_t len, size_t blksize, uint8_t *out,
			    struct netascii_enc *st, size_t *blocks)
{
	struct netascii_enc e = NETASCII_ENC_START;
	size_t total = 0, n, b = 0;

	do {
		if (st)
			st[b] = e;
		n = netascii_encode(&e, in + e.offset, len - e.offset, out + total, blksize);
		total += n;
		b++;
	} while (n == blksize);
	if (blocks)
		*blocks = b;
	return total;
}

static size_t decode_all(const uint8_t *in, size_t len, uint8_t *out)
{
	struct netascii_dec d = { false };
	size_t n = netascii_decode(&d, in, len, out);

	return n + netascii_decode_end(&d, out + n);
}

static void line_ends_are_expanded(void **state)
{
	uint8_t out[32];

	(void)state;
	assert_int_equal(encode_blocks(BYTES("a\nb\rc\r\n"), 512, out, NULL, NULL), 11);
	assert_memory_equal(out, "a\r\nb\r\0c\r\0\r\n", 11);
	assert_int_equal(encode_blocks(BYTES(""), 512, out, NULL, NULL), 0);
	assert_int_equal(encode_blocks(BYTES("plain"), 512, out, NULL, NULL), 5);
}

static void line_ends_are_restored(void **state)
{
	uint8_t out[32];

	(void)state;
	assert_int_equal(decode_all(BYTES("a\r\nb\r\0c\r\0\r\n"), out), 7);
	assert_memory_equal(out, "a\nb\rc\r\n", 7);
}

static void decoder_keeps_what_is_not_netascii(void **state)
{
	uint8_t out[32];

	(void)state;
	assert_int_equal(decode_all(BYTES("a\rb"), out), 3); /* CR before other */
	assert_memory_equal(out, "a\rb", 3);
	assert_int_equal(decode_all(BYTES("a\n"), out), 2); /* bare LF */
	assert_memory_equal(out, "a\n", 2);
	assert_int_equal(decode_all(BYTES("\r\r\n"), out), 2);
	assert_memory_equal(out, "\r\n", 2);
	assert_int_equal(decode_all(BYTES("end\r"), out), 4); /* CR last */
	assert_memory_equal(out, "end\r", 4);
	assert_int_equal(decode_all(BYTES("\0"), out), 1);
	assert_int_equal(out[0], 0);
}

/* The CR of CR LF ends block 1, the LF begins block 2. */
static void cr_lf_cut_by_a_block_end(void **state)
{
	struct netascii_enc e = NETASCII_ENC_START;
	const uint8_t *in = (const uint8_t *)"abc\ndef";
	uint8_t out[4];

	(void)state;
	assert_int_equal(netascii_encode(&e, in, 7, out, 4), 4);
	assert_memory_equal(out, "abc\r", 4);
	assert_int_equal(e.offset, 4);
	assert_int_equal(e.owed, '\n');
	assert_int_equal(netascii_encode(&e, in + e.offset, 7 - e.offset, out, 4), 4);
	assert_memory_equal(out, "\ndef", 4);
	assert_int_equal(e.owed, -1);
	assert_int_equal(netascii_encode(&e, in + e.offset, 7 - e.offset, out, 4), 0);
}

/* A file ending in CR whose NUL falls in a block of its own. */
static void cr_nul_owed_after_the_last_byte(void **state)
{
	uint8_t out[8];
	size_t blocks;

	(void)state;
	assert_int_equal(encode_blocks(BYTES("x\r"), 2, out, NULL, &blocks), 3);
	assert_memory_equal(out, "x\r\0", 3);
	assert_int_equal(blocks, 2);
}

/* A netascii form that fills its last block exactly is followed by an
 * empty block, as for octet. */
static void exact_multiple_ends_with_an_empty_block(void **state)
{
	uint8_t out[8];
	size_t blocks;

	(void)state;
	assert_int_equal(encode_blocks(BYTES("ab\n"), 2, out, NULL, &blocks), 4);
	assert_int_equal(blocks, 3);
}

static void one_byte_blocks(void **state)
{
	uint8_t out[16];
	size_t blocks;

	(void)state;
	assert_int_equal(encode_blocks(BYTES("\n\r\n"), 1, out, NULL, &blocks), 6);
	assert_memory_equal(out, "\r\n\r\0\r\n", 6);
	assert_int_equal(blocks, 7);
}

static const uint8_t sample[] = "line one\r\nline two\nCR alone\rthen\n\n\r\r\n\rtail\r";

/* Any block, made again from the state saved when it was first made, is
 * the same bytes: what a retransmission or a window resend needs. */
static void any_block_can_be_made_again(void **state)
{
	uint8_t whole[2 * sizeof sample], again[16];
	struct netascii_enc st[2 * sizeof sample];

	(void)state;
	for (size_t blksize = 1; blksize <= 9; blksize++) {
		size_t blocks, len = encode_blocks(sample, sizeof sample - 1, blksize, whole, st, &blocks);
		for (size_t b = blocks; b-- > 0;) {
			struct netascii_enc e = st[b];
			size_t n = netascii_encode(&e, sample + e.offset, sizeof sample - 1 - e.offset,
						   again, blksize);
			size_t want = b * blksize + blksize <= len ? blksize : len - b * blksize;
			assert_int_equal(n, want);
			assert_memory_equal(again, whole + b * blksize, n);
			if (b + 1 < blocks) {
				assert_true(e.offset == st[b + 1].offset);
				assert_int_equal(e.owed, st[b + 1].owed);
			}
		}
	}
}

static void blocks_make_the_same_bytes_as_one_piece(void **state)
{
	uint8_t one[2 * sizeof sample], blocks[2 * sizeof sample];
	size_t len = encode_blocks(sample, sizeof sample - 1, sizeof one, one, NULL, NULL);

	(void)state;
	for (size_t blksize = 1; blksize < len + 2; blksize++) {
		assert_int_equal(encode_blocks(sample, sizeof sample - 1, blksize, blocks, NULL, NULL), len);
		assert_memory_equal(blocks, one, len);
	}
}

/* Decoding in two pieces cut anywhere gives what decoding in one does. */
static void decoder_over_every_split(void **state)
{
	uint8_t net[2 * sizeof sample], one[2 * sizeof sample], two[2 * sizeof sample + 2];
	size_t len = encode_blocks(sample, sizeof sample - 1, 512, net, NULL, NULL);
	size_t n1 = decode_all(net, len, one);

	(void)state;
	assert_int_equal(n1, sizeof sample - 1);
	assert_memory_equal(one, sample, n1);
	for (size_t cut = 0; cut <= len; cut++) {
		struct netascii_dec d = { false };
		size_t n = netascii_decode(&d, net, cut, two);
		n += netascii_decode(&d, net + cut, len - cut, two + n);
		n += netascii_decode_end(&d, two + n);
		assert_int_equal(n, n1);
		assert_memory_equal(two, one, n);
	}
}

/* Random files (fixed seed) come back byte for byte through encode in
 * random block sizes and decode in those blocks. */
static void random_files_round_trip(void **state)
{
	enum { LEN = 3000 };
	uint8_t *in = malloc(LEN), *net = malloc(2 * LEN), *back = malloc(2 * LEN + 1);
	unsigned seed = 1;

	(void)state;
	for (int round = 0; round < 200; round++) {
		size_t len = (size_t)rand_r(&seed) % LEN, blksize = 1 + (size_t)rand_r(&seed) % 600;
		size_t netlen, blocks, n = 0;
		struct netascii_dec d = { false };
		for (size_t i = 0; i < len; i++) {
			static const uint8_t pick[] = { '\r', '\n', '\0', 'a', 0xff };
			in[i] = pick[rand_r(&seed) % sizeof pick];
		}
		netlen = encode_blocks(in, len, blksize, net, NULL, &blocks);
		assert_int_equal(blocks, netlen / blksize + 1);
		for (size_t off = 0; off < netlen; off += blksize)
			n += netascii_decode(&d, net + off, netlen - off < blksize ? netlen - off : blksize,
					     back + n);
		n += netascii_decode_end(&d, back + n);
		assert_int_equal(n, len);
		assert_memory_equal(back, in, len);
	}
	free(in);
	free(net);
	free(back);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(line_ends_are_expanded),
		cmocka_unit_test(line_ends_are_restored),
		cmocka_unit_test(decoder_keeps_what_is_not_netascii),
		cmocka_unit_test(cr_lf_cut_by_a_block_end),
		cmocka_unit_test(cr_nul_owed_after_the_last_byte),
		cmocka_unit_test(exact_multiple_ends_with_an_empty_block),
		cmocka_unit_test(one_byte_blocks),
		cmocka_unit_test(any_block_can_be_made_again),
		cmocka_unit_test(blocks_make_the_same_bytes_as_one_piece),
		cmocka_unit_test(decoder_over_every_split),
		cmocka_unit_test(random_files_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
