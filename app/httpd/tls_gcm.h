/* SPDX-License-Identifier: MIT */
/* tls_gcm.h -- AES-GCM encryption on the CPU's AES-NI and PCLMULQDQ,
 * for the records httpd sends over TLS.
 *
 * mbedtls 2.28 encrypts a block at a time (an AES-NI call and a GHASH
 * multiply with its reduction for every 16 bytes, through its cipher
 * layer): about 4 CPU seconds a GiB on the reference machine, against
 * OpenSSL's 0.3.  Here four counter blocks go through the AES rounds side
 * by side and their GHASH takes one reduction: the bulk of a response,
 * which is all httpd encrypts itself, costs a fraction of that.  The handshake, decryption and
 * every other record stay mbedtls's.  Pure: bytes in, bytes out; the
 * caller checks the CPU has the instructions (tls.c, by mbedtls's own
 * check) before calling anything here.
 */
#ifndef TERN_HTTPD_TLS_GCM_H
#define TERN_HTTPD_TLS_GCM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gcm_key {
	_Alignas(16) unsigned char rk[15][16]; /* AES round keys */
	_Alignas(16) unsigned char h[4][16];   /* GHASH's H, H^2, H^3, H^4, byte-reversed */
	unsigned rounds;                       /* 10 (AES-128) or 14 (AES-256) */
};

/* Whether this build has the code (x86-64); the CPU is checked apart. */
bool gcm_built(void);
/* key: 16 or 32 bytes. */
void gcm_setkey(struct gcm_key *k, const unsigned char *key, size_t len);
/* Encrypt in (len bytes) into out with the 12-byte nonce and the
 * additional data aad; the 16-byte tag into tag.  in and out may be the
 * same buffer. */
void gcm_seal(const struct gcm_key *k, const unsigned char nonce[12], const unsigned char *aad,
	      size_t aad_len, const unsigned char *in, size_t len, unsigned char *out,
	      unsigned char tag[16]);

#endif
