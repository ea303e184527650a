/* SPDX-License-Identifier: MIT */
/* init_backoff -- the restart delay of a respawn service
 * (app/init/backoff.c): 1 s, doubling to 60 s, back to 1 s after a 30 s run. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "backoff.h"

static void first_restart_waits_one_second(void **state)
{
	(void)state;
	assert_int_equal(backoff_next(0, 0), 1);
	assert_int_equal(backoff_next(0, 29999), 1);
}

static void quick_exits_double_up_to_the_cap(void **state)
{
	static const unsigned want[] = { 1, 2, 4, 8, 16, 32, 60, 60, 60 };
	unsigned d = 0;

	(void)state;
	for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
		d = backoff_next(d, 100);
		assert_int_equal(d, want[i]);
	}
}

static void a_long_run_resets(void **state)
{
	(void)state;
	assert_int_equal(backoff_next(60, 30000), 1);
	assert_int_equal(backoff_next(16, 3600 * 1000), 1);
	assert_int_equal(backoff_next(16, 29999), 32);
}

static void never_above_the_cap(void **state)
{
	(void)state;
	for (unsigned d = 1; d <= 200; d++)
		assert_true(backoff_next(d, 0) <= BACKOFF_MAX_S);
	assert_int_equal(backoff_next(31, 0), 60);
	assert_int_equal(backoff_next(29, 0), 58);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(first_restart_waits_one_second),
		cmocka_unit_test(quick_exits_double_up_to_the_cap),
		cmocka_unit_test(a_long_run_resets),
		cmocka_unit_test(never_above_the_cap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
