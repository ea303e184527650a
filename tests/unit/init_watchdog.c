/* SPDX-License-Identifier: MIT */
/* init_watchdog -- the timeout a boot's watchdog gets from tern.watchdog=
 * and Kconfig (watchdog_timeout), and the pet cadence
 * (watchdog_interval_ms), app/init/watchdog.c. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "watchdog.h"

static void without_a_word_kconfig_decides(void **state)
{
	(void)state;
	assert_int_equal(watchdog_timeout(NULL, 30), 30);
	assert_int_equal(watchdog_timeout(NULL, 0), 0); /* INIT_WATCHDOG off */
}

static void a_word_sets_the_timeout_or_turns_it_off(void **state)
{
	(void)state;
	assert_int_equal(watchdog_timeout("10", 30), 10);
	assert_int_equal(watchdog_timeout("10", 0), 10); /* on for one boot */
	assert_int_equal(watchdog_timeout("2", 30), 2);
	assert_int_equal(watchdog_timeout("3600", 30), 3600);
	assert_int_equal(watchdog_timeout("off", 30), 0);
	assert_int_equal(watchdog_timeout("0", 30), 0);
}

static void a_bad_word_is_refused(void **state)
{
	(void)state;
	assert_int_equal(watchdog_timeout("1", 30), -1);    /* below the minimum */
	assert_int_equal(watchdog_timeout("3601", 30), -1); /* above the maximum */
	assert_int_equal(watchdog_timeout("", 30), -1);
	assert_int_equal(watchdog_timeout("10s", 30), -1);
	assert_int_equal(watchdog_timeout("-5", 30), -1);
	assert_int_equal(watchdog_timeout("on", 30), -1);
	assert_int_equal(watchdog_timeout("99999999999999999999", 30), -1);
}

static void it_is_petted_four_times_a_timeout(void **state)
{
	(void)state;
	assert_int_equal(watchdog_interval_ms(30), 7500);
	assert_int_equal(watchdog_interval_ms(2), 500);
	assert_int_equal(watchdog_interval_ms(3600), 900000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(without_a_word_kconfig_decides),
		cmocka_unit_test(a_word_sets_the_timeout_or_turns_it_off),
		cmocka_unit_test(a_bad_word_is_refused),
		cmocka_unit_test(it_is_petted_four_times_a_timeout),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
