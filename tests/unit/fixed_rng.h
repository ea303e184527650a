/* SPDX-License-Identifier: MIT */
/* fixed_rng.h -- the random number generator of the bundle tests and
 * fuzzer: SHA-256 of a counter, so every run makes the same keys (and the
 * fuzzer's seed corpus stays signed by its key).  Never for real keys. */
#ifndef TERN_FIXED_RNG_H
#define TERN_FIXED_RNG_H

#include <stdint.h>
#include <string.h>

#include <mbedtls/sha256.h>

/* A tfw_rng: ctx is the uint64_t counter. */
static inline int fixed_rng(void *ctx, unsigned char *out, size_t len)
{
	uint64_t *counter = ctx;
	uint8_t block[32];

	while (len) {
		size_t n = len < sizeof block ? len : sizeof block;
		(*counter)++;
		mbedtls_sha256_ret((const uint8_t *)counter, sizeof *counter, block, 0);
		memcpy(out, block, n);
		out += n;
		len -= n;
	}
	return 0;
}

#endif
