/* SPDX-License-Identifier: MIT */
/* sign.c -- key pairs and signatures for the host tool and the tests. */
#include <string.h>

#include <mbedtls/ecdsa.h>
#include <mbedtls/sha256.h>

#include "sign.h"

int tfw_keygen(mbedtls_ecp_keypair *key, tfw_rng rng, void *rng_ctx)
{
	return mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, key, rng, rng_ctx);
}

int tfw_pubkey(const mbedtls_ecp_keypair *key, uint8_t out[TFW_PUBKEY_SIZE])
{
	size_t n;

	if (key->grp.id != MBEDTLS_ECP_DP_SECP256R1 ||
	    mbedtls_ecp_point_write_binary(&key->grp, &key->Q, MBEDTLS_ECP_PF_UNCOMPRESSED,
					   &n, out, TFW_PUBKEY_SIZE) || n != TFW_PUBKEY_SIZE)
		return -1;
	return 0;
}

static void sha256_two(const uint8_t *a, size_t alen, const uint8_t *b, uint64_t blen,
		       uint8_t out[32])
{
	mbedtls_sha256_context c;

	mbedtls_sha256_init(&c);
	mbedtls_sha256_starts_ret(&c, 0);
	mbedtls_sha256_update_ret(&c, a, alen);
	mbedtls_sha256_update_ret(&c, b, blen);
	mbedtls_sha256_finish_ret(&c, out);
	mbedtls_sha256_free(&c);
}

enum tfw_err tfw_sign_digest(const mbedtls_ecp_keypair *key, tfw_rng rng, void *rng_ctx,
			     const uint8_t sum[32], uint8_t sig[TFW_SIG_SIZE])
{
	mbedtls_ecp_group grp;
	mbedtls_mpi r, s;
	enum tfw_err err = TFW_ERR_SIGNATURE;

	/* The key's own group is const; signing wants a mutable one. */
	mbedtls_ecp_group_init(&grp);
	mbedtls_mpi_init(&r);
	mbedtls_mpi_init(&s);
	if (mbedtls_ecp_group_load(&grp, MBEDTLS_ECP_DP_SECP256R1) == 0 &&
	    mbedtls_ecdsa_sign_det_ext(&grp, &r, &s, &key->d, sum, 32,
				       MBEDTLS_MD_SHA256, rng, rng_ctx) == 0 &&
	    mbedtls_mpi_write_binary(&r, sig, 32) == 0 &&
	    mbedtls_mpi_write_binary(&s, sig + 32, 32) == 0)
		err = TFW_OK;
	mbedtls_mpi_free(&r);
	mbedtls_mpi_free(&s);
	mbedtls_ecp_group_free(&grp);
	return err;
}

enum tfw_err tfw_sign(const mbedtls_ecp_keypair *key, tfw_rng rng, void *rng_ctx,
		      const char *board, const char *version,
		      const uint8_t *payload, uint64_t len,
		      uint8_t header[TFW_HEADER_SIZE], uint8_t sig[TFW_SIG_SIZE])
{
	struct tfw_header h = { .payload_len = len };
	uint8_t pub[TFW_PUBKEY_SIZE], sum[32];

	if (tfw_board_valid(board))
		return TFW_ERR_BOARD_FIELD;
	if (strlen(version) >= sizeof h.version || fw_version_parse(version, &h.v))
		return TFW_ERR_VERSION_FIELD;
	if (!len)
		return TFW_ERR_EMPTY;
	if (tfw_pubkey(key, pub))
		return TFW_ERR_PUBKEY;
	strcpy(h.board, board);
	strcpy(h.version, version);
	tfw_key_id(pub, h.key_id);
	sha256_two(payload, len, NULL, 0, h.digest);
	tfw_header_encode(&h, header);
	sha256_two(header, TFW_HEADER_SIZE, payload, len, sum);

	return tfw_sign_digest(key, rng, rng_ctx, sum, sig);
}
