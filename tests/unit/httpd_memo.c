/* SPDX-License-Identifier: MIT */
/* httpd_memo -- a worker's memo of small files opened lately
 * (app/httpd/memo.c): a path is found only while trusted, with the file it
 * named; a longer path or another kind of file is never kept; forget and
 * clear forget. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memo.h"

static struct memo *m;

static int setup(void **state)
{
	(void)state;
	m = calloc(1, sizeof *m);
	return m ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(m);
	return 0;
}

static struct stat file(ino_t ino, off_t size, time_t mtime)
{
	struct stat st;

	memset(&st, 0, sizeof st);
	st.st_dev = 8;
	st.st_ino = ino;
	st.st_size = size;
	st.st_mtim.tv_sec = mtime;
	st.st_mtim.tv_nsec = 5;
	st.st_mode = S_IFREG | 0644;
	return st;
}

static void found_while_trusted(void **state)
{
	struct stat st = file(42, 1024, 784111777), got;

	(void)state;
	memo_keep(m, "boot.ipxe", &st, 1000, 500);
	assert_true(memo_find(m, "boot.ipxe", 1000, &got));
	assert_int_equal(got.st_dev, 8);
	assert_int_equal(got.st_ino, 42);
	assert_int_equal(got.st_size, 1024);
	assert_int_equal(got.st_mtim.tv_sec, 784111777);
	assert_int_equal(got.st_mtim.tv_nsec, 5);
	assert_true(S_ISREG(got.st_mode));
	assert_true(memo_find(m, "boot.ipxe", 1499, &got));
	assert_false(memo_find(m, "boot.ipxe", 1500, &got)); /* trusted until, not at */
	assert_false(memo_find(m, "boot.ipx", 1000, &got));
	assert_false(memo_find(m, "boot.ipxe2", 1000, &got));
}

static void kept_again_renews(void **state)
{
	struct stat a = file(1, 10, 1), b = file(2, 20, 2), got;

	(void)state;
	memo_keep(m, "f", &a, 1, 100);
	memo_keep(m, "f", &b, 90, 100);
	assert_true(memo_find(m, "f", 150, &got));
	assert_int_equal(got.st_ino, 2);
	assert_int_equal(got.st_size, 20);
}

static void never_kept(void **state)
{
	char long_path[MEMO_PATH + 8];
	struct stat st = file(3, 10, 1), dir = st, got;

	(void)state;
	memset(long_path, 'a', sizeof long_path - 1);
	long_path[sizeof long_path - 1] = '\0';
	memo_keep(m, long_path, &st, 10, 1000);
	assert_false(memo_find(m, long_path, 10, &got));
	long_path[MEMO_PATH - 1] = '\0'; /* the longest kept: MEMO_PATH - 1 bytes */
	memo_keep(m, long_path, &st, 10, 1000);
	assert_true(memo_find(m, long_path, 10, &got));
	dir.st_mode = S_IFDIR | 0755;
	memo_keep(m, "d", &dir, 10, 1000);
	assert_false(memo_find(m, "d", 10, &got));
	memo_keep(m, "zero", &st, 10, 0); /* -O 0 */
	assert_false(memo_find(m, "zero", 10, &got));
}

static void forget_and_clear(void **state)
{
	struct stat st = file(4, 10, 1), got;

	(void)state;
	memo_keep(m, "x", &st, 10, 1000);
	memo_keep(m, "y", &st, 10, 1000);
	memo_forget(m, "x");
	assert_false(memo_find(m, "x", 10, &got));
	assert_true(memo_find(m, "y", 10, &got));
	memo_forget(m, "not-kept"); /* nothing to forget: no harm */
	assert_true(memo_find(m, "y", 10, &got));
	memo_clear(m);
	assert_false(memo_find(m, "y", 10, &got));
}

static void many_paths_one_slot_each(void **state)
{
	char path[32];
	struct stat st, got;
	unsigned found = 0;

	(void)state;
	for (unsigned i = 0; i < 4 * MEMO_SLOTS; i++) {
		snprintf(path, sizeof path, "file-%u", i);
		st = file(i + 1, 10, 1);
		memo_keep(m, path, &st, 10, 1000);
	}
	for (unsigned i = 0; i < 4 * MEMO_SLOTS; i++) {
		snprintf(path, sizeof path, "file-%u", i);
		if (memo_find(m, path, 10, &got)) {
			assert_int_equal(got.st_ino, i + 1); /* never another path's file */
			found++;
		}
	}
	assert_true(found > 0 && found <= MEMO_SLOTS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(found_while_trusted, setup, teardown),
		cmocka_unit_test_setup_teardown(kept_again_renews, setup, teardown),
		cmocka_unit_test_setup_teardown(never_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(forget_and_clear, setup, teardown),
		cmocka_unit_test_setup_teardown(many_paths_one_slot_each, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
