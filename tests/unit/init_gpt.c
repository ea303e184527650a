/* SPDX-License-Identifier: MIT */
/* init_gpt -- growing the data partition's GPT entry to the end of a
 * bigger disk (gpt_grow_plan, app/init/gpt.c): the writes it plans, and
 * a power cut after each of them (and inside the primary's) leaving a
 * table that boots and a next plan that finishes the job. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "gpt.h"

#define SECTOR 512
#define OLD_SECTORS 10240u /* 5 MiB, as the image was made */
#define NEW_SECTORS 24576u /* 12 MiB, the box's disk */
#define ENTRIES 128
#define ESIZE 128
#define ESECTORS (ENTRIES * ESIZE / SECTOR)

static uint64_t get(const unsigned char *p, int bytes)
{
	uint64_t v = 0;

	while (bytes--)
		v = v << 8 | p[bytes];
	return v;
}

static void put(unsigned char *p, int bytes, uint64_t v)
{
	for (int i = 0; i < bytes; i++, v >>= 8)
		p[i] = (unsigned char)v;
}

static void header(unsigned char *d, uint64_t my, uint64_t alt, uint64_t entries, uint64_t last)
{
	unsigned char *h = d + my * SECTOR;

	memcpy(h, "EFI PART", 8);
	put(h + 8, 4, 0x10000);
	put(h + 12, 4, 92);
	put(h + 24, 8, my);
	put(h + 32, 8, alt);
	put(h + 40, 8, 34);
	put(h + 48, 8, last - ESECTORS - 1);
	memset(h + 56, 0x5a, 16); /* disk GUID */
	put(h + 72, 8, entries);
	put(h + 80, 4, ENTRIES);
	put(h + 84, 4, ESIZE);
	put(h + 88, 4, gpt_crc32(d + entries * SECTOR, ENTRIES * ESIZE));
	put(h + 16, 4, gpt_crc32(h, 92));
}

/* A disk laid out as images/disk.sh does it, smaller: an ESP at 1 MiB
 * (1 MiB), the data partition after it (2 MiB), in a disk of OLD_SECTORS,
 * in a buffer of NEW_SECTORS (the rest zero). */
static unsigned char *made(void)
{
	unsigned char *d = calloc(NEW_SECTORS, SECTOR), *e = d + 2 * SECTOR;
	uint64_t last = OLD_SECTORS - 1;

	put(d + 446 + 4, 1, 0xee);
	put(d + 446 + 8, 4, 1);
	put(d + 446 + 12, 4, last);
	d[510] = 0x55, d[511] = 0xaa;
	memset(e, 0x11, 16), put(e + 32, 8, 2048), put(e + 40, 8, 4095);
	memset(e + ESIZE, 0x22, 16), put(e + ESIZE + 32, 8, 4096), put(e + ESIZE + 40, 8, 8191);
	memcpy(d + (last - ESECTORS) * SECTOR, e, ENTRIES * ESIZE);
	header(d, 1, last, 2, last);
	header(d, last, 1, last - ESECTORS, last);
	return d;
}

/* The header at lba verifies; its entries' partition 2 ends at *end. */
static bool valid(const unsigned char *d, uint64_t lba, uint64_t *end)
{
	unsigned char h[92];
	const unsigned char *e;

	memcpy(h, d + lba * SECTOR, 92);
	if (memcmp(h, "EFI PART", 8) || get(h + 24, 8) != lba)
		return false;
	put(h + 16, 4, 0);
	if (gpt_crc32(h, 92) != get(d + lba * SECTOR + 16, 4))
		return false;
	e = d + get(h + 72, 8) * SECTOR;
	if (gpt_crc32(e, ENTRIES * ESIZE) != get(h + 88, 4))
		return false;
	*end = get(e + ESIZE + 40, 8);
	return get(e + 40, 8) == 4095; /* the ESP as it was */
}

static struct gpt_plan plan;

static int planned(const unsigned char *d, uint64_t sectors)
{
	const char *why;
	int n = gpt_grow_plan(d, GPT_HEAD_BYTES, SECTOR, sectors, 2, &plan, &why);

	if (n < 0)
		fail_msg("refused: %s", why);
	return n;
}

static void apply(unsigned char *d, size_t upto)
{
	for (size_t i = 0; i < upto && i < plan.n; i++)
		memcpy(d + plan.w[i].offset, plan.w[i].data, plan.w[i].len);
}

static void the_partition_grows_to_the_last_whole_mib(void **state)
{
	unsigned char *d = made();
	uint64_t end, last = NEW_SECTORS - 1;

	(void)state;
	assert_int_equal(planned(d, NEW_SECTORS), 3);
	assert_int_equal(plan.old_end, 8191);
	/* last usable 24542: the MiB boundary below 24543 is 22528 */
	assert_int_equal(plan.new_end, 22527);
	/* backup first, then the primary header with the first entry sector, then the MBR */
	assert_int_equal(plan.w[0].offset, (last - ESECTORS) * SECTOR);
	assert_int_equal(plan.w[0].len, (ESECTORS + 1) * SECTOR);
	assert_int_equal(plan.w[1].offset, SECTOR);
	assert_int_equal(plan.w[1].len, 2 * SECTOR);
	assert_int_equal(plan.w[2].offset, 0);
	apply(d, plan.n);
	assert_true(valid(d, 1, &end));
	assert_int_equal(end, 22527);
	assert_int_equal(get(d + SECTOR + 32, 8), last);             /* alternate */
	assert_int_equal(get(d + SECTOR + 48, 8), last - ESECTORS - 1); /* last usable */
	assert_true(valid(d, last, &end));
	assert_int_equal(end, 22527);
	assert_int_equal(get(d + SECTOR * last + 32, 8), 1);
	assert_int_equal(get(d + 446 + 12, 4), last);
	assert_int_equal(planned(d, NEW_SECTORS), 0); /* done: nothing more */
	free(d);
}

static void a_cut_after_any_write_boots_and_the_next_plan_finishes(void **state)
{
	unsigned char *want = made(), *d;
	uint64_t end;

	(void)state;
	planned(want, NEW_SECTORS);
	apply(want, plan.n);
	for (size_t k = 0; k <= 3; k++) {
		d = made();
		planned(d, NEW_SECTORS);
		apply(d, k);
		/* The primary verifies (what Linux reads), and its alternate too. */
		assert_true(valid(d, 1, &end));
		assert_int_equal(end, k < 2 ? 8191 : 22527);
		assert_true(valid(d, get(d + SECTOR + 32, 8), &end));
		assert_int_equal(end, k < 2 ? 8191 : 22527);
		assert_int_equal(planned(d, NEW_SECTORS), k < 2 ? 3 : (int)(3 - k));
		apply(d, plan.n);
		assert_memory_equal(d, want, (size_t)NEW_SECTORS * SECTOR);
		free(d);
	}
	free(want);
}

static void a_cut_inside_the_primary_write_leaves_the_new_backup_at_the_end(void **state)
{
	unsigned char *d = made();
	uint64_t end;

	(void)state;
	planned(d, NEW_SECTORS);
	apply(d, 1);
	memcpy(d + SECTOR, plan.w[1].data, SECTOR); /* the header, not its entries */
	assert_false(valid(d, 1, &end));
	/* what the firmware restores the primary from */
	assert_true(valid(d, NEW_SECTORS - 1, &end));
	assert_int_equal(end, 22527);
	free(d);
}

static void the_same_disk_needs_nothing(void **state)
{
	unsigned char *d = made();

	(void)state;
	/* 2 MiB partition up to 8191, last usable 10206: no whole MiB to add */
	assert_int_equal(planned(d, OLD_SECTORS), 0);
	free(d);
}

static void what_it_does_not_grow_is_refused(void **state)
{
	unsigned char *d = made();
	const char *why;

	(void)state;
	assert_int_equal(gpt_grow_plan(d, GPT_HEAD_BYTES, SECTOR, NEW_SECTORS, 1, &plan, &why), -1);
	assert_string_equal(why, "the partition is not the last one on the disk");
	assert_int_equal(gpt_grow_plan(d, GPT_HEAD_BYTES, SECTOR, NEW_SECTORS, 3, &plan, &why), -1);
	assert_int_equal(gpt_grow_plan(d, GPT_HEAD_BYTES, SECTOR, 8000, 2, &plan, &why), -1);
	assert_string_equal(why, "the disk is smaller than the partition");
	d[2 * SECTOR + ESIZE + 40] ^= 1; /* an entry changed under its CRC */
	assert_int_equal(gpt_grow_plan(d, GPT_HEAD_BYTES, SECTOR, NEW_SECTORS, 2, &plan, &why), -1);
	assert_string_equal(why, "the primary GPT entries' CRC does not match");
	d[SECTOR + 40] ^= 1;
	assert_int_equal(gpt_grow_plan(d, GPT_HEAD_BYTES, SECTOR, NEW_SECTORS, 2, &plan, &why), -1);
	assert_string_equal(why, "the primary GPT header's CRC does not match");
	memset(d + SECTOR, 0, SECTOR);
	assert_int_equal(gpt_grow_plan(d, GPT_HEAD_BYTES, SECTOR, NEW_SECTORS, 2, &plan, &why), -1);
	assert_string_equal(why, "no GPT header at LBA 1");
	free(d);
}

static void the_crc_is_zlibs(void **state)
{
	(void)state;
	assert_int_equal(gpt_crc32((const unsigned char *)"123456789", 9), 0xcbf43926);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_crc_is_zlibs),
		cmocka_unit_test(the_partition_grows_to_the_last_whole_mib),
		cmocka_unit_test(a_cut_after_any_write_boots_and_the_next_plan_finishes),
		cmocka_unit_test(a_cut_inside_the_primary_write_leaves_the_new_backup_at_the_end),
		cmocka_unit_test(the_same_disk_needs_nothing),
		cmocka_unit_test(what_it_does_not_grow_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
