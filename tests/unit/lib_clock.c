/* SPDX-License-Identifier: MIT */
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

/* clock_ms_on reads the clock it is given: the date by CLOCK_REALTIME,
 * the uptime by CLOCK_BOOTTIME. Bracketed by the same clock read directly
 * (time() may lag it: glibc reads the coarse clock, a tick behind). */
static void other_clocks(void **state)
{
	struct timespec t0, t1;
	int64_t ms, mono, boot;

	(void)state;
	clock_gettime(CLOCK_REALTIME, &t0);
	ms = clock_ms_on(CLOCK_REALTIME);
	clock_gettime(CLOCK_REALTIME, &t1);
	mono = clock_ms();
	boot = clock_ms_on(CLOCK_BOOTTIME);
	assert_true(ms >= clock_ms_of(&t0) && ms <= clock_ms_of(&t1));
	assert_true(boot >= mono); /* the uptime: monotonic time plus any suspend */
}

static struct timespec at(time_t s, long ns)
{
	return (struct timespec){ .tv_sec = s, .tv_nsec = ns };
}

static void rounds_down(void **state)
{
	struct timespec a = at(12, 0), b = at(12, 999999), c = at(12, 1000000);

	(void)state;
	assert_int_equal(clock_ms_of(&a), 12000);
	assert_int_equal(clock_ms_of(&b), 12000);
	assert_int_equal(clock_ms_of(&c), 12001);
}

/* Set at 10.0004 s, a 5 s deadline is due at 15.001 (0.6 ms late), not at
 * 15.000 (0.4 ms early, what clock_ms() + 5000 would give); set on a whole
 * millisecond, it is due exactly on time. */
static void deadline_never_early(void **state)
{
	struct timespec set = at(10, 400000), whole = at(3, 7000000);
	struct timespec almost = at(15, 399999), late = at(15, 1000000);
	int64_t d = clock_deadline_of(&set, 5000);

	(void)state;
	assert_int_equal(d, 15001);
	assert_true(clock_ms_of(&almost) < d);
	assert_true(clock_ms_of(&late) >= d);
	assert_int_equal(clock_deadline_of(&whole, 1000), 4007);
	assert_int_equal(clock_deadline_of(&whole, 0), 3007);
}

/* On the running clock: many short deadlines, each started at a different
 * point of a millisecond: none is reached before d ms of nanosecond time. */
static void never_early(void **state)
{
	(void)state;
	for (int i = 0; i < 200; i++) {
		int64_t d = i % 3, start = clock_ns(), deadline = clock_ms_after(d), set = clock_ns();

		while (clock_ms() < deadline)
			cpu_relax();
		assert_true(clock_ns() - start >= d * 1000000);
		/* and not pushed later than the next millisecond past d, counted
		 * from a reading taken after it was set (a preemption between the
		 * two readings must not fail this) */
		assert_true(deadline <= set / 1000000 + d + 1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(units_agree),
		cmocka_unit_test(other_clocks),
		cmocka_unit_test(rounds_down),
		cmocka_unit_test(deadline_never_early),
		cmocka_unit_test(never_early),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
