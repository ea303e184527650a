/* init_clock -- init's millisecond clock (app/init/supervise.c): a
 * deadline made by ms_deadline() is never due before its time has passed,
 * though now_ms() reads whole milliseconds rounded down.  (A deadline of
 * "now_ms() + after" was: set at 10.0004 s, it read due at 15.000 s, 0.4 ms
 * early, and tests/host/init_shutdown_order.t saw SIGKILL before 5 s.) */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "supervise.h"

#define NS_PER_MS 1000000L

static struct timespec at(time_t s, long ns)
{
	return (struct timespec){ .tv_sec = s, .tv_nsec = ns };
}

/* Whether a clock reading of `now` finds the deadline due, as init's loops
 * do: now_ms() >= deadline. */
static int due(const struct timespec *now, int64_t deadline)
{
	return ms_down(now) >= deadline;
}

static void reads_whole_milliseconds_rounded_down(void **state)
{
	struct timespec a = at(12, 0), b = at(12, 999999), c = at(12, 1000000);

	(void)state;
	assert_int_equal(ms_down(&a), 12000);
	assert_int_equal(ms_down(&b), 12000);
	assert_int_equal(ms_down(&c), 12001);
}

static void not_due_early_within_a_millisecond(void **state)
{
	struct timespec set = at(10, 400000); /* 10.0004 s */
	int64_t d = ms_deadline(&set, 5000);
	struct timespec early = at(15, 0), almost = at(15, 399999);
	struct timespec late = at(15, 1000000);

	(void)state;
	assert_false(due(&early, d));
	assert_false(due(&almost, d));
	/* due at 15.001 s: 0.6 ms late, never early */
	assert_int_equal(d, 15001);
	assert_true(due(&late, d));
}

static void on_a_whole_millisecond_exactly_on_time(void **state)
{
	struct timespec set = at(3, 7 * NS_PER_MS);
	struct timespec before = at(4, 7 * NS_PER_MS - 1), then = at(4, 7 * NS_PER_MS);
	int64_t d = ms_deadline(&set, 1000);

	(void)state;
	assert_int_equal(d, 4007);
	assert_false(due(&before, d));
	assert_true(due(&then, d));
}

/* Every start within a millisecond, every reading around the deadline:
 * due implies after_ms have passed, and it is due 1 ms after that at the
 * latest. */
static void never_early_never_more_than_a_millisecond_late(void **state)
{
	const int64_t after = 5000;

	(void)state;
	for (long s = 0; s < NS_PER_MS; s += 9973) {
		struct timespec set = at(100, 250 * NS_PER_MS + s);
		int64_t d = ms_deadline(&set, after);
		int64_t set_ns = 100LL * 1000000000 + 250 * NS_PER_MS + s;

		for (int64_t n = -2 * NS_PER_MS; n <= 2 * NS_PER_MS; n += 7919) {
			int64_t now_ns = set_ns + after * NS_PER_MS + n;
			struct timespec now = at(now_ns / 1000000000, now_ns % 1000000000);

			if (due(&now, d))
				assert_true(n >= 0);
			if (n >= NS_PER_MS)
				assert_true(due(&now, d));
		}
	}
}

static void the_live_clock_agrees(void **state)
{
	struct timespec a, b;
	int64_t d;

	(void)state;
	clock_gettime(CLOCK_MONOTONIC, &a);
	d = deadline_ms(0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	assert_true(d >= ms_deadline(&a, 0));
	assert_true(d <= ms_deadline(&b, 0));
	assert_true(now_ms() >= ms_down(&b));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_whole_milliseconds_rounded_down),
		cmocka_unit_test(not_due_early_within_a_millisecond),
		cmocka_unit_test(on_a_whole_millisecond_exactly_on_time),
		cmocka_unit_test(never_early_never_more_than_a_millisecond_late),
		cmocka_unit_test(the_live_clock_agrees),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
