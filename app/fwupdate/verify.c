/* SPDX-License-Identifier: MIT */
/* verify.c -- a whole bundle checked with mbedtls: SHA-256 of the payload,
 * ECDSA P-256 signature over header and payload. */
#include <string.h>

#include <mbedtls/ecdsa.h>
#include <mbedtls/sha256.h>

#include "bundle.h"

void tfw_key_id(const uint8_t pubkey[TFW_PUBKEY_SIZE], uint8_t id[TFW_KEY_ID_SIZE])
{
	uint8_t sum[32];

	mbedtls_sha256_ret(pubkey, TFW_PUBKEY_SIZE, sum, 0);
	memcpy(id, sum, TFW_KEY_ID_SIZE);
}

/* Both hashes in one pass over the payload: the payload's own, and the
 * signed one of header and payload. */
static void hash_bundle(const uint8_t *buf, uint64_t payload_len,
			uint8_t payload_sum[32], uint8_t signed_sum[32])
{
	mbedtls_sha256_context p, s;
	const uint8_t *payload = buf + TFW_HEADER_SIZE;
	const size_t chunk = 64 * 1024;

	mbedtls_sha256_init(&p);
	mbedtls_sha256_init(&s);
	mbedtls_sha256_starts_ret(&p, 0);
	mbedtls_sha256_starts_ret(&s, 0);
	mbedtls_sha256_update_ret(&s, buf, TFW_HEADER_SIZE);
	for (uint64_t off = 0; off < payload_len; off += chunk) {
		size_t n = payload_len - off < chunk ? (size_t)(payload_len - off) : chunk;
		mbedtls_sha256_update_ret(&p, payload + off, n);
		mbedtls_sha256_update_ret(&s, payload + off, n);
	}
	mbedtls_sha256_finish_ret(&p, payload_sum);
	mbedtls_sha256_finish_ret(&s, signed_sum);
	mbedtls_sha256_free(&p);
	mbedtls_sha256_free(&s);
}

static enum tfw_err check_signature(const uint8_t pubkey[TFW_PUBKEY_SIZE],
				    const uint8_t sum[32], const uint8_t sig[TFW_SIG_SIZE])
{
	mbedtls_ecp_group grp;
	mbedtls_ecp_point q;
	mbedtls_mpi r, s;
	enum tfw_err err = TFW_ERR_PUBKEY;

	mbedtls_ecp_group_init(&grp);
	mbedtls_ecp_point_init(&q);
	mbedtls_mpi_init(&r);
	mbedtls_mpi_init(&s);
	if (mbedtls_ecp_group_load(&grp, MBEDTLS_ECP_DP_SECP256R1) ||
	    mbedtls_ecp_point_read_binary(&grp, &q, pubkey, TFW_PUBKEY_SIZE) ||
	    mbedtls_ecp_check_pubkey(&grp, &q))
		goto out;
	err = TFW_ERR_SIGNATURE;
	if (mbedtls_mpi_read_binary(&r, sig, 32) || mbedtls_mpi_read_binary(&s, sig + 32, 32))
		goto out;
	if (mbedtls_ecdsa_verify(&grp, sum, 32, &q, &r, &s) == 0)
		err = TFW_OK;
out:
	mbedtls_mpi_free(&r);
	mbedtls_mpi_free(&s);
	mbedtls_ecp_point_free(&q);
	mbedtls_ecp_group_free(&grp);
	return err;
}

const uint8_t *tfw_trust_find(const struct tfw_trust *t, const uint8_t id[TFW_KEY_ID_SIZE],
			      enum tfw_err *err)
{
	uint8_t kid[TFW_KEY_ID_SIZE];

	/* Revoked first: a revoked key stays refused while it is trusted. */
	for (size_t i = 0; i < t->nrevoked; i++)
		if (!memcmp(t->revoked[i], id, TFW_KEY_ID_SIZE)) {
			*err = TFW_ERR_REVOKED;
			return NULL;
		}
	for (size_t i = 0; i < t->nkeys; i++) {
		tfw_key_id(t->keys[i], kid);
		if (!memcmp(kid, id, sizeof kid))
			return t->keys[i];
	}
	*err = TFW_ERR_KEY;
	return NULL;
}

enum tfw_err tfw_verify(const uint8_t *buf, size_t len, uint64_t max_payload,
			const struct tfw_trust *trust, struct tfw_header *h)
{
	uint8_t payload_sum[32], signed_sum[32];
	const uint8_t *pubkey;
	enum tfw_err err = tfw_header_parse(buf, len, max_payload, h);

	if (err != TFW_OK)
		return err;
	if (!(pubkey = tfw_trust_find(trust, h->key_id, &err)))
		return err;
	hash_bundle(buf, h->payload_len, payload_sum, signed_sum);
	/* The digest first: a changed payload is then reported as such, a
	 * changed header as a bad signature. */
	if (memcmp(payload_sum, h->digest, sizeof payload_sum))
		return TFW_ERR_DIGEST;
	return check_signature(pubkey, signed_sum, buf + TFW_HEADER_SIZE + h->payload_len);
}
