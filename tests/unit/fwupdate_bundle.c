/* SPDX-License-Identifier: MIT */
/* fwupdate_bundle -- the .tfw format (app/fwupdate/bundle.c, verify.c,
 * sign.c): a bundle signed here verifies; every refusal the format knows
 * is reached by a bundle made for it; one byte flipped anywhere, a
 * truncation at any length, a byte too many, another key, a revoked key,
 * another board, an older version, a version below the floor (even
 * forced), a payload larger than a slot are all refused; of several
 * trusted keys, the one the header names verifies. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <mbedtls/sha256.h>

#include "bundle.h"
#include "sign.h"
#include "fixed_rng.h"

#define BOARD   "pc_x86_64"
#define VERSION "1.2.3"
#define SLOT    (1u << 20)

static mbedtls_ecp_keypair key, other, third;
static uint8_t pub[TFW_PUBKEY_SIZE], other_pub[TFW_PUBKEY_SIZE], third_pub[TFW_PUBKEY_SIZE];
static uint8_t payload[41];

static uint64_t rng_state;

/* A trust of one key, as tfw_verify takes it. */
#define TRUST(k) (&(struct tfw_trust){ (const uint8_t (*)[TFW_PUBKEY_SIZE])(k), 1, NULL, 0 })

static int setup(void **state)
{
	(void)state;
	mbedtls_ecp_keypair_init(&key);
	mbedtls_ecp_keypair_init(&other);
	mbedtls_ecp_keypair_init(&third);
	if (tfw_keygen(&key, fixed_rng, &rng_state) || tfw_keygen(&other, fixed_rng, &rng_state) ||
	    tfw_keygen(&third, fixed_rng, &rng_state) ||
	    tfw_pubkey(&key, pub) || tfw_pubkey(&other, other_pub) || tfw_pubkey(&third, third_pub))
		return -1;
	for (size_t i = 0; i < sizeof payload; i++)
		payload[i] = (uint8_t)(i * 7 + 3);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	mbedtls_ecp_keypair_free(&key);
	mbedtls_ecp_keypair_free(&other);
	mbedtls_ecp_keypair_free(&third);
	return 0;
}

/* header, payload, signature in one malloc'd buffer of *len bytes. */
static uint8_t *make(const mbedtls_ecp_keypair *k, const char *board, const char *version,
		     const uint8_t *p, size_t plen, size_t *len)
{
	uint8_t *b = malloc(TFW_HEADER_SIZE + plen + TFW_SIG_SIZE);

	assert_non_null(b);
	assert_int_equal(tfw_sign(k, fixed_rng, &rng_state, board, version, p, plen, b,
				  b + TFW_HEADER_SIZE + plen), TFW_OK);
	memcpy(b + TFW_HEADER_SIZE, p, plen);
	*len = TFW_HEADER_SIZE + plen + TFW_SIG_SIZE;
	return b;
}

static uint8_t *good(size_t *len)
{
	return make(&key, BOARD, VERSION, payload, sizeof payload, len);
}

static enum tfw_err verify(const uint8_t *b, size_t len)
{
	struct tfw_header h;

	return tfw_verify(b, len, SLOT, TRUST(pub), &h);
}

static void a_good_bundle_verifies(void **state)
{
	struct tfw_header h;
	size_t len;
	uint8_t *b = good(&len);

	(void)state;
	assert_int_equal(len, 128 + sizeof payload + 64);
	assert_memory_equal(b, "TERN-TFW\0\0\0\1\0\0\0\0pc_x86_64", 25);
	assert_int_equal(tfw_verify(b, len, SLOT, TRUST(pub), &h), TFW_OK);
	assert_string_equal(h.board, BOARD);
	assert_string_equal(h.version, VERSION);
	assert_int_equal(h.v.major, 1);
	assert_int_equal(h.v.minor, 2);
	assert_int_equal(h.v.patch, 3);
	assert_int_equal(h.payload_len, sizeof payload);
	/* A payload exactly as large as a slot is fine. */
	assert_int_equal(tfw_verify(b, len, sizeof payload, TRUST(pub), &h), TFW_OK);
	free(b);
}

static void signing_is_deterministic(void **state)
{
	size_t l1, l2;
	uint8_t *a = good(&l1), *b = good(&l2);

	(void)state;
	assert_int_equal(l1, l2);
	assert_memory_equal(a, b, l1);
	free(a);
	free(b);
}

/* Every byte, each of three ways: low bit, high bit, all bits. */
static void every_flipped_byte_is_refused(void **state)
{
	static const uint8_t masks[] = { 0x01, 0x80, 0xff };
	size_t len;
	uint8_t *b = good(&len);

	(void)state;
	for (size_t i = 0; i < len; i++)
		for (size_t m = 0; m < sizeof masks; m++) {
			b[i] ^= masks[m];
			enum tfw_err err = verify(b, len);
			if (err == TFW_OK)
				fail_msg("byte %zu ^ 0x%02x accepted", i, masks[m]);
			/* Where the flip lands decides the reason. */
			if (i < 8)
				assert_int_equal(err, TFW_ERR_MAGIC);
			else if (i >= 128 && i < 128 + sizeof payload)
				assert_int_equal(err, TFW_ERR_DIGEST);
			else if (i >= 128 + sizeof payload)
				assert_int_equal(err, TFW_ERR_SIGNATURE);
			b[i] ^= masks[m];
		}
	assert_int_equal(verify(b, len), TFW_OK);
	free(b);
}

static void every_truncation_is_refused(void **state)
{
	size_t len;
	uint8_t *b = good(&len);

	(void)state;
	for (size_t n = 0; n < len; n++) {
		/* A copy of exactly n bytes, so ASan sees any read past it. */
		uint8_t *t = malloc(n ? n : 1);
		memcpy(t, b, n);
		enum tfw_err err = verify(t, n);
		assert_int_equal(err, n < 192 ? TFW_ERR_SHORT : TFW_ERR_TRUNCATED);
		free(t);
	}
	free(b);
}

static void trailing_bytes_are_refused(void **state)
{
	size_t len;
	uint8_t *b = good(&len);
	uint8_t *t = calloc(1, len + 64);

	(void)state;
	memcpy(t, b, len);
	assert_int_equal(verify(t, len + 1), TFW_ERR_TRAILING);
	assert_int_equal(verify(t, len + 64), TFW_ERR_TRAILING);
	free(t);
	free(b);
}

static void wrong_magic(void **state)
{
	size_t len;
	uint8_t *b = good(&len);

	(void)state;
	memcpy(b, "TERN-TFX", 8);
	assert_int_equal(verify(b, len), TFW_ERR_MAGIC);
	memset(b, 0, 8);
	assert_int_equal(verify(b, len), TFW_ERR_MAGIC);
	/* An ELF file, say the payload given instead of a bundle. */
	memcpy(b, "\177ELF\2\1\1\0", 8);
	assert_int_equal(verify(b, len), TFW_ERR_MAGIC);
	free(b);
}

/* Sign the bytes of b as they are (a test's header, right or wrong):
 * the signature over header and payload, where a bundle keeps it. */
static void resign(uint8_t *b, size_t plen, const mbedtls_ecp_keypair *k)
{
	uint8_t sum[32];

	mbedtls_sha256_ret(b, 128 + plen, sum, 0);
	assert_int_equal(tfw_sign_digest(k, fixed_rng, &rng_state, sum, b + 128 + plen), TFW_OK);
}

/* Signed correctly, but a field no reader of format 1 accepts. */
static void malformed_fields_are_refused_even_when_signed(void **state)
{
	size_t len, plen = sizeof payload;
	uint8_t *b;

	(void)state;
	static const struct { size_t off; const char *bytes; size_t n; enum tfw_err err; } cases[] = {
		{ 8, "\0\0\0\2", 4, TFW_ERR_FORMAT },
		{ 8, "\0\0\0\0", 4, TFW_ERR_FORMAT },
		{ 8, "\1\0\0\1", 4, TFW_ERR_FORMAT },
		{ 12, "\0\0\0\1", 4, TFW_ERR_RESERVED },
		{ 16, "PC_X86_64", 9, TFW_ERR_BOARD_FIELD },             /* upper case */
		{ 16, "\0", 1, TFW_ERR_BOARD_FIELD },                    /* empty */
		{ 16 + 31, "x", 1, TFW_ERR_BOARD_FIELD },                /* junk after the NUL */
		{ 16, "pc/x86", 6, TFW_ERR_BOARD_FIELD },
		{ 16, "0123456789abcdef0123456789abcdef", 32, TFW_ERR_BOARD_FIELD }, /* no NUL */
		{ 48, "1.2", 4, TFW_ERR_VERSION_FIELD },
		{ 48, "01.2.3", 6, TFW_ERR_VERSION_FIELD },
		{ 48, "1.2.3.4", 7, TFW_ERR_VERSION_FIELD },
		{ 48, "1.2.3 ", 6, TFW_ERR_VERSION_FIELD },
		{ 48 + 31, "1", 1, TFW_ERR_VERSION_FIELD },
		{ 48, "11111111111111111111111111111111", 32, TFW_ERR_VERSION_FIELD },
		{ 80, "\0\0\0\0\0\0\0\0", 8, TFW_ERR_EMPTY },
		{ 80, "\xff\xff\xff\xff\xff\xff\xff\xff", 8, TFW_ERR_TOO_BIG },
		{ 80, "\0\0\0\0\0\x10\0\1", 8, TFW_ERR_TOO_BIG },       /* SLOT + 1 */
		{ 80, "\0\0\0\0\0\0\0\x2a", 8, TFW_ERR_TRUNCATED },     /* one more */
		{ 80, "\0\0\0\0\0\0\0\x28", 8, TFW_ERR_TRAILING },      /* one less */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		b = good(&len);
		memcpy(b + cases[i].off, cases[i].bytes, cases[i].n);
		resign(b, plen, &key);
		struct tfw_header h;
		enum tfw_err err = tfw_verify(b, len, SLOT, TRUST(pub), &h);
		if (err != cases[i].err)
			fail_msg("case %zu: %s, expected %s", i, tfw_strerror(err),
				 tfw_strerror(cases[i].err));
		free(b);
	}
}

static void lengths_near_the_limits(void **state)
{
	size_t len;
	uint8_t *b = good(&len);
	struct tfw_header h;

	(void)state;
	/* No room for the length to wrap: the largest slot there is. */
	b[80] = 0xff;
	assert_int_equal(tfw_verify(b, len, UINT64_MAX, TRUST(pub), &h), TFW_ERR_TRUNCATED);
	memset(b + 80, 0xff, 8);
	assert_int_equal(tfw_verify(b, len, UINT64_MAX, TRUST(pub), &h), TFW_ERR_TRUNCATED);
	/* The largest payload a 2^64-1 byte file can hold, and one more. */
	memcpy(b + 80, "\xff\xff\xff\xff\xff\xff\xff\x3f", 8);
	assert_int_equal(tfw_header_parse(b, UINT64_MAX, UINT64_MAX, &h), TFW_OK);
	assert_int_equal(h.payload_len, UINT64_MAX - 192);
	assert_int_equal(tfw_header_parse(b, UINT64_MAX - 1, UINT64_MAX, &h), TFW_ERR_TRUNCATED);
	memcpy(b + 80, "\xff\xff\xff\xff\xff\xff\xff\x3e", 8);
	assert_int_equal(tfw_header_parse(b, UINT64_MAX, UINT64_MAX, &h), TFW_ERR_TRAILING);
	free(b);
	/* One byte larger than a slot. */
	b = good(&len);
	assert_int_equal(tfw_verify(b, len, sizeof payload - 1, TRUST(pub), &h), TFW_ERR_TOO_BIG);
	free(b);
}

static void another_key_is_refused(void **state)
{
	size_t len;
	uint8_t *b = make(&other, BOARD, VERSION, payload, sizeof payload, &len);
	struct tfw_header h;

	(void)state;
	assert_int_equal(verify(b, len), TFW_ERR_KEY);
	assert_int_equal(tfw_verify(b, len, SLOT, TRUST(other_pub), &h), TFW_OK);
	/* The other key claiming to be ours: its signature does not hold. */
	uint8_t id[TFW_KEY_ID_SIZE];
	tfw_key_id(pub, id);
	memcpy(b + 120, id, sizeof id);
	resign(b, sizeof payload, &other);
	assert_int_equal(verify(b, len), TFW_ERR_SIGNATURE);
	free(b);
}

/* Of several trusted keys, the header's key id picks the one to verify
 * with; a key id revoked is refused even while its key is trusted, and
 * even when no trusted key has it. */
static void several_keys_and_revoked_ids(void **state)
{
	uint8_t keys[2][TFW_PUBKEY_SIZE], revoked[2][TFW_KEY_ID_SIZE];
	struct tfw_trust t = { (const uint8_t (*)[TFW_PUBKEY_SIZE])keys, 2,
			       (const uint8_t (*)[TFW_KEY_ID_SIZE])revoked, 0 };
	size_t l1, l2, l3;
	uint8_t *a = good(&l1), *b = make(&other, BOARD, VERSION, payload, sizeof payload, &l2);
	uint8_t *c = make(&third, BOARD, VERSION, payload, sizeof payload, &l3);
	struct tfw_header h;
	enum tfw_err err;

	(void)state;
	memcpy(keys[0], other_pub, TFW_PUBKEY_SIZE);
	memcpy(keys[1], pub, TFW_PUBKEY_SIZE);
	assert_int_equal(tfw_verify(a, l1, SLOT, &t, &h), TFW_OK);
	assert_int_equal(tfw_verify(b, l2, SLOT, &t, &h), TFW_OK);
	assert_int_equal(tfw_verify(c, l3, SLOT, &t, &h), TFW_ERR_KEY);
	assert_ptr_equal(tfw_trust_find(&t, a + 120, &err), t.keys[1]);
	assert_ptr_equal(tfw_trust_find(&t, b + 120, &err), t.keys[0]);
	/* other's id revoked: its bundle is refused, ours still verifies. */
	tfw_key_id(other_pub, revoked[0]);
	tfw_key_id(third_pub, revoked[1]);
	t.nrevoked = 2;
	assert_int_equal(tfw_verify(a, l1, SLOT, &t, &h), TFW_OK);
	assert_int_equal(tfw_verify(b, l2, SLOT, &t, &h), TFW_ERR_REVOKED);
	assert_int_equal(tfw_verify(c, l3, SLOT, &t, &h), TFW_ERR_REVOKED);
	assert_null(tfw_trust_find(&t, b + 120, &err));
	assert_int_equal(err, TFW_ERR_REVOKED);
	/* No keys at all: nothing verifies. */
	t.nkeys = 0;
	t.nrevoked = 0;
	assert_int_equal(tfw_verify(a, l1, SLOT, &t, &h), TFW_ERR_KEY);
	free(a);
	free(b);
	free(c);
}

static void a_bad_trusted_key_is_reported(void **state)
{
	size_t len;
	uint8_t *b = good(&len);
	uint8_t bad[TFW_PUBKEY_SIZE];
	struct tfw_header h;

	(void)state;
	memcpy(bad, pub, sizeof bad);
	bad[64] ^= 1;  /* no longer on the curve */
	tfw_key_id(bad, b + 120);
	resign(b, sizeof payload, &key);
	assert_int_equal(tfw_verify(b, len, SLOT, TRUST(bad), &h), TFW_ERR_PUBKEY);
	free(b);
}

static void zero_signature_is_refused(void **state)
{
	size_t len;
	uint8_t *b = good(&len);

	(void)state;
	memset(b + len - 64, 0, 64);
	assert_int_equal(verify(b, len), TFW_ERR_SIGNATURE);
	memset(b + len - 64, 0xff, 64);
	assert_int_equal(verify(b, len), TFW_ERR_SIGNATURE);
	free(b);
}

static void board_and_rollback(void **state)
{
	size_t len;
	uint8_t *b = good(&len);
	struct tfw_header h;
	struct fw_version v;

	(void)state;
	assert_int_equal(tfw_verify(b, len, SLOT, TRUST(pub), &h), TFW_OK);
	assert_int_equal(fw_version_parse("1.2.3", &v), 0);
	assert_int_equal(tfw_check_target(&h, BOARD, &v, NULL, 0), TFW_OK);   /* same */
	assert_int_equal(tfw_check_target(&h, "qemu_x86_64", &v, NULL, 0), TFW_ERR_BOARD);
	assert_int_equal(tfw_check_target(&h, "qemu_x86_64", &v, NULL, 1), TFW_ERR_BOARD);
	assert_int_equal(tfw_check_target(&h, "pc_x86_6", &v, NULL, 0), TFW_ERR_BOARD);
	assert_int_equal(fw_version_parse("1.2.4", &v), 0);
	assert_int_equal(tfw_check_target(&h, BOARD, &v, NULL, 0), TFW_ERR_ROLLBACK);
	assert_int_equal(tfw_check_target(&h, BOARD, &v, NULL, 1), TFW_OK);
	assert_int_equal(fw_version_parse("1.10.0", &v), 0);
	assert_int_equal(tfw_check_target(&h, BOARD, &v, NULL, 0), TFW_ERR_ROLLBACK);
	assert_int_equal(fw_version_parse("0.99.99", &v), 0);
	assert_int_equal(tfw_check_target(&h, BOARD, &v, NULL, 0), TFW_OK);
	free(b);
	/* 1.10.0 is newer than 1.9.0: numbers, not strings. */
	b = make(&key, BOARD, "1.10.0", payload, sizeof payload, &len);
	assert_int_equal(tfw_verify(b, len, SLOT, TRUST(pub), &h), TFW_OK);
	assert_int_equal(fw_version_parse("1.9.0", &v), 0);
	assert_int_equal(tfw_check_target(&h, BOARD, &v, NULL, 0), TFW_OK);
	free(b);
}

/* The anti-rollback floor: a bundle below it is refused, forced or not,
 * whatever runs (a fallback may run a version below the floor); at the
 * floor or above, the running version rules as before. */
static void the_floor_is_not_forced(void **state)
{
	size_t len;
	uint8_t *b = good(&len); /* 1.2.3 */
	struct tfw_header h;
	struct fw_version running, floor;

	(void)state;
	assert_int_equal(tfw_verify(b, len, SLOT, TRUST(pub), &h), TFW_OK);
	assert_int_equal(fw_version_parse("1.0.0", &running), 0);
	assert_int_equal(fw_version_parse("1.2.4", &floor), 0);
	assert_int_equal(tfw_check_target(&h, BOARD, &running, &floor, 0), TFW_ERR_FLOOR);
	assert_int_equal(tfw_check_target(&h, BOARD, &running, &floor, 1), TFW_ERR_FLOOR);
	assert_int_equal(fw_version_parse("1.10.0", &floor), 0);
	assert_int_equal(tfw_check_target(&h, BOARD, &running, &floor, 1), TFW_ERR_FLOOR);
	assert_int_equal(fw_version_parse("1.2.3", &floor), 0);
	assert_int_equal(tfw_check_target(&h, BOARD, &running, &floor, 0), TFW_OK);
	assert_int_equal(fw_version_parse("0.0.0", &floor), 0);
	assert_int_equal(tfw_check_target(&h, BOARD, &running, &floor, 0), TFW_OK);
	/* Older than running but above the floor: -f still decides. */
	assert_int_equal(fw_version_parse("2.0.0", &running), 0);
	assert_int_equal(tfw_check_target(&h, BOARD, &running, &floor, 0), TFW_ERR_ROLLBACK);
	assert_int_equal(tfw_check_target(&h, BOARD, &running, &floor, 1), TFW_OK);
	/* Another board is that first. */
	assert_int_equal(fw_version_parse("9.0.0", &floor), 0);
	assert_int_equal(tfw_check_target(&h, "qemu_x86_64", &running, &floor, 1), TFW_ERR_BOARD);
	free(b);
}

static void versions(void **state)
{
	static const char *const bad[] = {
		"", "1", "1.2", "1.2.", ".1.2", "1..2", "1.2.3.4", "01.2.3", "1.02.3",
		"1.2.03", "+1.2.3", "-1.2.3", " 1.2.3", "1.2.3\n", "1.2.x", "1000000000.0.0",
		"0x1.2.3", "1,2,3",
	};
	struct fw_version a, b;

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (fw_version_parse(bad[i], &a) == 0)
			fail_msg("\"%s\" accepted as a version", bad[i]);
	assert_int_equal(fw_version_parse("0.0.0", &a), 0);
	assert_int_equal(fw_version_parse("999999999.999999999.999999999", &b), 0);
	assert_true(fw_version_cmp(&a, &b) < 0);
	assert_true(fw_version_cmp(&b, &a) > 0);
	assert_int_equal(fw_version_cmp(&a, &a), 0);
	assert_int_equal(fw_version_parse("2.0.0", &a), 0);
	assert_int_equal(fw_version_parse("1.999.999", &b), 0);
	assert_true(fw_version_cmp(&a, &b) > 0);
}

static void signing_refuses_what_no_reader_accepts(void **state)
{
	uint8_t hdr[TFW_HEADER_SIZE], sig[TFW_SIG_SIZE];

	(void)state;
	assert_int_equal(tfw_sign(&key, fixed_rng, &rng_state, "PC", VERSION, payload, 1, hdr, sig),
			 TFW_ERR_BOARD_FIELD);
	assert_int_equal(tfw_sign(&key, fixed_rng, &rng_state, "0123456789abcdef0123456789abcdef",
				  VERSION, payload, 1, hdr, sig), TFW_ERR_BOARD_FIELD);
	assert_int_equal(tfw_sign(&key, fixed_rng, &rng_state, BOARD, "1.2", payload, 1, hdr, sig),
			 TFW_ERR_VERSION_FIELD);
	assert_int_equal(tfw_sign(&key, fixed_rng, &rng_state, BOARD, VERSION, payload, 0, hdr, sig),
			 TFW_ERR_EMPTY);
}

static void every_error_has_a_message(void **state)
{
	(void)state;
	for (int e = 0; e < TFW_ERR_COUNT; e++) {
		assert_non_null(tfw_strerror(e));
		assert_null(strchr(tfw_strerror(e), '\n'));
	}
	assert_string_equal(tfw_strerror(TFW_ERR_COUNT), "unknown error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_good_bundle_verifies),
		cmocka_unit_test(signing_is_deterministic),
		cmocka_unit_test(every_flipped_byte_is_refused),
		cmocka_unit_test(every_truncation_is_refused),
		cmocka_unit_test(trailing_bytes_are_refused),
		cmocka_unit_test(wrong_magic),
		cmocka_unit_test(malformed_fields_are_refused_even_when_signed),
		cmocka_unit_test(lengths_near_the_limits),
		cmocka_unit_test(another_key_is_refused),
		cmocka_unit_test(several_keys_and_revoked_ids),
		cmocka_unit_test(a_bad_trusted_key_is_reported),
		cmocka_unit_test(zero_signature_is_refused),
		cmocka_unit_test(board_and_rollback),
		cmocka_unit_test(the_floor_is_not_forced),
		cmocka_unit_test(versions),
		cmocka_unit_test(signing_refuses_what_no_reader_accepts),
		cmocka_unit_test(every_error_has_a_message),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
