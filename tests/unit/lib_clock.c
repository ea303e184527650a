/* lib_clock -- the one monotonic clock (app/lib/clock.h): its units agree,
 * and a deadline made with clock_ms_after is never early: by the time
 * clock_ms() reaches it, at least the asked milliseconds have passed on
 * the nanosecond clock (clock_ms() + d, truncated, could be up to 1 ms
 * early). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "clock.h"

static void units_agree(void **state)
{
	int64_t ns = clock_ns(), us = clock_us(), ms = clock_ms(), ns2 = clock_ns();

	(void)state;
	assert_true(ns > 0);
	assert_true(ns2 >= ns);
	assert_true(us >= ns / 1000 && us <= ns2 / 1000);
	assert_true(ms >= ns / 1000000 && ms <= ns2 / 1000000);
}

/* Many short deadlines, each started at a different point of a
 * millisecond: none is reached before d ms of nanosecond time. */
static void never_early(void **state)
{
	(void)state;
	for (int i = 0; i < 200; i++) {
		int64_t d = i % 3, start = clock_ns(), deadline = clock_ms_after(d);

		while (clock_ms() < deadline)
			cpu_relax();
		assert_true(clock_ns() - start >= d * 1000000);
		/* and not pushed much later than a millisecond past d */
		assert_true(deadline - start / 1000000 <= d + 1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(units_agree),
		cmocka_unit_test(never_early),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
