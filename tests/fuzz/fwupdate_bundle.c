/* SPDX-License-Identifier: MIT */
/* fwupdate_bundle -- libFuzzer: tfw_verify (app/fwupdate/verify.c) on any
 * bytes, and on a good bundle with the fuzzer's edits applied.
 *
 * Input byte 0 picks the mode:
 *   even  the rest is a bundle, as read from a file
 *   odd   the rest is a list of edits to a good bundle signed at start-up:
 *         (offset: 2 bytes, xor: 1 byte) each, the last byte of an odd
 *         remainder cutting that many bytes off the end (or adding them,
 *         when the xor of all edits is odd)
 * Whatever it is given, anything that verifies must be the good bundle's
 * header and payload: no edit gets past the signature. */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/sha256.h>

#include "bundle.h"
#include "sign.h"
#include "../unit/fixed_rng.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_PAYLOAD 4096

static uint8_t pub[TFW_PUBKEY_SIZE];
static uint8_t *good;
static size_t good_len;

static void init(void)
{
	static const uint8_t payload[] = "MZ a slot image, as small as can be";
	mbedtls_ecp_keypair key;
	uint64_t counter = 0;

	mbedtls_ecp_keypair_init(&key);
	good_len = TFW_HEADER_SIZE + sizeof payload + TFW_SIG_SIZE;
	good = malloc(good_len);
	assert(good);
	assert(tfw_keygen(&key, fixed_rng, &counter) == 0 && tfw_pubkey(&key, pub) == 0);
	memcpy(good + TFW_HEADER_SIZE, payload, sizeof payload);
	assert(tfw_sign(&key, fixed_rng, &counter, "pc_x86_64", "1.2.3", payload, sizeof payload,
			good, good + TFW_HEADER_SIZE + sizeof payload) == TFW_OK);
	mbedtls_ecp_keypair_free(&key);
}

static void check(const uint8_t *b, size_t len)
{
	struct tfw_header h;
	struct fw_version running = { 1, 2, 3 };
	struct tfw_trust trust = { (const uint8_t (*)[TFW_PUBKEY_SIZE])pub, 1, NULL, 0 };
	enum tfw_err err = tfw_verify(b, len, MAX_PAYLOAD, &trust, &h);

	assert(err < TFW_ERR_COUNT && tfw_strerror(err));
	if (err == TFW_OK) {
		assert(len == good_len);
		assert(memcmp(b, good, good_len - TFW_SIG_SIZE) == 0);
		assert(tfw_check_target(&h, "pc_x86_64", &running, &running, 0) == TFW_OK);
	}
	/* A header the parser takes is one the encoder writes back. */
	if (tfw_header_parse(b, len, UINT64_MAX, &h) == TFW_OK) {
		uint8_t again[TFW_HEADER_SIZE];
		tfw_header_encode(&h, again);
		assert(memcmp(again, b, TFW_HEADER_SIZE) == 0);
		assert(h.payload_len == len - TFW_HEADER_SIZE - TFW_SIG_SIZE);
		assert(tfw_board_valid(h.board) == 0);
	}
}

static void edited(const uint8_t *e, size_t n)
{
	size_t cut = 0, len = good_len;
	uint8_t all = 0;

	if (n % 3) {
		cut = e[n - 1];
		n -= n % 3;
	}
	for (size_t i = 0; i < n; i += 3)
		all ^= e[i + 2];
	size_t room = len + 256;
	uint8_t *b = calloc(1, room);
	assert(b);
	memcpy(b, good, good_len);
	for (size_t i = 0; i < n; i += 3) {
		size_t off = ((size_t)e[i] << 8 | e[i + 1]) % good_len;
		b[off] ^= e[i + 2];
	}
	if (all & 1)
		len += cut;
	else
		len -= cut < len ? cut : len;
	/* Exactly len bytes, so ASan sees a read past the end. */
	uint8_t *t = malloc(len ? len : 1);
	assert(t);
	memcpy(t, b, len);
	check(t, len);
	free(t);
	free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!good)
		init();
	if (size == 0)
		return 0;
	if (data[0] & 1) {
		edited(data + 1, size - 1);
	} else {
		uint8_t *t = malloc(size - 1 ? size - 1 : 1);
		assert(t);
		memcpy(t, data + 1, size - 1);
		check(t, size - 1);
		free(t);
	}
	return 0;
}
