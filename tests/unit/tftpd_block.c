/* SPDX-License-Identifier: MIT */
/* tftpd_block -- block numbers past 65535 (app/tftpd/block.c): rollover to
 * 0 or to 1, and what an ACK's number means in a window that crosses it. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "block.h"

static void rollover_to_zero(void **state)
{
	(void)state;
	assert_int_equal(tftp_block_number(0, 0), 0);
	assert_int_equal(tftp_block_number(1, 0), 1);
	assert_int_equal(tftp_block_number(65535, 0), 65535);
	assert_int_equal(tftp_block_number(65536, 0), 0);
	assert_int_equal(tftp_block_number(65537, 0), 1);
	assert_int_equal(tftp_block_number(3 * 65536 + 7, 0), 7);
}

static void rollover_to_one(void **state)
{
	(void)state;
	assert_int_equal(tftp_block_number(0, 1), 0);
	assert_int_equal(tftp_block_number(1, 1), 1);
	assert_int_equal(tftp_block_number(65535, 1), 65535);
	assert_int_equal(tftp_block_number(65536, 1), 1);
	assert_int_equal(tftp_block_number(131070, 1), 65535);
	assert_int_equal(tftp_block_number(131071, 1), 1);
	for (uint64_t i = 1; i < 4 * 65536; i++)
		assert_int_not_equal(tftp_block_number(i, 1), 0);
}

/* A 4 GiB file at blksize 512 is 8388608 blocks: 128 times round. */
static void large_file_at_small_blksize(void **state)
{
	uint64_t blocks = (4ull << 30) / 512 + 1; /* + the empty last block */

	(void)state;
	assert_int_equal(tftp_block_number(blocks, 0), 1);
	assert_int_equal(tftp_block_number(blocks, 1), (blocks - 1) % 65535 + 1);
}

static void ack_numbers_across_the_rollover(void **state)
{
	(void)state;
	assert_true(tftp_block_index(2, 65530, 0) == 65538);
	assert_true(tftp_block_index(65530, 65530, 0) == 65530);
	assert_true(tftp_block_index(65529, 65530, 0) == 65530 + 65535); /* an old ACK */
	assert_true(tftp_block_index(0, 65530, 0) == 65536);
	assert_true(tftp_block_index(1, 65535, 1) == 65536);
	assert_true(tftp_block_index(65535, 65535, 1) == 65535);
	assert_true(tftp_block_index(0, 0, 1) == 0);
	assert_true(tftp_block_index(0, 0, 0) == 0);
	assert_true(tftp_block_index(1, 0, 1) == 1);
	assert_true(tftp_block_index(0, 1, 1) == UINT64_MAX); /* 0 never comes again */
	assert_true(tftp_block_index(0, 70000, 1) == UINT64_MAX);
}

static void index_and_number_agree(void **state)
{
	(void)state;
	for (unsigned rollover = 0; rollover < 2; rollover++)
		for (uint64_t from = 0; from < 200000; from += 997)
			for (uint64_t i = from; i < from + 65535; i += 101)
				assert_true(tftp_block_index(tftp_block_number(i, rollover), from,
							     rollover) == i);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rollover_to_zero),
		cmocka_unit_test(rollover_to_one),
		cmocka_unit_test(large_file_at_small_blksize),
		cmocka_unit_test(ack_numbers_across_the_rollover),
		cmocka_unit_test(index_and_number_agree),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
