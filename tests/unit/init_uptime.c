/* SPDX-License-Identifier: MIT */
/* init_uptime -- the number in init's ready line (app/init/boot.c): the
 * first field of /proc/uptime, in milliseconds. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "boot.h"

static int64_t ms;

static void two_decimals_as_the_kernel_writes(void **state)
{
	(void)state;
	assert_true(uptime_parse("12.34 45.60\n", &ms));
	assert_int_equal(ms, 12340);
	assert_true(uptime_parse("0.91 0.00\n", &ms));
	assert_int_equal(ms, 910);
}

static void other_precisions(void **state)
{
	(void)state;
	assert_true(uptime_parse("7", &ms));
	assert_int_equal(ms, 7000);
	assert_true(uptime_parse("7.5", &ms));
	assert_int_equal(ms, 7500);
	assert_true(uptime_parse("7.123456", &ms));
	assert_int_equal(ms, 7123);
	assert_true(uptime_parse("86400.00 1.00", &ms));
	assert_int_equal(ms, 86400000);
}

static void not_an_uptime(void **state)
{
	(void)state;
	ms = -1;
	assert_false(uptime_parse("", &ms));
	assert_false(uptime_parse(" 12.34", &ms));
	assert_false(uptime_parse("-1.00", &ms));
	assert_false(uptime_parse(".5", &ms));
	assert_false(uptime_parse("1234567890123.00", &ms));
	assert_int_equal(ms, -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(two_decimals_as_the_kernel_writes),
		cmocka_unit_test(other_precisions),
		cmocka_unit_test(not_an_uptime),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
