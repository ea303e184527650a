/* SPDX-License-Identifier: MIT */
/* httpd_tls_gcm -- httpd's AES-GCM (app/httpd/tls_gcm.c) against a known
 * answer (NIST's GCM test case 4: AES-128, 60 bytes, 20 of additional data)
 * and against mbedtls's GCM for both key sizes, every length around the
 * four-block stride and a whole TLS record, in place and not.  Skipped on
 * a CPU without AES-NI and PCLMULQDQ (tls.c never calls it there). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <mbedtls/aesni.h>
#include <mbedtls/gcm.h>

#include "tls_gcm.h"

static bool usable(void)
{
	return gcm_built() && mbedtls_aesni_has_support(MBEDTLS_AESNI_AES) &&
	       mbedtls_aesni_has_support(MBEDTLS_AESNI_CLMUL);
}

static void unhex(const char *s, unsigned char *out)
{
	for (size_t i = 0; s[2 * i]; i++) {
		unsigned v;

		sscanf(s + 2 * i, "%2x", &v);
		out[i] = (unsigned char)v;
	}
}

static void nist_case_4(void **state)
{
	unsigned char key[16], iv[12], p[60], aad[20], c[60], want[60], tag[16], want_tag[16];
	struct gcm_key k;

	(void)state;
	if (!usable())
		skip();
	unhex("feffe9928665731c6d6a8f9467308308", key);
	unhex("cafebabefacedbaddecaf888", iv);
	unhex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95"
	      "956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39", p);
	unhex("feedfacedeadbeeffeedfacedeadbeefabaddad2", aad);
	unhex("42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b2"
	      "5466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091", want);
	unhex("5bc94fbc3221a5db94fae95ae7121a47", want_tag);
	gcm_setkey(&k, key, sizeof key);
	gcm_seal(&k, iv, aad, sizeof aad, p, sizeof p, c, tag);
	assert_memory_equal(c, want, sizeof want);
	assert_memory_equal(tag, want_tag, sizeof tag);
}

static void fill(unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)((i * 131 + seed * 7919 + (i >> 8)) ^ (seed >> 3));
}

static void same_as_mbedtls(void **state)
{
	static const size_t lens[] = { 0, 1, 15, 16, 17, 31, 48, 63, 64, 65, 127, 128, 129, 200,
				       1000, 16383, 16384 };
	static unsigned char in[16384], ours[16384], theirs[16384];
	unsigned char key[32], iv[12], aad[13], tag[16], their_tag[16];

	(void)state;
	if (!usable())
		skip();
	for (size_t kl = 16; kl <= 32; kl += 16) {
		for (size_t i = 0; i < sizeof lens / sizeof *lens; i++) {
			size_t n = lens[i];
			mbedtls_gcm_context g;
			struct gcm_key k;

			fill(key, kl, (unsigned)(n + kl));
			fill(iv, sizeof iv, (unsigned)n * 3);
			fill(aad, sizeof aad, (unsigned)n * 5);
			fill(in, n, (unsigned)n);
			mbedtls_gcm_init(&g);
			assert_int_equal(mbedtls_gcm_setkey(&g, MBEDTLS_CIPHER_ID_AES, key,
							    (unsigned)kl * 8), 0);
			assert_int_equal(mbedtls_gcm_crypt_and_tag(&g, MBEDTLS_GCM_ENCRYPT, n, iv,
								   sizeof iv, aad, sizeof aad, in,
								   theirs, 16, their_tag), 0);
			mbedtls_gcm_free(&g);
			gcm_setkey(&k, key, kl);
			gcm_seal(&k, iv, aad, sizeof aad, in, n, ours, tag);
			if (n)
				assert_memory_equal(ours, theirs, n);
			assert_memory_equal(tag, their_tag, sizeof tag);
			memcpy(ours, in, n); /* in place */
			gcm_seal(&k, iv, aad, sizeof aad, ours, n, ours, tag);
			if (n)
				assert_memory_equal(ours, theirs, n);
			assert_memory_equal(tag, their_tag, sizeof tag);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nist_case_4),
		cmocka_unit_test(same_as_mbedtls),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
