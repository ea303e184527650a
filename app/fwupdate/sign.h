/* SPDX-License-Identifier: MIT */
/* sign.h -- making bundles: a P-256 key pair and the signature.  Used by
 * the host tool (app/tfw/main.c) and the tests; fwupdate itself only
 * verifies (the linker's --gc-sections leaves this out of it). */
#ifndef TERN_SIGN_H
#define TERN_SIGN_H

#include <mbedtls/ecp.h>

#include "bundle.h"

typedef int (*tfw_rng)(void *ctx, unsigned char *out, size_t len);

/* A new P-256 key pair; 0 or an mbedtls error. */
int tfw_keygen(mbedtls_ecp_keypair *key, tfw_rng rng, void *rng_ctx);
/* key's public point, uncompressed (0x04, X, Y); 0 or -1 if key is not a
 * P-256 key. */
int tfw_pubkey(const mbedtls_ecp_keypair *key, uint8_t out[TFW_PUBKEY_SIZE]);

/* The header and signature of a bundle of payload (len bytes) for board
 * and version, signed by key (deterministic ECDSA, RFC 6979: the same
 * inputs make the same bundle; rng only blinds the computation).
 * TFW_OK, TFW_ERR_BOARD_FIELD, TFW_ERR_VERSION_FIELD, TFW_ERR_EMPTY,
 * TFW_ERR_PUBKEY (key is not P-256) or TFW_ERR_SIGNATURE (mbedtls failed). */
enum tfw_err tfw_sign(const mbedtls_ecp_keypair *key, tfw_rng rng, void *rng_ctx,
		      const char *board, const char *version,
		      const uint8_t *payload, uint64_t len,
		      uint8_t header[TFW_HEADER_SIZE], uint8_t sig[TFW_SIG_SIZE]);

/* The signature of a SHA-256 sum: r then s, 32 bytes each.  TFW_OK or
 * TFW_ERR_SIGNATURE. */
enum tfw_err tfw_sign_digest(const mbedtls_ecp_keypair *key, tfw_rng rng, void *rng_ctx,
			     const uint8_t sum[32], uint8_t sig[TFW_SIG_SIZE]);

#endif
