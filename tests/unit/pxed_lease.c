/* SPDX-License-Identifier: MIT */
/* pxed_lease -- the pool (app/pxed/lease.c): picking an address, offers
 * and bindings, reserved addresses, a lease file's lines, and the file
 * saved and read back (lease_file.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lease.h"

#define LO 0xc0000264u /* 192.0.2.100 */
static const uint8_t mac_a[6] = { 0x52, 0x54, 0, 0, 0, 0xa }, mac_b[6] = { 0x52, 0x54, 0, 0, 0, 0xb };

static bool reserve_101(uint32_t addr, const void *ctx)
{
	(void)ctx;
	return addr == LO + 1;
}

static bool reserve_102(uint32_t addr, const void *ctx)
{
	(void)ctx;
	return addr == LO + 2;
}

static void pick_and_bind(void **state)
{
	struct leases ls = { 0 };
	uint8_t a[LEASE_KEY_MAX], b[LEASE_KEY_MAX];
	uint8_t na = lease_key(NULL, 0, mac_a, a), nb = lease_key(NULL, 0, mac_b, b);

	(void)state;
	assert_int_equal(na, 7);
	assert_true(lease_pool_init(&ls, LO, LO + 2));
	assert_int_equal(lease_pick(&ls, a, na, 0, 1000, reserve_101, NULL), LO);
	lease_set(&ls, LO, LEASE_BOUND, a, na, mac_a, 2000);
	/* Its own address again; b gets the next one not reserved. */
	assert_int_equal(lease_pick(&ls, a, na, LO + 2, 1000, reserve_101, NULL), LO);
	assert_int_equal(lease_pick(&ls, b, nb, LO, 1000, reserve_101, NULL), LO + 2);
	lease_set(&ls, LO + 2, LEASE_OFFERED, b, nb, mac_b, 1060);
	assert_false(lease_usable(&ls, LO + 2, a, na, 1000, reserve_101, NULL));
	assert_int_equal(lease_pick(&ls, (const uint8_t *)"\1xyzxyz", 7, 0, 1000, reserve_101, NULL), 0);
	/* An expired offer or lease is free again. */
	assert_true(lease_usable(&ls, LO + 2, a, na, 1060, reserve_101, NULL));
	assert_true(lease_usable(&ls, LO, b, nb, 2000, NULL, NULL));
	assert_false(lease_usable(&ls, LO + 3, a, na, 0, NULL, NULL));
	assert_ptr_equal(lease_of(&ls, b, nb), lease_at(&ls, LO + 2));
	/* A reload to a pool that keeps LO only. */
	assert_true(lease_pools_move(&ls, 1, (const uint32_t[]){ LO - 5 }, (const uint32_t[]){ LO }, 1));
	assert_ptr_equal(lease_of(&ls, a, na), lease_at(&ls, LO));
	assert_null(lease_of(&ls, b, nb));
	lease_pool_free(&ls);
}

/* A full pool: the oldest offer still held goes to the next client; a
 * binding, an expired offer's successor, a declined or reserved address
 * never; none left: 0. */
static void reclaim_oldest_offer(void **state)
{
	struct leases ls = { 0 };
	uint8_t k[5][LEASE_KEY_MAX], n[5];

	(void)state;
	for (int i = 0; i < 5; i++) {
		const uint8_t mac[6] = { 0x52, 0x54, 0, 0, 1, (uint8_t)i };

		n[i] = lease_key(NULL, 0, mac, k[i]);
	}
	assert_true(lease_pool_init(&ls, LO, LO + 4));
	assert_int_equal(lease_reclaim_offer(&ls, 1000, NULL, NULL), 0); /* all free: none */
	lease_set(&ls, LO, LEASE_OFFERED, k[0], n[0], NULL, 1050);     /* offered at 990 */
	lease_set(&ls, LO + 1, LEASE_BOUND, k[1], n[1], NULL, 900);    /* bound long ago */
	lease_set(&ls, LO + 2, LEASE_OFFERED, k[2], n[2], NULL, 1030); /* the oldest offer */
	lease_set(&ls, LO + 3, LEASE_DECLINED, NULL, 0, NULL, 5000);
	lease_set(&ls, LO + 4, LEASE_OFFERED, k[4], n[4], NULL, 1059);
	/* 1 is bound (even with an expiry in the past, it is no offer). */
	assert_int_equal(lease_reclaim_offer(&ls, 1000, NULL, NULL), LO + 2);
	/* 2's offer reserved by a host line: the next oldest. */
	assert_int_equal(lease_reclaim_offer(&ls, 1000, reserve_102, NULL), LO);
	/* 2 expired at 1030: lease_pick's to give, not reclaimed. */
	assert_int_equal(lease_reclaim_offer(&ls, 1030, NULL, NULL), LO);
	/* Offers of the same second: the one made first. */
	lease_set(&ls, LO + 2, LEASE_OFFERED, k[2], n[2], NULL, 1060);
	lease_set(&ls, LO, LEASE_OFFERED, k[0], n[0], NULL, 1060);
	assert_int_equal(lease_reclaim_offer(&ls, 1000, NULL, NULL), LO + 4);
	lease_set(&ls, LO + 4, LEASE_OFFERED, k[3], n[3], NULL, 1060);
	assert_int_equal(lease_reclaim_offer(&ls, 1000, NULL, NULL), LO + 2);
	lease_set(&ls, LO, LEASE_BOUND, k[0], n[0], NULL, 4000);
	lease_set(&ls, LO + 2, LEASE_BOUND, k[2], n[2], NULL, 4000);
	lease_set(&ls, LO + 4, LEASE_BOUND, k[4], n[4], NULL, 4000);
	lease_set(&ls, LO + 1, LEASE_BOUND, k[1], n[1], NULL, 4000);
	assert_int_equal(lease_reclaim_offer(&ls, 1000, NULL, NULL), 0); /* all bound */
	lease_pool_free(&ls);
}

static void lines(void **state)
{
	struct lease l = { .addr = LO, .state = LEASE_BOUND, .key_len = 3, .key = { 0, 0xab, 1 },
			   .mac = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 }, .expires = 1732370000 };
	struct lease back;
	char buf[LEASE_LINE_MAX];
	size_t n = lease_format(&l, buf);

	(void)state;
	assert_string_equal(buf, "192.0.2.100 52:54:00:12:34:56 00ab01 1732370000");
	assert_int_equal(lease_parse_line(buf, n, &back), CONF_OK);
	assert_memory_equal(&back, &l, sizeof l);
	assert_int_equal(lease_parse_line("# x", 3, &back), CONF_SKIP);
	assert_int_equal(lease_parse_line("", 0, &back), CONF_SKIP);
	static const char *const bad[] = {
		"192.0.2.100 52:54:00:12:34:56 00ab01",
		"192.0.2.300 52:54:00:12:34:56 00ab01 1",
		"192.0.2.100 52:54:00:12:34 00ab01 1",
		"192.0.2.100 52:54:00:12:34:56 0ab01 1",
		"192.0.2.100 52:54:00:12:34:56 00xb01 1",
		"192.0.2.100 52:54:00:12:34:56 00ab01 1 extra",
		/* Taken before tests/fuzz/pxed_lease: sscanf's signs and
		 * "0x", a negative expiry, an expiry past time_t, and an
		 * address longer than 15 bytes run into the MAC. */
		"192.0.2.100 +2:+4:00:12:34:56 00ab01 1",
		"192.0.2.100 0x:0x:0x:0x:0x:0x 00ab01 1",
		"192.0.2.100 52:54:00:12:34:56 00ab01 -1",
		"192.0.2.100 52:54:00:12:34:56 00ab01 +1",
		"192.0.2.100 52:54:00:12:34:56 00ab01 9223372036854775808",
		"192.168.100.10111:22:33:44:55:66 00ab01 1",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (lease_parse_line(bad[i], strlen(bad[i]), &back) != CONF_BAD)
			fail_msg("taken: %s", bad[i]);
	{
		static const char nul[] = "192.0.2.100 52:54:00:12:34:56 00ab01 1\0 junk";
		assert_int_equal(lease_parse_line(nul, sizeof nul - 1, &back), CONF_BAD);
	}
	l.expires = 9223372036854775807;
	n = lease_format(&l, buf);
	assert_int_equal(lease_parse_line(buf, n, &back), CONF_OK);
	assert_memory_equal(&back, &l, sizeof l);
}

static void file_round_trip(void **state)
{
	struct leases ls = { 0 }, again = { 0 };
	char dir[] = "/tmp/pxed_lease.XXXXXX", path[64], tmp[80];
	uint8_t a[LEASE_KEY_MAX];
	uint8_t na = lease_key((const uint8_t *)"\xff\1\2", 3, mac_a, a);
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/leases", dir);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	assert_true(lease_pool_init(&ls, LO, LO + 9));
	lease_set(&ls, LO + 3, LEASE_BOUND, a, na, mac_a, 5000);
	lease_set(&ls, LO + 4, LEASE_OFFERED, a, na, mac_b, 5000); /* offers are not saved */
	lease_set(&ls, LO + 5, LEASE_BOUND, a, na, mac_b, 900);    /* expired by 1000 */
	assert_int_equal(lease_save(&ls, 1, path), 0);
	assert_int_equal(access(tmp, F_OK), -1);
	/* A line a person broke is skipped, the rest read. */
	f = fopen(path, "a");
	fputs("garbage\n", f);
	fclose(f);
	assert_true(lease_pool_init(&again, LO, LO + 9));
	assert_int_equal(lease_load(&again, 1, path, 1000), 1);
	assert_int_equal(lease_at(&again, LO + 3)->state, LEASE_BOUND);
	assert_memory_equal(lease_at(&again, LO + 3)->key, "\xff\1\2", 3);
	assert_int_equal(lease_at(&again, LO + 4)->state, LEASE_FREE);
	assert_int_equal(lease_load(&again, 1, "/nonexistent/leases", 0), -1);
	assert_int_equal(lease_save(&ls, 1, "/nonexistent/leases"), -1);
	unlink(path);
	rmdir(dir);
	lease_pool_free(&ls);
	lease_pool_free(&again);
}

/* Two pools (two subnets) in one lease file, in a single pool's format:
 * each line goes back to the pool that holds its address, a pool of one
 * (an older pxed's) keeps its own lines only, and a reload to other pools
 * keeps each lease whichever old pool held it. */
static void pools_in_one_file(void **state)
{
	const uint32_t far = 0xc6336464u; /* 198.51.100.100 */
	const uint32_t lo[2] = { LO, far }, hi[2] = { LO + 9, far + 9 };
	struct leases two[2] = { { 0 } }, again[3] = { { 0 } }, one = { 0 };
	char dir[] = "/tmp/pxed_lease.XXXXXX", path[64];
	uint8_t a[LEASE_KEY_MAX], b[LEASE_KEY_MAX];
	uint8_t na = lease_key(NULL, 0, mac_a, a), nb = lease_key(NULL, 0, mac_b, b);

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/leases", dir);
	assert_true(lease_pools_move(two, 0, lo, hi, 2));
	assert_ptr_equal(lease_pool_of(two, 2, far + 3), &two[1]);
	assert_ptr_equal(lease_pool_of(two, 2, LO + 3), &two[0]);
	assert_null(lease_pool_of(two, 2, far + 10));
	lease_set(&two[0], LO + 1, LEASE_BOUND, a, na, mac_a, 5000);
	lease_set(&two[1], far + 2, LEASE_BOUND, a, na, mac_a, 5000); /* a client of both subnets */
	lease_set(&two[1], far + 3, LEASE_BOUND, b, nb, mac_b, 5000);
	assert_int_equal(lease_save(two, 2, path), 0);
	assert_true(lease_pools_move(again, 0, lo, hi, 2));
	assert_int_equal(lease_load(again, 2, path, 1000), 3);
	assert_int_equal(lease_at(&again[1], far + 2)->state, LEASE_BOUND);
	assert_int_equal(lease_at(&again[1], far + 3)->state, LEASE_BOUND);
	assert_ptr_equal(lease_of(&again[0], a, na), lease_at(&again[0], LO + 1));
	assert_ptr_equal(lease_of(&again[1], a, na), lease_at(&again[1], far + 2));
	assert_int_equal(lease_at(&again[0], LO + 2)->state, LEASE_FREE);
	/* A pxed of the first pool only reads its line and skips the rest. */
	assert_true(lease_pool_init(&one, LO, LO + 9));
	assert_int_equal(lease_load(&one, 1, path, 1000), 1);
	/* A reload: the far pool first and narrower, a third pool added. */
	assert_true(lease_pools_move(again, 2, (const uint32_t[]){ far + 3, LO, 0xcb007164u },
				     (const uint32_t[]){ far + 9, LO + 9, 0xcb007170u }, 3));
	assert_int_equal(lease_at(&again[0], far + 3)->state, LEASE_BOUND);
	assert_memory_equal(lease_at(&again[0], far + 3)->mac, mac_b, 6);
	assert_null(lease_at(&again[0], far + 2));
	assert_int_equal(lease_at(&again[1], LO + 1)->state, LEASE_BOUND);
	assert_int_equal(lease_at(&again[2], 0xcb007164u)->state, LEASE_FREE);
	unlink(path);
	rmdir(dir);
	for (int i = 0; i < 3; i++)
		lease_pool_free(&again[i]);
	lease_pool_free(&two[0]);
	lease_pool_free(&two[1]);
	lease_pool_free(&one);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pick_and_bind),
		cmocka_unit_test(reclaim_oldest_offer),
		cmocka_unit_test(lines),
		cmocka_unit_test(file_round_trip),
		cmocka_unit_test(pools_in_one_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
