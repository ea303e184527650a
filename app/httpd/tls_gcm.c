/* SPDX-License-Identifier: MIT */
/* tls_gcm.c -- AES-GCM encryption with AES-NI and PCLMULQDQ; see tls_gcm.h.
 * GHASH's multiply is the one of Intel's white paper "Intel Carry-Less
 * Multiplication Instruction and its Usage for Computing the GCM Mode"
 * (Gueron, Kounavis), on byte-reversed blocks. */
#include "tls_gcm.h"

#include <string.h>

#if defined(__x86_64__)

#include <immintrin.h>

#define ISA __attribute__((target("aes,pclmul,ssse3,sse4.1")))

bool gcm_built(void)
{
	return true;
}

static ISA __m128i bswap(__m128i x)
{
	return _mm_shuffle_epi8(x, _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
}

/* One step of the key schedule: k with the word t (from aeskeygenassist,
 * already broadcast) folded in. */
static ISA __m128i schedule(__m128i k, __m128i t)
{
	k = _mm_xor_si128(k, _mm_slli_si128(k, 4));
	k = _mm_xor_si128(k, _mm_slli_si128(k, 4));
	k = _mm_xor_si128(k, _mm_slli_si128(k, 4));
	return _mm_xor_si128(k, t);
}

#define NEXT(prev, last, rcon) \
	schedule(prev, _mm_shuffle_epi32(_mm_aeskeygenassist_si128(last, rcon), 0xff))
#define NEXT_B(prev, last) \
	schedule(prev, _mm_shuffle_epi32(_mm_aeskeygenassist_si128(last, 0), 0xaa))

/* The rounds are written out, not looped: _mm_aeskeygenassist_si128
 * takes its round constant as an immediate, which a loop cannot give. */
static ISA void expand(struct gcm_key *k, const unsigned char *key, size_t len)
{
	__m128i r[15];

	r[0] = _mm_loadu_si128((const __m128i *)key);
	if (len == 16) {
		r[1] = NEXT(r[0], r[0], 0x01);
		r[2] = NEXT(r[1], r[1], 0x02);
		r[3] = NEXT(r[2], r[2], 0x04);
		r[4] = NEXT(r[3], r[3], 0x08);
		r[5] = NEXT(r[4], r[4], 0x10);
		r[6] = NEXT(r[5], r[5], 0x20);
		r[7] = NEXT(r[6], r[6], 0x40);
		r[8] = NEXT(r[7], r[7], 0x80);
		r[9] = NEXT(r[8], r[8], 0x1b);
		r[10] = NEXT(r[9], r[9], 0x36);
		k->rounds = 10;
	} else {
		r[1] = _mm_loadu_si128((const __m128i *)(key + 16));
		r[2] = NEXT(r[0], r[1], 0x01);
		r[3] = NEXT_B(r[1], r[2]);
		r[4] = NEXT(r[2], r[3], 0x02);
		r[5] = NEXT_B(r[3], r[4]);
		r[6] = NEXT(r[4], r[5], 0x04);
		r[7] = NEXT_B(r[5], r[6]);
		r[8] = NEXT(r[6], r[7], 0x08);
		r[9] = NEXT_B(r[7], r[8]);
		r[10] = NEXT(r[8], r[9], 0x10);
		r[11] = NEXT_B(r[9], r[10]);
		r[12] = NEXT(r[10], r[11], 0x20);
		r[13] = NEXT_B(r[11], r[12]);
		r[14] = NEXT(r[12], r[13], 0x40);
		k->rounds = 14;
	}
	for (unsigned i = 0; i <= k->rounds; i++)
		_mm_store_si128((__m128i *)k->rk[i], r[i]);
}

static ISA __m128i encrypt_block(const struct gcm_key *k, __m128i b)
{
	b = _mm_xor_si128(b, _mm_load_si128((const __m128i *)k->rk[0]));
	for (unsigned i = 1; i < k->rounds; i++)
		b = _mm_aesenc_si128(b, _mm_load_si128((const __m128i *)k->rk[i]));
	return _mm_aesenclast_si128(b, _mm_load_si128((const __m128i *)k->rk[k->rounds]));
}

/* The white paper's gfmul (a * b in GF(2^128), both byte-reversed) in
 * two halves: the 256-bit carry-less product added into *lo, *hi, and its
 * reduction.  Both are linear, so four products summed take one
 * reduction (the paper's aggregated reduction). */
static ISA void clmul_add(__m128i a, __m128i b, __m128i *lo, __m128i *hi)
{
	__m128i mid = _mm_xor_si128(_mm_clmulepi64_si128(a, b, 0x10),
				    _mm_clmulepi64_si128(a, b, 0x01));

	*lo = _mm_xor_si128(*lo, _mm_xor_si128(_mm_clmulepi64_si128(a, b, 0x00),
					       _mm_slli_si128(mid, 8)));
	*hi = _mm_xor_si128(*hi, _mm_xor_si128(_mm_clmulepi64_si128(a, b, 0x11),
					       _mm_srli_si128(mid, 8)));
}

static ISA __m128i reduce(__m128i t3, __m128i t6)
{
	__m128i t2, t4, t5, t7, t8, t9;

	/* the 256-bit product shifted left by one */
	t7 = _mm_srli_epi32(t3, 31);
	t8 = _mm_srli_epi32(t6, 31);
	t3 = _mm_slli_epi32(t3, 1);
	t6 = _mm_slli_epi32(t6, 1);
	t9 = _mm_srli_si128(t7, 12);
	t8 = _mm_slli_si128(t8, 4);
	t7 = _mm_slli_si128(t7, 4);
	t3 = _mm_or_si128(t3, t7);
	t6 = _mm_or_si128(t6, t8);
	t6 = _mm_or_si128(t6, t9);
	/* reduced modulo x^128 + x^7 + x^2 + x + 1 */
	t7 = _mm_slli_epi32(t3, 31);
	t8 = _mm_slli_epi32(t3, 30);
	t9 = _mm_slli_epi32(t3, 25);
	t7 = _mm_xor_si128(t7, t8);
	t7 = _mm_xor_si128(t7, t9);
	t8 = _mm_srli_si128(t7, 4);
	t7 = _mm_slli_si128(t7, 12);
	t3 = _mm_xor_si128(t3, t7);
	t2 = _mm_srli_epi32(t3, 1);
	t4 = _mm_srli_epi32(t3, 2);
	t5 = _mm_srli_epi32(t3, 7);
	t2 = _mm_xor_si128(t2, t4);
	t2 = _mm_xor_si128(t2, t5);
	t2 = _mm_xor_si128(t2, t8);
	t3 = _mm_xor_si128(t3, t2);
	return _mm_xor_si128(t6, t3);
}

static ISA __m128i gfmul(__m128i a, __m128i b)
{
	__m128i lo = _mm_setzero_si128(), hi = _mm_setzero_si128();

	clmul_add(a, b, &lo, &hi);
	return reduce(lo, hi);
}

static ISA void key_setup(struct gcm_key *k, const unsigned char *key, size_t len)
{
	__m128i h, hn;

	expand(k, key, len);
	h = hn = bswap(encrypt_block(k, _mm_setzero_si128()));
	_mm_store_si128((__m128i *)k->h[0], h);
	for (int i = 1; i < 4; i++)
		_mm_store_si128((__m128i *)k->h[i], hn = gfmul(hn, h));
}

void gcm_setkey(struct gcm_key *k, const unsigned char *key, size_t len)
{
	key_setup(k, key, len);
}

/* The last, partial block of p (n < 16 bytes), zero-padded. */
static ISA __m128i partial(const unsigned char *p, size_t n)
{
	unsigned char b[16] = { 0 };

	memcpy(b, p, n);
	return _mm_loadu_si128((const __m128i *)b);
}

static ISA __m128i ghash(__m128i x, __m128i h, const unsigned char *p, size_t n)
{
	for (; n >= 16; p += 16, n -= 16)
		x = gfmul(_mm_xor_si128(x, bswap(_mm_loadu_si128((const __m128i *)p))), h);
	if (n)
		x = gfmul(_mm_xor_si128(x, bswap(partial(p, n))), h);
	return x;
}

static ISA __m128i counter(__m128i j, uint32_t i)
{
	return _mm_insert_epi32(j, (int)__builtin_bswap32(i), 3);
}

static ISA void seal(const struct gcm_key *k, const unsigned char nonce[12],
		     const unsigned char *aad, size_t aad_len, const unsigned char *in, size_t len,
		     unsigned char *out, unsigned char tag[16])
{
	__m128i h = _mm_load_si128((const __m128i *)k->h[0]), x = _mm_setzero_si128();
	__m128i h2 = _mm_load_si128((const __m128i *)k->h[1]);
	__m128i h3 = _mm_load_si128((const __m128i *)k->h[2]);
	__m128i h4 = _mm_load_si128((const __m128i *)k->h[3]);
	__m128i j = partial(nonce, 12), rk0 = _mm_load_si128((const __m128i *)k->rk[0]);
	__m128i last = _mm_load_si128((const __m128i *)k->rk[k->rounds]);
	uint32_t ctr = 2;
	size_t done = 0;

	x = ghash(x, h, aad, aad_len);
	for (; len - done >= 64; done += 64, ctr += 4) {
		__m128i b0 = _mm_xor_si128(counter(j, ctr), rk0);
		__m128i b1 = _mm_xor_si128(counter(j, ctr + 1), rk0);
		__m128i b2 = _mm_xor_si128(counter(j, ctr + 2), rk0);
		__m128i b3 = _mm_xor_si128(counter(j, ctr + 3), rk0);

		for (unsigned r = 1; r < k->rounds; r++) {
			__m128i key = _mm_load_si128((const __m128i *)k->rk[r]);

			b0 = _mm_aesenc_si128(b0, key);
			b1 = _mm_aesenc_si128(b1, key);
			b2 = _mm_aesenc_si128(b2, key);
			b3 = _mm_aesenc_si128(b3, key);
		}
		b0 = _mm_xor_si128(_mm_aesenclast_si128(b0, last),
				   _mm_loadu_si128((const __m128i *)(in + done)));
		b1 = _mm_xor_si128(_mm_aesenclast_si128(b1, last),
				   _mm_loadu_si128((const __m128i *)(in + done + 16)));
		b2 = _mm_xor_si128(_mm_aesenclast_si128(b2, last),
				   _mm_loadu_si128((const __m128i *)(in + done + 32)));
		b3 = _mm_xor_si128(_mm_aesenclast_si128(b3, last),
				   _mm_loadu_si128((const __m128i *)(in + done + 48)));
		_mm_storeu_si128((__m128i *)(out + done), b0);
		_mm_storeu_si128((__m128i *)(out + done + 16), b1);
		_mm_storeu_si128((__m128i *)(out + done + 32), b2);
		_mm_storeu_si128((__m128i *)(out + done + 48), b3);
		{
			__m128i lo = _mm_setzero_si128(), hi = _mm_setzero_si128();

			clmul_add(_mm_xor_si128(x, bswap(b0)), h4, &lo, &hi);
			clmul_add(bswap(b1), h3, &lo, &hi);
			clmul_add(bswap(b2), h2, &lo, &hi);
			clmul_add(bswap(b3), h, &lo, &hi);
			x = reduce(lo, hi);
		}
	}
	for (; done < len; done += 16, ctr++) {
		size_t n = len - done < 16 ? len - done : 16;
		unsigned char b[16];

		_mm_storeu_si128((__m128i *)b, _mm_xor_si128(encrypt_block(k, counter(j, ctr)),
							      partial(in + done, n)));
		memcpy(out + done, b, n);
		x = gfmul(_mm_xor_si128(x, bswap(partial(b, n))), h);
	}
	x = gfmul(_mm_xor_si128(x, _mm_set_epi64x((long long)aad_len * 8, (long long)len * 8)), h);
	_mm_storeu_si128((__m128i *)tag, _mm_xor_si128(bswap(x), encrypt_block(k, counter(j, 1))));
}

void gcm_seal(const struct gcm_key *k, const unsigned char nonce[12], const unsigned char *aad,
	      size_t aad_len, const unsigned char *in, size_t len, unsigned char *out,
	      unsigned char tag[16])
{
	seal(k, nonce, aad, aad_len, in, len, out, tag);
}

#else /* no x86-64: mbedtls encrypts everything */

bool gcm_built(void)
{
	return false;
}

void gcm_setkey(struct gcm_key *k, const unsigned char *key, size_t len)
{
	(void)k, (void)key, (void)len;
}

void gcm_seal(const struct gcm_key *k, const unsigned char nonce[12], const unsigned char *aad,
	      size_t aad_len, const unsigned char *in, size_t len, unsigned char *out,
	      unsigned char tag[16])
{
	(void)k, (void)nonce, (void)aad, (void)aad_len, (void)in, (void)len, (void)out, (void)tag;
}

#endif
