/* tftpd_wheel -- the timing wheel of tftpd's timeouts
 * (app/tftpd/wheel.c): timers fire once, in time, never early; moving and
 * cancelling; delays longer than the wheel's span; the next wake-up. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "wheel.h"

static struct wheel w;
static int fired[8];
static struct timer tm[8];

static void fire(struct timer *t, void *ctx)
{
	(void)ctx;
	fired[t - tm]++;
}

static void reset(int64_t now)
{
	wheel_init(&w, now);
	for (int i = 0; i < 8; i++) {
		fired[i] = 0;
		tm[i] = (struct timer){ 0 };
	}
}

static void fires_once_at_its_time_not_before(void **state)
{
	(void)state;
	reset(1000);
	wheel_set(&w, &tm[0], 2000);
	wheel_expire(&w, 1999, fire, NULL);
	assert_int_equal(fired[0], 0);
	wheel_expire(&w, 2000, fire, NULL);
	assert_int_equal(fired[0], 1);
	wheel_expire(&w, 9000, fire, NULL);
	assert_int_equal(fired[0], 1);
	assert_false(timer_pending(&tm[0]));
	assert_int_equal(wheel_next(&w, 9000), -1);
}

static void moved_and_cancelled_timers(void **state)
{
	(void)state;
	reset(0);
	wheel_set(&w, &tm[0], 100);
	wheel_set(&w, &tm[1], 100);
	wheel_set(&w, &tm[0], 500); /* moved */
	wheel_cancel(&w, &tm[1]);
	wheel_expire(&w, 200, fire, NULL);
	assert_int_equal(fired[0], 0);
	assert_int_equal(fired[1], 0);
	wheel_expire(&w, 500, fire, NULL);
	assert_int_equal(fired[0], 1);
	assert_int_equal(w.count, 0);
}

static void longer_than_the_span(void **state)
{
	const int64_t span = (int64_t)WHEEL_SLOTS * WHEEL_TICK_MS;

	(void)state;
	reset(0);
	wheel_set(&w, &tm[0], span * 3 + 7);
	for (int64_t now = 0; now < span * 3 + 7; now += 1000)
		wheel_expire(&w, now, fire, NULL);
	assert_int_equal(fired[0], 0);
	wheel_expire(&w, span * 3 + 7, fire, NULL);
	assert_int_equal(fired[0], 1);
}

static void a_long_sleep_fires_everything_due(void **state)
{
	(void)state;
	reset(0);
	for (int i = 0; i < 8; i++)
		wheel_set(&w, &tm[i], 10 + i * 3000);
	wheel_expire(&w, 1000000, fire, NULL);
	for (int i = 0; i < 8; i++)
		assert_int_equal(fired[i], 1);
}

static void next_wakeup(void **state)
{
	(void)state;
	reset(0);
	wheel_set(&w, &tm[0], 1000);
	wheel_set(&w, &tm[1], 250);
	assert_int_equal(wheel_next(&w, 0), 250);
	assert_int_equal(wheel_next(&w, 300), 0); /* overdue: at once */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fires_once_at_its_time_not_before),
		cmocka_unit_test(moved_and_cancelled_timers),
		cmocka_unit_test(longer_than_the_span),
		cmocka_unit_test(a_long_sleep_fires_everything_due),
		cmocka_unit_test(next_wakeup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
